/**
 * Gradient registration. tfjs-core's bundle registers none; tfjs-layers
 * registers tfjs-core's own as a side effect of being imported. Comparison
 * ops have no gradient there, which breaks second-order gradients (gradient
 * penalties differentiate through leaky ReLU's gradient, which uses
 * `Greater`); they are piecewise constant, so their gradient is zero.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";

/** Comparison kernels given a zero gradient here. */
export const ZERO_GRADIENT_KERNELS = ["Greater", "Less", "LessEqual", "Equal", "NotEqual"] as const;

for (const kernelName of ZERO_GRADIENT_KERNELS) {
  if (tf.getGradient(kernelName)) continue;
  tf.registerGradient({
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (_dy, saved) => {
      const [a, b] = saved as tf.Tensor[];
      return { a: () => tf.zerosLike(a), b: () => tf.zerosLike(b) };
    },
  });
}
