/**
 * `Mean` over leading axes (batch norm's moments over batch and pixels, NHWC) on
 * the Rust column sums of `rust_reduce.ts` (kernels/src/reduce.rs): tfjs-wasm
 * first transposes the reduced axes innermost (a full copy of the tensor), then
 * sums each row from 0 and divides by the count in f32. The column sums run in
 * the same order without the transpose, and the division is the same f32
 * division (a double division rounded to f32 is correctly rounded), so the bits
 * are the built-in's (`mean_rust` in `KERNEL_FIXES`).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { kernelsOn, memoryOf, offsetOf, wasmBackendOf } from "./wasm_backend.ts";
import { leadingReduction, type ReduceKernels } from "./rust_reduce.ts";

type KernelFunc = tf.KernelConfig["kernelFunc"];
type Info = tf.TensorInfo;

/** Counts up to which every integer is an f32 (the built-in divides by `(float)count`). */
const EXACT_COUNT = 2 ** 24;

/**
 * `Mean` over the leading axes of a float32 tensor on the Rust column sums,
 * without tfjs-wasm's transpose; other cases go to the built-in.
 *
 * @example
 * ```ts ignore
 * tf.registerKernel({ kernelName: "Mean", backendName: "wasm", kernelFunc: rustMean(builtin) });
 * ```
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
    kernelsOn<ReduceKernels>(backend).sum_rows_f32(offsetOf(backend, x), at, rows, cols);
    const sums = new Float32Array(memoryOf(backend).buffer, at, cols);
    for (let j = 0; j < cols; j++) sums[j] = sums[j] / rows;
    return out;
  };
}
