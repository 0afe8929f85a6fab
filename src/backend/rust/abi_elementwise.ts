/**
 * The ABI entries of the elementwise and per-channel kernels
 * (kernels/src/activations.rs, tanh.rs, bias.rs, batch_norm.rs): each kernel,
 * its scalar reference, and where it has one its job part for a call split
 * over the kernel threads (`*_part`: the kernel's parameters less its length,
 * then the kernel threads' `work, lo, hi`; elements or rows `lo..hi`, `work`
 * unused). Batch norm splits in halves: its statistics on the calling thread
 * (`*_stats`, `*_sums`), then its output by rows in parts (`*_apply_*_part`).
 * Merged into `KERNEL_ABI` (abi.ts).
 * @module
 */
import { type AbiEntry, PART, ref } from "./abi_types.ts";

/** The kernel threads' workspace and part, after a part export's own parameters. */
const WORK_PART = [["work", "ptr"], ...PART] as const;

const RELU = [["x", "ptr"], ["out", "ptr"], ["len", "u32"]] as const;
const RELU_PART = [["x", "ptr"], ["out", "ptr"], ...WORK_PART] as const;
const RELU_GRAD = [["x", "ptr"], ["dy", "ptr"], ["out", "ptr"], ["len", "u32"]] as const;
const RELU_GRAD_PART = [["x", "ptr"], ["dy", "ptr"], ["out", "ptr"], ...WORK_PART] as const;
const LEAKY_RELU = [["x", "ptr"], ["out", "ptr"], ["len", "u32"], ["alpha", "f32"]] as const;
const LEAKY_RELU_PART = [["x", "ptr"], ["out", "ptr"], ["alpha", "f32"], ...WORK_PART] as const;
const LEAKY_RELU_GRAD = [
  ["x", "ptr"],
  ["dy", "ptr"],
  ["out", "ptr"],
  ["len", "u32"],
  ["alpha", "f32"],
] as const;
const LEAKY_RELU_GRAD_PART = [
  ["x", "ptr"],
  ["dy", "ptr"],
  ["out", "ptr"],
  ["alpha", "f32"],
  ...WORK_PART,
] as const;
const BIAS_ADD = [
  ["x", "ptr"],
  ["b", "ptr"],
  ["out", "ptr"],
  ["rows", "u32"],
  ["cols", "u32"],
] as const;
const BIAS_ADD_PART = [
  ["x", "ptr"],
  ["b", "ptr"],
  ["out", "ptr"],
  ["cols", "u32"],
  ...WORK_PART,
] as const;
/** Batch norm's forward pieces: `x, gamma`, then (whole call only) `beta, y`, then the rest. */
const BN_IN = [["x", "ptr"], ["gamma", "ptr"]] as const;
const BN_OUT = [["beta", "ptr"], ["y", "ptr"]] as const;
const BN_STATS = [
  ["mean", "ptr"],
  ["var", "ptr"],
  ["scratch", "ptr"],
  ["rows", "u32"],
  ["cols", "u32"],
  ["eps", "f32"],
] as const;
const BATCH_NORM = [...BN_IN, ...BN_OUT, ...BN_STATS] as const;
const BATCH_NORM_STATS = [...BN_IN, ...BN_STATS] as const;
const BATCH_NORM_APPLY_PART = [
  ["x", "ptr"],
  ["mean", "ptr"],
  ["scratch", "ptr"],
  ["beta", "ptr"],
  ["y", "ptr"],
  ["cols", "u32"],
  ...WORK_PART,
] as const;
/** Its gradient's pieces: the inputs, then (whole call only) `dx`, then the rest. */
const BN_GRAD_IN = [
  ["dy", "ptr"],
  ["x", "ptr"],
  ["mean", "ptr"],
  ["var", "ptr"],
  ["gamma", "ptr"],
] as const;
const BN_GRAD_SUMS = [
  ["dgamma", "ptr"],
  ["dbeta", "ptr"],
  ["scratch", "ptr"],
  ["rows", "u32"],
  ["cols", "u32"],
  ["eps", "f32"],
] as const;
const BATCH_NORM_GRAD = [...BN_GRAD_IN, ["dx", "ptr"], ...BN_GRAD_SUMS] as const;
const BATCH_NORM_GRAD_SUMS = [...BN_GRAD_IN, ...BN_GRAD_SUMS] as const;
const BATCH_NORM_GRAD_APPLY_PART = [
  ["dy", "ptr"],
  ["x", "ptr"],
  ["mean", "ptr"],
  ["scratch", "ptr"],
  ["dx", "ptr"],
  ["cols", "u32"],
  ...WORK_PART,
] as const;

/** The type of {@link ELEMENTWISE_ABI}. */
export type ElementwiseAbi = {
  readonly relu_f32: AbiEntry<typeof RELU>;
  readonly relu_f32_ref: AbiEntry<typeof RELU>;
  readonly relu_f32_part: AbiEntry<typeof RELU_PART>;
  readonly relu_grad_f32: AbiEntry<typeof RELU_GRAD>;
  readonly relu_grad_f32_ref: AbiEntry<typeof RELU_GRAD>;
  readonly relu_grad_f32_part: AbiEntry<typeof RELU_GRAD_PART>;
  readonly leaky_relu_f32: AbiEntry<typeof LEAKY_RELU>;
  readonly leaky_relu_f32_ref: AbiEntry<typeof LEAKY_RELU>;
  readonly leaky_relu_f32_part: AbiEntry<typeof LEAKY_RELU_PART>;
  readonly leaky_relu_grad_f32: AbiEntry<typeof LEAKY_RELU_GRAD>;
  readonly leaky_relu_grad_f32_ref: AbiEntry<typeof LEAKY_RELU_GRAD>;
  readonly leaky_relu_grad_f32_part: AbiEntry<typeof LEAKY_RELU_GRAD_PART>;
  readonly tanh_f32: AbiEntry<typeof RELU>;
  readonly tanh_f32_ref: AbiEntry<typeof RELU>;
  readonly tanh_f32_part: AbiEntry<typeof RELU_PART>;
  readonly bias_add_f32: AbiEntry<typeof BIAS_ADD>;
  readonly bias_add_f32_ref: AbiEntry<typeof BIAS_ADD>;
  readonly bias_add_f32_part: AbiEntry<typeof BIAS_ADD_PART>;
  readonly batch_norm_f32: AbiEntry<typeof BATCH_NORM>;
  readonly batch_norm_f32_ref: AbiEntry<typeof BATCH_NORM>;
  readonly batch_norm_grad_f32: AbiEntry<typeof BATCH_NORM_GRAD>;
  readonly batch_norm_grad_f32_ref: AbiEntry<typeof BATCH_NORM_GRAD>;
  readonly batch_norm_stats_f32: AbiEntry<typeof BATCH_NORM_STATS>;
  readonly batch_norm_apply_f32_part: AbiEntry<typeof BATCH_NORM_APPLY_PART>;
  readonly batch_norm_grad_sums_f32: AbiEntry<typeof BATCH_NORM_GRAD_SUMS>;
  readonly batch_norm_grad_apply_f32_part: AbiEntry<typeof BATCH_NORM_GRAD_APPLY_PART>;
};

/** A part export's doc: `of` on `what` lo..hi. */
const part = (of: string, what = "elements") =>
  `${of} on ${what} lo..hi: one part of a call split over the kernel threads`;

/** The elementwise and per-channel kernels, their references and their parts. */
export const ELEMENTWISE_ABI: ElementwiseAbi = {
  // activations.rs
  relu_f32: { doc: "out = x's sign bit set ? +0 : x (tfjs-wasm's Relu)", params: RELU },
  relu_f32_ref: { doc: ref("relu_f32"), params: RELU },
  relu_f32_part: { doc: part("relu_f32"), params: RELU_PART },
  relu_grad_f32: { doc: "out = dy · step(x) (tfjs's ReLU gradient)", params: RELU_GRAD },
  relu_grad_f32_ref: { doc: ref("relu_grad_f32"), params: RELU_GRAD },
  relu_grad_f32_part: { doc: part("relu_grad_f32"), params: RELU_GRAD_PART },
  leaky_relu_f32: { doc: "out = x < 0 ? alpha x : x", params: LEAKY_RELU },
  leaky_relu_f32_ref: { doc: ref("leaky_relu_f32"), params: LEAKY_RELU },
  leaky_relu_f32_part: { doc: part("leaky_relu_f32"), params: LEAKY_RELU_PART },
  leaky_relu_grad_f32: { doc: "out = x > 0 ? dy : alpha dy", params: LEAKY_RELU_GRAD },
  leaky_relu_grad_f32_ref: { doc: ref("leaky_relu_grad_f32"), params: LEAKY_RELU_GRAD },
  leaky_relu_grad_f32_part: { doc: part("leaky_relu_grad_f32"), params: LEAKY_RELU_GRAD_PART },
  // tanh.rs
  tanh_f32: { doc: "out = tanh(x) in musl tanhf's bits (tfjs-wasm's Tanh), 4 lanes", params: RELU },
  tanh_f32_ref: { doc: ref("tanh_f32"), params: RELU },
  tanh_f32_part: { doc: part("tanh_f32"), params: RELU_PART },
  // bias.rs
  bias_add_f32: { doc: "out[i][j] = x[i][j] + b[j] over rows × cols", params: BIAS_ADD },
  bias_add_f32_ref: { doc: ref("bias_add_f32"), params: BIAS_ADD },
  bias_add_f32_part: { doc: part("bias_add_f32", "rows"), params: BIAS_ADD_PART },
  // batch_norm.rs
  batch_norm_f32: { doc: "batch norm forward: y, mean, biased variance", params: BATCH_NORM },
  batch_norm_f32_ref: { doc: ref("batch_norm_f32"), params: BATCH_NORM },
  batch_norm_grad_f32: { doc: "batch norm's closed-form gradient", params: BATCH_NORM_GRAD },
  batch_norm_grad_f32_ref: { doc: ref("batch_norm_grad_f32"), params: BATCH_NORM_GRAD },
  batch_norm_stats_f32: {
    doc: "batch_norm_f32's first half: mean, variance, and the scales in scratch",
    params: BATCH_NORM_STATS,
  },
  batch_norm_apply_f32_part: {
    doc: part("batch_norm_f32's second half (y from the statistics)", "rows"),
    params: BATCH_NORM_APPLY_PART,
  },
  batch_norm_grad_sums_f32: {
    doc: "batch_norm_grad_f32's first half: dgamma, dbeta, and dx's factors in scratch",
    params: BATCH_NORM_GRAD_SUMS,
  },
  batch_norm_grad_apply_f32_part: {
    doc: part("batch_norm_grad_f32's second half (dx from the sums)", "rows"),
    params: BATCH_NORM_GRAD_APPLY_PART,
  },
};
