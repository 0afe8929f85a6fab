/**
 * Gradient registration. tfjs-core's bundle registers none; tfjs-layers
 * registers tfjs-core's own as a side effect of being imported. Comparison
 * ops have no gradient there, which breaks second-order gradients (gradient
 * penalties differentiate through leaky ReLU's gradient, which uses
 * `Greater`); they are piecewise constant, so their gradient is zero.
 * ReLU's and leaky ReLU's gradients are replaced by ones that run as a single
 * kernel where the backend has it (`rust/activations.ts`), with the same values. Batch
 * norm's kernel (`rust/batch_norm.ts`) gets its closed-form gradient; its
 * statistics outputs carry none (they feed the running averages only).
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import "../deps/tfjs_layers.ts";
import {
  LEAKY_RELU_GRAD_KERNEL,
  leakyReluGrad,
  RELU_GRAD_KERNEL,
  reluGrad,
} from "./rust/activations.ts";
import { BATCH_NORM_KERNEL, batchNormGrad } from "./rust/batch_norm.ts";

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

// After tfjs-layers' registration (imported above), so this one is in force.
tf.registerGradient({
  kernelName: "LeakyRelu",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { alpha } = attrs as unknown as { alpha: number };
    return { x: () => leakyReluGrad(dy as tf.Tensor, x, alpha) };
  },
});

// Linear in dy, piecewise constant in x: second-order gradients (gradient penalties) need it.
tf.registerGradient({
  kernelName: LEAKY_RELU_GRAD_KERNEL,
  inputsToSave: ["x"],
  gradFunc: (ddx, saved, attrs) => {
    const [x] = saved as tf.Tensor[];
    const { alpha } = attrs as unknown as { alpha: number };
    return { dy: () => leakyReluGrad(ddx as tf.Tensor, x, alpha), x: () => tf.zerosLike(x) };
  },
});

tf.registerGradient({
  kernelName: "Relu",
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => {
    const [x] = saved as tf.Tensor[];
    return { x: () => reluGrad(dy as tf.Tensor, x) };
  },
});

// Linear in dy, piecewise constant in x (as leaky ReLU's).
tf.registerGradient({
  kernelName: RELU_GRAD_KERNEL,
  inputsToSave: ["x"],
  gradFunc: (ddx, saved) => {
    const [x] = saved as tf.Tensor[];
    return { dy: () => reluGrad(ddx as tf.Tensor, x), x: () => tf.zerosLike(x) };
  },
});

tf.registerGradient({
  kernelName: BATCH_NORM_KERNEL,
  inputsToSave: ["x", "gamma"],
  outputsToSave: [false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const [dy] = dys as tf.Tensor[];
    const [x, gamma, mean, variance] = saved as tf.Tensor[];
    const { epsilon } = attrs as unknown as { epsilon: number };
    const g = batchNormGrad(dy, x, gamma, mean, variance, epsilon);
    return { x: () => g.dx, gamma: () => g.dgamma, beta: () => g.dbeta };
  },
});
