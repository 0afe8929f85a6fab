/**
 * `Sum` over leading axes on Duel's Rust kernels (kernels/src/reduce.rs):
 * every bias gradient sums over the batch axis, which tfjs-wasm first
 * transposes innermost. Column sums in row order give its bits without the
 * transpose (`sum_rust` in `KERNEL_FIXES`).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { kernelsOn, offsetOf, wasmBackendOf } from "./wasm_backend.ts";

type KernelFunc = tf.KernelConfig["kernelFunc"];
type Info = tf.TensorInfo;

/** The reduction exports of duel_kernels.wasm (pointers are byte offsets). */
export interface ReduceKernels {
  /** Column sums of a row-major `rows × cols` matrix, each in row order from 0. */
  sum_rows_f32(x: number, out: number, rows: number, cols: number): void;
  /** Scalar reference of `sum_rows_f32` (same bits). */
  sum_rows_f32_ref: ReduceKernels["sum_rows_f32"];
}

/** A reduction over a tensor's leading axes as a `rows × cols` column sum. */
export interface LeadingReduction {
  /** Whether the reduced axes are exactly 0, 1, ..., in that order. */
  readonly leading: boolean;
  /** Elements summed into each output (the reduced axes' size). */
  readonly rows: number;
  /** Outputs (the kept axes' size). */
  readonly cols: number;
  /** The output shape, with `keepDims` honoured. */
  readonly shape: number[];
}

/**
 * How `Sum` / `Mean` of `x` over `axis` maps onto column sums. Only the axes
 * 0, 1, ... in this order qualify: tfjs-wasm reduces in the order the axes are
 * given ([1, 0] is another order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { leadingReduction } from "./rust_reduce.ts";
 * const r = leadingReduction([4, 3, 2], [0, 1], true);
 * assert.deepEqual(r, { leading: true, rows: 12, cols: 2, shape: [1, 1, 2] });
 * assert.equal(leadingReduction([4, 3], [1, 0], false).leading, false);
 * ```
 */
export function leadingReduction(
  shape: readonly number[],
  axis: number | number[],
  keepDims: boolean,
): LeadingReduction {
  const axes = tf.util.parseAxisParam(axis, [...shape]);
  return {
    leading: axes.every((a, i) => a === i),
    rows: tf.util.sizeFromShape(shape.slice(0, axes.length)),
    cols: tf.util.sizeFromShape(shape.slice(axes.length)),
    shape: keepDims ? shape.map((d, i) => (i < axes.length ? 1 : d)) : shape.slice(axes.length),
  };
}

/**
 * `Sum` over the leading axes of a float32 tensor (a bias gradient: the batch
 * axis) on the Rust kernel, without tfjs-wasm's transpose; other cases go to
 * the built-in.
 */
export function rustSum(builtin?: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const { leading, rows, cols, shape } = leadingReduction(x.shape, axis, keepDims);
    // Innermost reductions (cols 1) need no transpose: the built-in does them as well. Empty
    // ones come here: the built-in leaves their output uninitialised (sums of nothing are 0).
    if (x.dtype !== "float32" || !leading || cols === 0 || (cols === 1 && rows > 0)) {
      return builtin!(args);
    }
    const backend = wasmBackendOf(args);
    const out = backend.makeOutput(shape, "float32");
    kernelsOn<ReduceKernels>(backend).sum_rows_f32(
      offsetOf(backend, x),
      offsetOf(backend, out),
      rows,
      cols,
    );
    return out;
  };
}
