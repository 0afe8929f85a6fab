/**
 * `Sum` and `Mean` over leading axes on Duel's Rust column sums
 * (kernels/src/reduce.rs): every bias gradient sums over the batch axis, and
 * batch norm's moments average over batch and pixels (NHWC); tfjs-wasm first
 * transposes the reduced axes innermost (a full copy of the tensor). Column
 * sums in row order give its bits without the transpose (`sum_rust` in
 * `KERNEL_FIXES`); `Mean` then divides by the count in f32 as the built-in
 * does (a double division rounded to f32 is correctly rounded), so its bits
 * are the built-in's too (`mean_rust`).
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import { type Info, type KernelFunc, memoryOf, offsetOf, wasmBackendOf } from "../wasm_backend.ts";
import { kernelsOn } from "./loader.ts";

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
    kernelsOn(backend).sum_rows_f32(
      offsetOf(backend, x),
      offsetOf(backend, out),
      rows,
      cols,
    );
    return out;
  };
}

/** Counts up to which every integer is an f32 (the built-in divides by `(float)count`). */
const EXACT_COUNT = 2 ** 24;

/**
 * `Mean` over the leading axes of a float32 tensor on the Rust column sums,
 * without tfjs-wasm's transpose; other cases go to the built-in.
 *
 * Inside Duel it is used as `tf.registerKernel({ kernelName: "Mean", backendName: "wasm",
 * kernelFunc: rustMean(builtin) });`.
 */
export function rustMean(builtin?: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const { leading, rows, cols, shape } = leadingReduction(x.shape, axis, keepDims);
    // Innermost reductions (cols 1) need no transpose: the built-in does them as well.
    if (
      x.dtype !== "float32" || !leading || cols <= 1 || rows > EXACT_COUNT
    ) {
      return builtin!(args);
    }
    const backend = wasmBackendOf(args);
    const out = backend.makeOutput(shape, "float32");
    const at = offsetOf(backend, out);
    // Means of nothing are NaN (0 / 0; the built-in leaves them uninitialised).
    kernelsOn(backend).sum_rows_f32(offsetOf(backend, x), at, rows, cols);
    const sums = new Float32Array(memoryOf(backend).buffer, at, cols);
    for (let j = 0; j < cols; j++) sums[j] = sums[j] / rows;
    return out;
  };
}
