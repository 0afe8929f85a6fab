/**
 * The exports of Duel's Rust kernels (kernels/duel_kernels.wasm), declared
 * once: {@link KERNEL_ABI} names every export with its parameters and result
 * ({@link KernelAbi}, right above it, lists each entry's type; the compiler
 * checks that the two agree), and {@link RustKernels}, the type every
 * TypeScript caller gets, is derived from it. The table is checked against the built module's exports
 * (names, parameter and result types) by `tests/kernels_abi_test.ts`, so a
 * signature changed on one side only fails a test; a call with the wrong
 * number of arguments fails the type check.
 *
 * Pointers are byte offsets into the memory the module runs in (tfjs's).
 * Parameter names are the Rust ones.
 * @module
 */
import { ELEMENTWISE_ABI, type ElementwiseAbi } from "./abi_elementwise.ts";
import { METRICS_ABI, type MetricsAbi } from "./abi_metrics.ts";
import { UPDATES_ABI, type UpdatesAbi } from "./abi_updates.ts";
import {
  type AbiEntry,
  type AbiFmaTwin,
  type AbiReturns,
  type AbiType,
  ADAM,
  CHAIN,
  type Chain,
  EMA,
  type KernelSignature,
  PART,
  ref,
  RMSPROP,
} from "./abi_types.ts";

export {
  ABI_TYPES,
  type AbiEntry,
  type AbiFmaTwin,
  type AbiParam,
  type AbiReturns,
  type AbiType,
  type KernelSignature,
} from "./abi_types.ts";

/** `matmul_f32`'s parameters (kernels/src/matmul.rs, `matmul_exports!`). */
const MATMUL = [
  ["a", "ptr"],
  ["b", "ptr"],
  ["c", "ptr"],
  ["batch", "u32"],
  ["m", "u32"],
  ["k", "u32"],
  ["n", "u32"],
  ["flags", "u32"],
  ["a_stride", "u32"],
  ["b_stride", "u32"],
  ["bias", "ptr"],
  ["act", "u32"],
  ["alpha", "f32"],
  ["work", "ptr"],
] as const;

/** Every conv kernel's parameters (kernels/src/conv.rs, `conv_exports!`). */
const CONV = [
  ["a", "ptr"],
  ["b", "ptr"],
  ["out", "ptr"],
  ["n", "u32"],
  ["h", "u32"],
  ["w", "u32"],
  ["cin", "u32"],
  ["oh", "u32"],
  ["ow", "u32"],
  ["cout", "u32"],
  ["kh", "u32"],
  ["kw", "u32"],
  ["sh", "u32"],
  ["sw", "u32"],
  ["dh", "u32"],
  ["dw", "u32"],
  ["top", "i32"],
  ["left", "i32"],
  ["work", "ptr"],
  ["m0", "u32"],
  ["m1", "u32"],
] as const;

const SUM_ROWS = [["x", "ptr"], ["out", "ptr"], ["rows", "u32"], ["cols", "u32"]] as const;

/** The doc of `name`'s twin for a plain memory (A broadcast by loads; gemm.ts `SPLAT_TWINS`). */
const splat = (name: string) => `${name} broadcasting A by loads, for a plain memory; same bits`;
const chainKernel = (doc: string) => ({ doc, params: CHAIN, fma: true }) as const;
const chainRef = (of: string) => ({ doc: ref(of), params: CHAIN }) as const;

/**
 * The type of {@link KERNEL_ABI}: each export's parameters, and its result and fused twin where
 * it has them (a new entry is listed here too; the compiler checks that the two agree).
 */
export type KernelAbi = {
  readonly matmul_f32_work_len: AbiEntry<readonly []> & AbiReturns<"u32">;
  readonly matmul_f32: AbiEntry<typeof MATMUL>;
  readonly matmul_f32_rows: AbiEntry<readonly [...typeof MATMUL, ...typeof PART]>;
  readonly matmul_f32_cols: AbiEntry<readonly [...typeof MATMUL, ...typeof PART]>;
  readonly matmul4x8_f32: AbiEntry<typeof MATMUL> & AbiFmaTwin;
  readonly matmul4x8_f32_rows: AbiEntry<readonly [...typeof MATMUL, ...typeof PART]> & AbiFmaTwin;
  readonly matmul4x8_f32_cols: AbiEntry<readonly [...typeof MATMUL, ...typeof PART]> & AbiFmaTwin;
  readonly matmul4x8_f32_splat: AbiEntry<typeof MATMUL> & AbiFmaTwin;
  readonly matmul_f32_ref: AbiEntry<typeof MATMUL>;
  readonly matmul_f32_fma_ref: AbiEntry<typeof MATMUL>;
  readonly conv_f32_work_len: AbiEntry<readonly []> & AbiReturns<"u32">;
  readonly conv2d_f32: AbiEntry<typeof CONV> & AbiFmaTwin;
  readonly conv2d_f32_ref: AbiEntry<typeof CONV>;
  readonly conv2d_f32_fma_ref: AbiEntry<typeof CONV>;
  readonly conv2d_backprop_filter_f32: AbiEntry<typeof CONV> & AbiFmaTwin;
  readonly conv2d_backprop_filter_f32_cols: AbiEntry<typeof CONV> & AbiFmaTwin;
  readonly conv2d_backprop_filter_f32_ref: AbiEntry<typeof CONV>;
  readonly conv2d_backprop_filter_f32_fma_ref: AbiEntry<typeof CONV>;
  readonly conv2d_backprop_input_f32: AbiEntry<typeof CONV> & AbiFmaTwin;
  readonly conv2d_backprop_input_f32_ref: AbiEntry<typeof CONV>;
  readonly conv2d_backprop_input_f32_fma_ref: AbiEntry<typeof CONV>;
  readonly adam_f32: AbiEntry<typeof ADAM>;
  readonly adam_f32_ref: AbiEntry<typeof ADAM>;
  readonly rmsprop_f32: AbiEntry<typeof RMSPROP>;
  readonly rmsprop_f32_ref: AbiEntry<typeof RMSPROP>;
  readonly sum_rows_f32: AbiEntry<typeof SUM_ROWS>;
  readonly sum_rows_f32_ref: AbiEntry<typeof SUM_ROWS>;
  readonly ema_f32: AbiEntry<typeof EMA>;
  readonly dense_chain_f32: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_f32_ref: AbiEntry<Chain>;
  readonly dense_chain_f32_fma_ref: AbiEntry<Chain>;
  readonly dense_chain_grad_f32: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_grad_f32_ref: AbiEntry<Chain>;
  readonly dense_chain_grad_f32_fma_ref: AbiEntry<Chain>;
  readonly dense_chain_weights_f32: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_weights_f32_ref: AbiEntry<Chain>;
  readonly dense_chain_weights_f32_fma_ref: AbiEntry<Chain>;
  readonly dense_chain_weight_sets_f32: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_weight_sets_f32_ref: AbiEntry<Chain>;
  readonly dense_chain_weight_sets_f32_fma_ref: AbiEntry<Chain>;
  readonly dense_chain_f32_splat: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_grad_f32_splat: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_weights_f32_splat: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_weight_sets_f32_splat: AbiEntry<Chain> & AbiFmaTwin;
  readonly dense_chain_sum_sets_f32: AbiEntry<Chain>;
  readonly dense_chain_sum_sets_f32_ref: AbiEntry<Chain>;
  readonly ema_f32_ref: AbiEntry<typeof EMA>;
  readonly fma_probe: AbiEntry<readonly [readonly ["at", "ptr"]]> & AbiFmaTwin;
  readonly peak_flops:
    & AbiEntry<
      readonly [
        readonly ["iters", "u32"],
        readonly ["scale", "f32"],
        readonly ["step", "f32"],
        readonly ["kind", "u32"],
      ]
    >
    & AbiReturns<"f32">;
  readonly peak_clock:
    & AbiEntry<readonly [readonly ["iters", "u32"], readonly ["x", "u32"], readonly ["y", "u32"]]>
    & AbiReturns<"u32">;
  readonly peak_flops_per_iter: AbiEntry<readonly []> & AbiReturns<"u32">;
};

/**
 * Every export of kernels/duel_kernels.wasm, by family (the Rust module that
 * exports it), except the build's fused twins, which `fma: true` declares.
 */
export const KERNEL_ABI: KernelAbi & ElementwiseAbi & MetricsAbi & UpdatesAbi = {
  // matmul.rs
  matmul_f32_work_len: { doc: "floats of workspace matmul_f32 needs", params: [], result: "u32" },
  matmul_f32: { doc: "C[b] = act(op(A[b]) · op(B[b]) + bias), 2 × 16 tile", params: MATMUL },
  matmul_f32_rows: { doc: "rows lo..hi of the batch's C stacked", params: [...MATMUL, ...PART] },
  matmul_f32_cols: { doc: "columns lo..hi of every C", params: [...MATMUL, ...PART] },
  matmul4x8_f32: { doc: "matmul_f32 on the 4 × 8 tile, same bits", params: MATMUL, fma: true },
  matmul4x8_f32_rows: { doc: "rows lo..hi, 4 × 8 tile", params: [...MATMUL, ...PART], fma: true },
  matmul4x8_f32_cols: { doc: "cols lo..hi, 4 × 8 tile", params: [...MATMUL, ...PART], fma: true },
  matmul4x8_f32_splat: { doc: splat("matmul4x8_f32"), params: MATMUL, fma: true },
  matmul_f32_ref: { doc: ref("matmul_f32 and matmul4x8_f32"), params: MATMUL },
  matmul_f32_fma_ref: { doc: "scalar reference of the fused matmul twins", params: MATMUL },
  // conv.rs
  conv_f32_work_len: {
    doc: "floats of workspace the conv kernels need",
    params: [],
    result: "u32",
  },
  conv2d_f32: { doc: "NHWC conv2d y = conv(x, W), output pixels m0..m1", params: CONV, fma: true },
  conv2d_f32_ref: { doc: ref("conv2d_f32"), params: CONV },
  conv2d_f32_fma_ref: { doc: "scalar reference of conv2d_f32_fma", params: CONV },
  conv2d_backprop_filter_f32: {
    doc: "dW = Conv2DBackpropFilter(x = a, dy = b), rows (ky, kx, ci) m0..m1",
    params: CONV,
    fma: true,
  },
  conv2d_backprop_filter_f32_cols: {
    doc: "the filter gradient on columns m0..m1 of dW",
    params: CONV,
    fma: true,
  },
  conv2d_backprop_filter_f32_ref: { doc: ref("conv2d_backprop_filter_f32"), params: CONV },
  conv2d_backprop_filter_f32_fma_ref: {
    doc: "scalar reference of conv2d_backprop_filter_f32_fma",
    params: CONV,
  },
  conv2d_backprop_input_f32: {
    doc: "dx = Conv2DBackpropInput(dy = a, W = b), dx pixels m0..m1",
    params: CONV,
    fma: true,
  },
  conv2d_backprop_input_f32_ref: { doc: ref("conv2d_backprop_input_f32"), params: CONV },
  conv2d_backprop_input_f32_fma_ref: {
    doc: "scalar reference of conv2d_backprop_input_f32_fma",
    params: CONV,
  },
  // optimizers.rs
  adam_f32: { doc: "Adam over n table entries [p, g, m, v, p', m', v', len]", params: ADAM },
  adam_f32_ref: { doc: ref("adam_f32"), params: ADAM },
  rmsprop_f32: {
    doc: "RMSProp over n table entries [p, g, v, buf, p', v', buf', len]",
    params: RMSPROP,
  },
  rmsprop_f32_ref: { doc: ref("rmsprop_f32"), params: RMSPROP },
  // reduce.rs
  sum_rows_f32: { doc: "column sums of a rows × cols matrix, in row order", params: SUM_ROWS },
  sum_rows_f32_ref: { doc: ref("sum_rows_f32"), params: SUM_ROWS },
  // ema.rs
  ema_f32: {
    doc: "avg = decay avg + (1 - decay) param over n entries [p, avg, avg', len]",
    params: EMA,
  },
  ema_f32_ref: { doc: ref("ema_f32"), params: EMA },
  // dense_chain.rs
  dense_chain_f32: chainKernel("a dense chain's forward pass, batch rows lo..hi"),
  dense_chain_f32_ref: chainRef("dense_chain_f32"),
  dense_chain_f32_fma_ref: chainRef("dense_chain_f32_fma"),
  dense_chain_grad_f32: chainKernel("a dense chain's every dz, batch rows lo..hi"),
  dense_chain_grad_f32_ref: chainRef("dense_chain_grad_f32"),
  dense_chain_grad_f32_fma_ref: chainRef("dense_chain_grad_f32_fma"),
  dense_chain_weights_f32: chainKernel("a dense chain's dW (stacked rows lo..hi) and db"),
  dense_chain_weights_f32_ref: chainRef("dense_chain_weights_f32"),
  dense_chain_weights_f32_fma_ref: chainRef("dense_chain_weights_f32_fma"),
  dense_chain_weight_sets_f32: chainKernel("the dW and db of each stacked batch lo..hi"),
  dense_chain_weight_sets_f32_ref: chainRef("dense_chain_weight_sets_f32"),
  dense_chain_weight_sets_f32_fma_ref: chainRef("dense_chain_weight_sets_f32_fma"),
  dense_chain_f32_splat: { doc: splat("dense_chain_f32"), params: CHAIN, fma: true },
  dense_chain_grad_f32_splat: { doc: splat("dense_chain_grad_f32"), params: CHAIN, fma: true },
  dense_chain_weights_f32_splat: {
    doc: splat("dense_chain_weights_f32"),
    params: CHAIN,
    fma: true,
  },
  dense_chain_weight_sets_f32_splat: {
    doc: splat("dense_chain_weight_sets_f32"),
    params: CHAIN,
    fma: true,
  },
  dense_chain_sum_sets_f32: {
    doc: "the stacked batches' dW and db summed (batch: the batches), stacked dW rows lo..hi",
    params: CHAIN,
  },
  dense_chain_sum_sets_f32_ref: chainRef("dense_chain_sum_sets_f32"),
  // probes.rs
  fma_probe: {
    doc: "at[0..4] = at[8..12] + at[0..4] · at[4..8]",
    params: [["at", "ptr"]],
    fma: true,
  },
  peak_flops: {
    doc: "peak-throughput probe: independent f32x4 chains",
    params: [["iters", "u32"], ["scale", "f32"], ["step", "f32"], ["kind", "u32"]],
    result: "f32",
  },
  peak_clock: {
    doc: "clock probe: 8 dependent 1-cycle integer operations per iteration",
    params: [["iters", "u32"], ["x", "u32"], ["y", "u32"]],
    result: "u32",
  },
  peak_flops_per_iter: { doc: "flops per iteration of peak_flops", params: [], result: "u32" },
  ...ELEMENTWISE_ABI,
  ...METRICS_ABI,
  ...UPDATES_ABI,
};

type Abi = typeof KERNEL_ABI;

/** One `number` per parameter of `P` (a tuple stays a tuple of that length). */
export type AbiArgs<P extends readonly unknown[]> = { -readonly [I in keyof P]: number };

/** A kernel function typed from its signature: one `number` per parameter. */
export type KernelFunction<S extends KernelSignature> = (
  ...args: AbiArgs<S["params"]>
) => S extends { readonly result: AbiType } ? number : void;

/** The exports that get a fused twin. */
export type FmaRoot = { [K in keyof Abi]: Abi[K] extends { fma: true } ? K : never }[keyof Abi];

/** A fused twin's name, `<root>_fma`. */
export type FusedTwin = `${FmaRoot}_fma`;

/**
 * The module's exports as TypeScript sees them: every entry of
 * {@link KERNEL_ABI}, and the fused twin of each `fma` entry.
 */
export type RustKernels =
  & { readonly [K in keyof Abi]: KernelFunction<Abi[K]> }
  & { readonly [K in FmaRoot as `${K}_fma`]: KernelFunction<Abi[K]> };

/**
 * The exports that get a fused twin (`<name>_fma`), in table order: what the
 * build passes to `fmaTwins` (tools/build_kernels.ts).
 */
export const FMA_ROOTS: readonly FmaRoot[] = (Object.keys(KERNEL_ABI) as (keyof Abi)[])
  .filter((name): name is FmaRoot => (KERNEL_ABI[name] as KernelSignature).fma === true);

/**
 * Every function the module exports, with its signature: the table's entries
 * and the fused twins, in table order.
 */
export function kernelExports(): Map<string, KernelSignature> {
  const all = new Map<string, KernelSignature>();
  for (const [name, sig] of Object.entries(KERNEL_ABI) as [string, KernelSignature][]) {
    all.set(name, sig);
  }
  for (const root of FMA_ROOTS) all.set(`${root}_fma`, KERNEL_ABI[root]);
  return all;
}
