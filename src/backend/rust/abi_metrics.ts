/**
 * The metrics' entries of the kernels' export table (kernels/src/kde.rs,
 * kernels/src/distances.rs, kernels/src/proxy_conv.rs): kernels that run in a
 * scratch memory of their own, not on tfjs tensors. Spread into `KERNEL_ABI`
 * (abi.ts), which holds every other family's and is at the size limit for one
 * file.
 * @module
 */
import { type AbiEntry, PART, ref } from "./abi_types.ts";

const KDE_SUMS = [
  ["sums", "ptr"],
  ["gx", "ptr"],
  ["gy", "ptr"],
  ["rows", "u32"],
  ["cols", "u32"],
  ["count", "u32"],
  ["work", "ptr"],
  ...PART,
] as const;

const SQDIST = [
  ["out", "ptr"],
  ["a", "ptr"],
  ["b", "ptr"],
  ["na", "u32"],
  ["nb", "u32"],
  ["dim", "u32"],
] as const;

const PROXY_CONV = [
  ["y", "ptr"],
  ["x", "ptr"],
  ["w", "ptr"],
  ["n", "u32"],
  ["side", "u32"],
  ["cin", "u32"],
  ["cout", "u32"],
] as const;

/** The type of {@link METRICS_ABI}. */
export type MetricsAbi = {
  readonly kde_sums_f64: AbiEntry<typeof KDE_SUMS>;
  readonly kde_sums_f64_ref: AbiEntry<typeof KDE_SUMS>;
  readonly sqdist_f64: AbiEntry<typeof SQDIST>;
  readonly sqdist_f64_ref: AbiEntry<typeof SQDIST>;
  readonly proxy_conv_f64: AbiEntry<typeof PROXY_CONV>;
  readonly proxy_conv_f64_ref: AbiEntry<typeof PROXY_CONV>;
};

/** The metrics' kernels and their scalar references. */
export const METRICS_ABI: MetricsAbi = {
  kde_sums_f64: {
    doc: "sums[i][j] += gx[k][i] gy[k][j] for k in 0..count in order, rows lo..hi, f64, 4 × 4 tile",
    params: KDE_SUMS,
  },
  kde_sums_f64_ref: {
    doc: ref("kde_sums_f64"),
    params: KDE_SUMS,
  },
  sqdist_f64: {
    doc: "out[i][j] = Σ_k (a[i][k] − b[j][k])², f64 in k order, rounded to f32; b in row pairs",
    params: SQDIST,
  },
  sqdist_f64_ref: {
    doc: ref("sqdist_f64"),
    params: SQDIST,
  },
  proxy_conv_f64: {
    doc: "the proxy extractor's layer: relu(conv 3×3, stride 2, padding 1), f64 sums, f32 out",
    params: PROXY_CONV,
  },
  proxy_conv_f64_ref: {
    doc: ref("proxy_conv_f64"),
    params: PROXY_CONV,
  },
};
