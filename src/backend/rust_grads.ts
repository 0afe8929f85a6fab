/**
 * Backward-pass kernels on Duel's Rust kernels (kernels/src/grads.rs), for
 * what tfjs-wasm runs slowly in a small dense GAN's step: leaky ReLU's
 * gradient as one kernel (`DuelLeakyReluGrad`, instead of `Greater` +
 * `Multiply` + `Select`, ~0.5 ms on a 256 × 128 batch) and `Sum` over
 * leading axes (every bias gradient) without tfjs-wasm's transpose. Both give
 * the tfjs formulation's bits. Registered by `KERNEL_FIXES`
 * (`leaky_relu_grad_rust`, `sum_rust`); `gradients.ts` makes leaky ReLU's
 * gradient use the kernel where the active backend has it.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { rustKernels } from "./rust_kernels.ts";

type KernelFunc = tf.KernelConfig["kernelFunc"];
type KernelArgs = Parameters<KernelFunc>[0];
type Info = tf.TensorInfo;

/** The backward-pass exports of duel_kernels.wasm (pointers are byte offsets). */
export interface GradKernels {
  /** `out = x > 0 ? dy : alpha dy` over `len` floats. */
  leaky_relu_grad_f32(x: number, dy: number, out: number, len: number, alpha: number): void;
  /** Scalar reference of `leaky_relu_grad_f32` (same bits). */
  leaky_relu_grad_f32_ref: GradKernels["leaky_relu_grad_f32"];
  /** Column sums of a row-major `rows × cols` matrix, each in row order from 0. */
  sum_rows_f32(x: number, out: number, rows: number, cols: number): void;
  /** Scalar reference of `sum_rows_f32` (same bits). */
  sum_rows_f32_ref: GradKernels["sum_rows_f32"];
}

/** The kernel computing leaky ReLU's gradient in one call. */
export const LEAKY_RELU_GRAD_KERNEL = "DuelLeakyReluGrad";

/** What these kernels use of a tfjs wasm backend. */
interface WasmBackend {
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  wasm: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
}

const bound = new WeakMap<object, GradKernels>();

function kernelsOf(backend: WasmBackend): GradKernels {
  let k = bound.get(backend);
  if (!k) {
    const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
    if (!memory) throw new Error("rust grads: cannot find the wasm backend's memory");
    k = rustKernels(memory) as unknown as GradKernels;
    bound.set(backend, k);
  }
  return k;
}

const at = (backend: WasmBackend, t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;

/** `DuelLeakyReluGrad`: inputs `dy`, `x` (float32, same size); attr `alpha`. */
export function leakyReluGradKernel(args: KernelArgs): Info {
  const backend = args.backend as unknown as WasmBackend;
  const { dy, x } = args.inputs as { dy: Info; x: Info };
  const { alpha } = args.attrs as { alpha: number };
  const len = tf.util.sizeFromShape(x.shape);
  if (x.dtype !== "float32" || dy.dtype !== "float32" || tf.util.sizeFromShape(dy.shape) !== len) {
    throw new Error(`${LEAKY_RELU_GRAD_KERNEL}: needs float32 dy and x of one size`);
  }
  const out = backend.makeOutput([...x.shape], "float32");
  if (len > 0) {
    kernelsOf(backend).leaky_relu_grad_f32(
      at(backend, x),
      at(backend, dy),
      at(backend, out),
      len,
      alpha,
    );
  }
  return out;
}

/**
 * Leaky ReLU's gradient `dy` through `x`: `x > 0 ? dy : alpha dy`, in one
 * kernel where the active backend has {@link LEAKY_RELU_GRAD_KERNEL}, else as
 * tfjs-core computes it (`where(greater(x, 0), dy, mul(dy, alpha))`); same bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { useBackend } from "./tfjs.ts";
 * import { leakyReluGrad } from "./rust_grads.ts";
 * await useBackend("wasm");
 * const g = leakyReluGrad(tf.tensor1d([2, 2]), tf.tensor1d([1, -1]), 0.25);
 * assert.deepEqual([...g.dataSync()], [2, 0.5]);
 * ```
 */
export function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  const fused = dy.dtype === "float32" && x.dtype === "float32" && dy.size === x.size &&
    tf.getKernel(LEAKY_RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
  if (!fused) return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
  const attrs = { alpha } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy, x }, attrs) as tf.Tensor;
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
    const backend = args.backend as unknown as WasmBackend;
    const shape = keepDims
      ? x.shape.map((d, i) => (i < axes.length ? 1 : d))
      : x.shape.slice(axes.length);
    const out = backend.makeOutput(shape, "float32");
    kernelsOf(backend).sum_rows_f32(at(backend, x), at(backend, out), rows, cols);
    return out;
  };
}
