/**
 * Leaky ReLU, ReLU and tanh on Duel's Rust kernels (kernels/src/activations.rs,
 * kernels/src/tanh.rs), in tfjs's bits: `Tanh` (`tanh_rust`, musl's `tanhf`),
 * `Relu` (`relu_rust`), the leaky forward pass
 * (`leaky_relu_rust`, replacing tfjs-wasm's `LeakyRelu`) and the leaky
 * gradient as one kernel (`DuelLeakyReluGrad`,
 * `leaky_relu_grad_rust`) instead of `Greater` + `Multiply` + `Select`, the
 * first and last through tfjs-wasm's slow broadcasting loops (~0.5 ms on a
 * 256 × 128 batch). `gradients.ts` makes leaky ReLU's gradient use the kernel
 * where the active backend has it.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import {
  type Info,
  type KernelArgs,
  type KernelFunc,
  offsetOf,
  wasmBackendOf,
} from "../wasm_backend.ts";
import { kernelsOn } from "./loader.ts";

/** The kernel computing leaky ReLU's gradient in one call. */
export const LEAKY_RELU_GRAD_KERNEL = "DuelLeakyReluGrad";

/** `DuelLeakyReluGrad`: inputs `dy`, `x` (float32, same size); attr `alpha`. */
export function leakyReluGradKernel(args: KernelArgs): Info {
  const backend = wasmBackendOf(args);
  const { dy, x } = args.inputs as { dy: Info; x: Info };
  const { alpha } = args.attrs as { alpha: number };
  const len = tf.util.sizeFromShape(x.shape);
  if (x.dtype !== "float32" || dy.dtype !== "float32" || tf.util.sizeFromShape(dy.shape) !== len) {
    throw new Error(`${LEAKY_RELU_GRAD_KERNEL}: needs float32 dy and x of one size`);
  }
  const out = backend.makeOutput([...x.shape], "float32");
  if (len > 0) {
    const at = (t: Info) => offsetOf(backend, t);
    kernelsOn(backend).leaky_relu_grad_f32(at(x), at(dy), at(out), len, alpha);
  }
  return out;
}

/** A one-input float32 kernel on the Rust export `name(x, out, len)`; other dtypes go to the built-in. */
function unaryKernel(name: "relu_f32" | "tanh_f32"): (builtin?: KernelFunc) => KernelFunc {
  return (builtin) => (args) => {
    const { x } = args.inputs as { x: Info };
    if (x.dtype !== "float32") return builtin!(args);
    const backend = wasmBackendOf(args);
    const out = backend.makeOutput([...x.shape], "float32");
    const len = tf.util.sizeFromShape(x.shape);
    if (len > 0) kernelsOn(backend)[name](offsetOf(backend, x), offsetOf(backend, out), len);
    return out;
  };
}

/**
 * `Relu` on the Rust kernel for float32 (the built-in otherwise), in
 * tfjs-wasm's bits: values whose sign bit is set (negatives, -0, NaNs with
 * the sign) become +0. In a profiled DCGAN step tfjs-wasm's XNNPACK clamp took
 * ~2.7 ms per call on the generator's `[64, 6272]` batch, this kernel ~0.1 ms;
 * whole steps side by side gained 2-3% on the fastest step, nothing on the median.
 */
export const rustRelu: (builtin?: KernelFunc) => KernelFunc = unaryKernel("relu_f32");

/** `LeakyRelu` on the Rust kernel for float32 (the built-in otherwise). */
export function rustLeakyRelu(builtin?: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: Info };
    if (x.dtype !== "float32") return builtin!(args);
    const backend = wasmBackendOf(args);
    const { alpha } = args.attrs as { alpha: number };
    const out = backend.makeOutput([...x.shape], "float32");
    const len = tf.util.sizeFromShape(x.shape);
    if (len > 0) {
      const at = (t: Info) => offsetOf(backend, t);
      kernelsOn(backend).leaky_relu_f32(at(x), at(out), len, alpha);
    }
    return out;
  };
}

/**
 * `Tanh` on the Rust kernel for float32 (the built-in otherwise): a port of
 * musl's `tanhf`, the libm function tfjs-wasm's own `Tanh` calls, operation for
 * operation, so the bits are the same (tests/rust_tanh_test.ts compares them
 * with the built-in's), on four lanes with every branch computed: about
 * 2.2x the built-in's speed (`bench/tanh_bench.ts`).
 */
export const rustTanh: (builtin?: KernelFunc) => KernelFunc = unaryKernel("tanh_f32");

/**
 * Leaky ReLU's gradient `dy` through `x`: `x > 0 ? dy : alpha dy`, in one
 * kernel where the active backend has {@link LEAKY_RELU_GRAD_KERNEL}, else as
 * tfjs-core computes it (`where(greater(x, 0), dy, mul(dy, alpha))`); same bits.
 */
export function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  const fused = dy.dtype === "float32" && x.dtype === "float32" && dy.size === x.size &&
    tf.getKernel(LEAKY_RELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
  if (!fused) return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
  const attrs = { alpha } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy, x }, attrs) as tf.Tensor;
}
