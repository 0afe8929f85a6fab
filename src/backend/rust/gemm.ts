/**
 * The GEMM kernels' two roundings (kernels/src/gemm.rs, gemm/, is the packed GEMM the
 * matmul and conv families share): plain `f32x4.mul` + `f32x4.add`, or the
 * build's fused multiply-add twins (`tools/fma_twins.ts`), and which export
 * computes each GEMM with each.
 * @module
 */
import type { FusedTwin, RustKernels } from "./abi.ts";

/**
 * How the GEMM kernels (matmul and conv) round each term's multiply-add. The
 * fused forms are the build's `_fma` twins (`tools/fma_twins.ts`); the fused
 * matmul runs on the `4 × 8` micro-tile (`matmul4x8_f32_fma`), the faster one
 * fused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GEMM_ROUNDINGS } from "../../../mod.ts";
 * assert.deepEqual(Object.keys(GEMM_ROUNDINGS), ["plain", "fused"]);
 * ```
 */
export const GEMM_ROUNDINGS = {
  plain: "a rounded multiply, then a rounded add (f32x4.mul, f32x4.add): tfjs-wasm's bits",
  fused: "rounded once (f32x4.relaxed_madd): fused where the host has FMA, 10-13% faster",
} as const;

/** A key of {@link GEMM_ROUNDINGS}. */
export type GemmRounding = keyof typeof GEMM_ROUNDINGS;

/**
 * Each GEMM export by its plain name, as the kernels call it, and its fused
 * twin (the matmul's on the `4 × 8` tile): a table, so that kernel calls look
 * names up rather than build them. The build makes a twin for each
 * (`fma: true` in `KERNEL_ABI`, checked by tests/kernels_abi_test.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FUSED_EXPORTS } from "../../../mod.ts";
 * assert.equal(FUSED_EXPORTS.conv2d_f32, "conv2d_f32_fma");
 * ```
 */
export const FUSED_EXPORTS = {
  matmul_f32: "matmul4x8_f32_fma",
  matmul_f32_rows: "matmul4x8_f32_rows_fma",
  matmul_f32_cols: "matmul4x8_f32_cols_fma",
  conv2d_f32: "conv2d_f32_fma",
  conv2d_backprop_filter_f32: "conv2d_backprop_filter_f32_fma",
  conv2d_backprop_filter_f32_cols: "conv2d_backprop_filter_f32_cols_fma",
  conv2d_backprop_input_f32: "conv2d_backprop_input_f32_fma",
  dense_chain_f32: "dense_chain_f32_fma",
  dense_chain_grad_f32: "dense_chain_grad_f32_fma",
  dense_chain_weights_f32: "dense_chain_weights_f32_fma",
  dense_chain_weight_sets_f32: "dense_chain_weight_sets_f32_fma",
} as const satisfies Record<string, FusedTwin>;

/** A GEMM export by its plain name, as the kernels call it. */
export type GemmExport = keyof typeof FUSED_EXPORTS;

/**
 * The export computing `name` with `rounding`: `name` itself when plain; else
 * its fused twin (the matmul's on the `4 × 8` tile).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gemmExport } from "../../../mod.ts";
 * assert.equal(gemmExport("matmul_f32_rows", "plain"), "matmul_f32_rows");
 * assert.equal(gemmExport("matmul_f32_rows", "fused"), "matmul4x8_f32_rows_fma");
 * assert.equal(gemmExport("conv2d_f32", "fused"), "conv2d_f32_fma");
 * ```
 */
export function gemmExport<N extends GemmExport>(
  name: N,
  rounding: GemmRounding,
): N | (typeof FUSED_EXPORTS)[N] {
  return rounding === "plain" ? name : FUSED_EXPORTS[name];
}

/**
 * The GEMM exports whose `4 × 8` tile has a twin for a plain (unshared) memory,
 * and that twin: it broadcasts A's values by loads (`v128.load32_splat`)
 * instead of lane shuffles, in the same bits. On a plain memory V8 keeps the
 * memory's size in a register for its bounds checks, and the shuffles no
 * longer take vector pipes from the multiply-adds: one-thread training steps
 * 2-4% faster (toy2d and ring8, `bench/kernels_step_ab.ts`, AMD Zen 5). On
 * tfjs's threaded build (a shared memory) every check rereads the size, and
 * the shuffles' fewer loads win by 10-15%, so the originals stay there. The
 * kernels bound to a plain memory call the twins in the originals' place
 * ({@link onPlainMemory}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SPLAT_TWINS } from "../../../mod.ts";
 * assert.equal(SPLAT_TWINS.dense_chain_f32_fma, "dense_chain_f32_splat_fma");
 * ```
 */
export const SPLAT_TWINS = {
  matmul4x8_f32: "matmul4x8_f32_splat",
  matmul4x8_f32_fma: "matmul4x8_f32_splat_fma",
  dense_chain_f32: "dense_chain_f32_splat",
  dense_chain_f32_fma: "dense_chain_f32_splat_fma",
  dense_chain_grad_f32: "dense_chain_grad_f32_splat",
  dense_chain_grad_f32_fma: "dense_chain_grad_f32_splat_fma",
  dense_chain_weights_f32: "dense_chain_weights_f32_splat",
  dense_chain_weights_f32_fma: "dense_chain_weights_f32_splat_fma",
  dense_chain_weight_sets_f32: "dense_chain_weight_sets_f32_splat",
  dense_chain_weight_sets_f32_fma: "dense_chain_weight_sets_f32_splat_fma",
} as const satisfies Partial<Record<keyof RustKernels, keyof RustKernels>>;

/**
 * `kernels` with each export of {@link SPLAT_TWINS} replaced by its twin: what
 * the kernels bound to a plain memory run (same bits, faster there).
 *
 * Inside Duel it is used as `const kernels = shared ? raw : onPlainMemory(raw);`.
 */
export function onPlainMemory(kernels: RustKernels): RustKernels {
  const twins = Object.entries(SPLAT_TWINS).map(([from, to]) => [from, kernels[to]]);
  return { ...kernels, ...Object.fromEntries(twins) };
}
