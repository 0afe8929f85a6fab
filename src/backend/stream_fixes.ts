/**
 * The wasm backend's replacements of kernels that stream through memory
 * (activations and their gradients, a bias per channel, reductions over
 * leading axes, batch norm) by Duel's Rust kernels, each in the built-in's
 * bits (or the composite's it replaces), the larger calls split over the
 * kernel threads (`rust/parts.ts`). Part of `KERNEL_FIXES` (`kernels.ts`),
 * which registers them and has the switches.
 * @module
 */
import type { KernelFix } from "./kernel_fix.ts";
import {
  LEAKY_RELU_GRAD_KERNEL,
  leakyReluGradKernel,
  RELU_GRAD_KERNEL,
  reluGradKernel,
  rustLeakyRelu,
  rustRelu,
  rustTanh,
} from "./rust/activations.ts";
import { rustBiasAdd } from "./rust/bias.ts";
import { rustMean, rustSum } from "./rust/reduce.ts";
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  batchNormGradKernel,
  batchNormKernel,
} from "./rust/batch_norm.ts";

/** A replacement name of {@link STREAM_FIXES}. */
export type StreamFixName =
  | "leaky_relu_grad_rust"
  | "leaky_relu_rust"
  | "relu_rust"
  | "relu_grad_rust"
  | "tanh_rust"
  | "bias_add_rust"
  | "sum_rust"
  | "mean_rust"
  | "batch_norm_rust"
  | "batch_norm_grad_rust";

/** The streaming kernels' replacements, by name. */
export const STREAM_FIXES: Readonly<Record<StreamFixName, KernelFix>> = {
  leaky_relu_grad_rust: {
    doc: "leaky ReLU's gradient as one Rust f32x4 kernel (DuelLeakyReluGrad) instead of " +
      "tfjs-wasm's slow broadcasting Greater and Select plus a Multiply; same bits",
    kernelName: LEAKY_RELU_GRAD_KERNEL,
    wrap: () => leakyReluGradKernel,
  },
  leaky_relu_rust: {
    doc: "LeakyRelu on a Rust f32x4 kernel (tfjs-wasm's runs at ~1 ns per element); same bits",
    kernelName: "LeakyRelu",
    wrap: rustLeakyRelu,
  },
  relu_rust: {
    doc: "Relu on a Rust f32x4 kernel (tfjs-wasm's XNNPACK clamp took ~2.7 ms per call on the " +
      "DCGAN generator's [64, 6272] batch in a profiled step, this ~0.1 ms); same bits",
    kernelName: "Relu",
    wrap: rustRelu,
  },
  relu_grad_rust: {
    doc: "ReLU's gradient as one Rust f32x4 kernel (DuelReluGrad) instead of tfjs's Step, " +
      "Cast and Multiply over the tensor; same bits",
    kernelName: RELU_GRAD_KERNEL,
    wrap: () => reluGradKernel,
  },
  tanh_rust: {
    doc: "Tanh on a Rust port of musl's tanhf, the libm function tfjs-wasm's Tanh calls (~24 ns " +
      "a value there); same bits",
    kernelName: "Tanh",
    wrap: rustTanh,
  },
  bias_add_rust: {
    doc: "Add of a bias per channel ([..., c] + [c]: every conv layer's bias) as a Rust f32x4 " +
      "kernel instead of tfjs-wasm's broadcasting loop; same bits",
    kernelName: "Add",
    wrap: rustBiasAdd,
  },
  sum_rust: {
    doc: "Sum over leading axes (every bias gradient) as Rust f32x4 column sums, without " +
      "tfjs-wasm's transpose; same summation order, same bits",
    kernelName: "Sum",
    wrap: rustSum,
  },
  mean_rust: {
    doc: "Mean over leading axes (batch norm's moments) as the same Rust column sums and an " +
      "f32 division, without tfjs-wasm's transpose; same bits",
    kernelName: "Mean",
    wrap: rustMean,
  },
  batch_norm_rust: {
    doc: "batch norm's forward pass as one Rust f32x4 kernel (DuelBatchNorm: statistics, " +
      "normalise, scale, shift) instead of ~6 tfjs kernels over the tensor; same bits",
    kernelName: BATCH_NORM_KERNEL,
    wrap: () => batchNormKernel,
  },
  batch_norm_grad_rust: {
    doc: "batch norm's closed-form gradient as one Rust f32x4 kernel (DuelBatchNormGrad) " +
      "instead of ~15 tfjs kernels; tfjs ops while a gradient penalty records it",
    kernelName: BATCH_NORM_GRAD_KERNEL,
    wrap: () => batchNormGradKernel,
  },
};
