/**
 * Leaky ReLU, ReLU and tanh on Duel's Rust kernels (kernels/src/activations.rs,
 * kernels/src/tanh.rs), in tfjs's bits: `Tanh` (`tanh_rust`, musl's `tanhf`),
 * `Relu` (`relu_rust`), the leaky forward pass
 * (`leaky_relu_rust`, replacing tfjs-wasm's `LeakyRelu`) and both gradients
 * as one kernel each: `DuelLeakyReluGrad` (`leaky_relu_grad_rust`) instead of
 * `Greater` + `Multiply` + `Select`, the first and last through tfjs-wasm's
 * slow broadcasting loops (~0.5 ms on a 256 × 128 batch), and `DuelReluGrad`
 * (`relu_grad_rust`) instead of `Step` + `Cast` + `Multiply`. `gradients.ts`
 * makes both gradients use the kernels where the active backend has them. On
 * the threaded build large calls are split over the kernel threads by
 * elements (`parts.ts`); every element is computed alike, so the bits never
 * depend on the split.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import {
  type Info,
  type KernelArgs,
  type KernelFunc,
  offsetOf,
  type WasmBackend,
  wasmBackendOf,
} from "../wasm_backend.ts";
import { kernelsOn } from "./loader.ts";
import { runStreamed, type StreamPart } from "./parts.ts";

/** The kernel computing leaky ReLU's gradient in one call. */
export const LEAKY_RELU_GRAD_KERNEL = "DuelLeakyReluGrad";
/** The kernel computing ReLU's gradient in one call: inputs `dy`, `x` (float32, same size). */
export const RELU_GRAD_KERNEL = "DuelReluGrad";

/**
 * An elementwise float32 kernel: `export(...pointers, len, ...scalars)` over
 * its inputs and a new output of `x`'s shape, split into `part` on the
 * kernel threads when large.
 */
function elementwise(
  backend: WasmBackend,
  inputs: Info[],
  scalars: number[],
  name: "relu_f32" | "tanh_f32" | "leaky_relu_f32" | "relu_grad_f32" | "leaky_relu_grad_f32",
): Info {
  const x = inputs[0];
  const out = backend.makeOutput([...x.shape], "float32");
  const len = tf.util.sizeFromShape(x.shape);
  if (len > 0) {
    const pointers = [...inputs.map((t) => offsetOf(backend, t)), offsetOf(backend, out)];
    const fn = kernelsOn(backend)[name] as unknown as (...args: number[]) => void;
    runStreamed(
      backend,
      `${name}_part` as StreamPart,
      [...pointers, ...scalars],
      len,
      () => fn(...pointers, len, ...scalars),
    );
  }
  return out;
}

/** A gradient kernel's float32 `dy` and `x` of one size, checked. */
function gradInputs(kernel: string, args: KernelArgs): [Info, Info] {
  const { dy, x } = args.inputs as { dy: Info; x: Info };
  const len = tf.util.sizeFromShape(x.shape);
  if (x.dtype !== "float32" || dy.dtype !== "float32" || tf.util.sizeFromShape(dy.shape) !== len) {
    throw new Error(`${kernel}: needs float32 dy and x of one size`);
  }
  return [dy, x];
}

/** `DuelLeakyReluGrad`: inputs `dy`, `x` (float32, same size); attr `alpha`. */
export function leakyReluGradKernel(args: KernelArgs): Info {
  const [dy, x] = gradInputs(LEAKY_RELU_GRAD_KERNEL, args);
  const { alpha } = args.attrs as { alpha: number };
  return elementwise(wasmBackendOf(args), [x, dy], [alpha], "leaky_relu_grad_f32");
}

/** `DuelReluGrad`: inputs `dy`, `x` (float32, same size). */
export function reluGradKernel(args: KernelArgs): Info {
  const [dy, x] = gradInputs(RELU_GRAD_KERNEL, args);
  return elementwise(wasmBackendOf(args), [x, dy], [], "relu_grad_f32");
}

/** A float32 kernel on the Rust export `name(x, out, len, ...attrs)`; other dtypes go to the built-in. */
function unaryKernel(
  name: "relu_f32" | "tanh_f32" | "leaky_relu_f32",
  attrs: (a: Record<string, unknown>) => number[] = () => [],
): (builtin?: KernelFunc) => KernelFunc {
  return (builtin) => (args) => {
    const { x } = args.inputs as { x: Info };
    if (x.dtype !== "float32") return builtin!(args);
    const scalars = attrs(args.attrs as Record<string, unknown>);
    return elementwise(wasmBackendOf(args), [x], scalars, name);
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
export const rustLeakyRelu: (builtin?: KernelFunc) => KernelFunc = unaryKernel(
  "leaky_relu_f32",
  (a) => [a.alpha as number],
);

/**
 * `Tanh` on the Rust kernel for float32 (the built-in otherwise): a port of
 * musl's `tanhf`, the libm function tfjs-wasm's own `Tanh` calls, operation for
 * operation, so the bits are the same (tests/rust_tanh_test.ts compares them
 * with the built-in's), on four lanes with every branch computed: about
 * 2.2x the built-in's speed (`bench/tanh_bench.ts`).
 */
export const rustTanh: (builtin?: KernelFunc) => KernelFunc = unaryKernel("tanh_f32");

const fusable = (dy: tf.Tensor, x: tf.Tensor, kernel: string) =>
  dy.dtype === "float32" && x.dtype === "float32" && dy.size === x.size &&
  tf.getKernel(kernel, tf.getBackend()) !== undefined;

/**
 * Leaky ReLU's gradient `dy` through `x`: `x > 0 ? dy : alpha dy`, in one
 * kernel where the active backend has {@link LEAKY_RELU_GRAD_KERNEL}, else as
 * tfjs-core computes it (`where(greater(x, 0), dy, mul(dy, alpha))`); same bits.
 */
export function leakyReluGrad(dy: tf.Tensor, x: tf.Tensor, alpha: number): tf.Tensor {
  if (!fusable(dy, x, LEAKY_RELU_GRAD_KERNEL)) {
    return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
  }
  const attrs = { alpha } as unknown as tf.NamedAttrMap;
  return tf.engine().runKernel(LEAKY_RELU_GRAD_KERNEL, { dy, x }, attrs) as tf.Tensor;
}

/**
 * ReLU's gradient `dy` through `x`: `dy · step(x)` (`step` is 1 for x > 0,
 * NaN for NaN x, else 0), in one kernel where the active backend has
 * {@link RELU_GRAD_KERNEL}, else as tfjs-core computes it
 * (`mul(dy, cast(step(x), "float32"))`); same bits.
 */
export function reluGrad(dy: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (!fusable(dy, x, RELU_GRAD_KERNEL)) return tf.mul(dy, tf.cast(tf.step(x), "float32"));
  return tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor;
}
