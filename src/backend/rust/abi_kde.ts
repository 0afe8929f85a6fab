/**
 * The `kde` family's entries of the kernels' export table (kernels/src/kde.rs):
 * spread into `KERNEL_ABI` (abi.ts), which holds every other family's and is
 * at the size limit for one file.
 * @module
 */
import type { AbiEntry } from "./abi.ts";

const KDE_SUMS = [
  ["sums", "ptr"],
  ["gx", "ptr"],
  ["gy", "ptr"],
  ["rows", "u32"],
  ["cols", "u32"],
  ["count", "u32"],
] as const;

/** The type of {@link KDE_ABI}. */
export type KdeAbi = {
  readonly kde_sums_f64: AbiEntry<typeof KDE_SUMS>;
  readonly kde_sums_f64_ref: AbiEntry<typeof KDE_SUMS>;
};

/** The KDE's grid sums and their scalar reference. */
export const KDE_ABI: KdeAbi = {
  kde_sums_f64: {
    doc: "sums[i][j] += gx[k][i] gy[k][j] for k in 0..count in order, f64, 4 × 4 tile",
    params: KDE_SUMS,
  },
  kde_sums_f64_ref: {
    doc: "scalar reference of kde_sums_f64: same signature, same bits",
    params: KDE_SUMS,
  },
};
