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

/**
 * `Sum` over the leading axes of a float32 tensor (a bias gradient: the batch
 * axis) on the Rust kernel, without tfjs-wasm's transpose; other cases go to
 * the built-in.
 */
export function rustSum(builtin?: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    // In this order only: tfjs-wasm sums in the order the axes are given ([1, 0] is another order).
    const axes = tf.util.parseAxisParam(axis, x.shape);
    const leading = axes.every((a, i) => a === i);
    const cols = tf.util.sizeFromShape(x.shape.slice(axes.length));
    const rows = tf.util.sizeFromShape(x.shape.slice(0, axes.length));
    // Innermost reductions (cols 1) need no transpose: the built-in does them as well. Empty
    // ones come here: the built-in leaves their output uninitialised (sums of nothing are 0).
    if (x.dtype !== "float32" || !leading || cols === 0 || (cols === 1 && rows > 0)) {
      return builtin!(args);
    }
    const backend = wasmBackendOf(args);
    const shape = keepDims
      ? x.shape.map((d, i) => (i < axes.length ? 1 : d))
      : x.shape.slice(axes.length);
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
