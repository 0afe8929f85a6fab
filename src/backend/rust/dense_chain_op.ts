/**
 * {@link denseChain}: a chain of dense layers as one tfjs op with its own
 * gradient, on the Rust kernels of `dense_chain.ts`. The op records one tape
 * node (not ~3 per layer, each with its saved clones); its gradient runs
 * `DuelDenseChainGrad` once (every layer's `dz`) and then, only for what the
 * tape asks (tfjs asks for the input first): the input's gradient as one
 * `matMul` (the per-op path's), the weights' `dW` and `db` all in one call
 * (`fillChainWeights`). A critic's input gradient in a generator step thus
 * computes no `dW`, and a generator step's weights no input gradient.
 *
 * While a tape records the gradient itself (gradient penalties, R1, DRAGAN
 * differentiate the critic's input gradient), the gradient is computed in
 * tfjs ops instead, the forward pass recomputed from the saved input, exactly
 * the ops tfjs's autodiff runs for the per-op layers, so that it can be
 * differentiated again.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import { leakyReluGrad } from "./activations.ts";
import {
  CHAIN_ACTIVATIONS,
  type ChainActivation,
  type ChainAttrs,
  type ChainGradAttrs,
  DENSE_CHAIN_GRAD_KERNEL,
  DENSE_CHAIN_KERNEL,
  fillChainWeights,
} from "./dense_chain.ts";
import { inputKey } from "./input_keys.ts";
import type { GemmRounding } from "./gemm.ts";

/** One dense layer of a chain and the activation after it. */
export interface ChainLayer {
  /** `[in, out]`. */
  readonly kernel: tf.Tensor;
  /** `[out]`. */
  readonly bias: tf.Tensor;
  /** The activation applied after `x W + b`. */
  readonly act: ChainActivation;
  /** Leaky ReLU's slope (unused by the others). */
  readonly alpha: number;
}

type Grads = Record<string, () => tf.Tensor>;
type Save = (tensors: tf.Tensor[]) => void;

/** tfjs's engine as `customGrad` uses it: one op with a forward function and its gradient. */
interface CustomOpEngine {
  runKernelFunc(params: {
    forwardFunc: (backend: unknown, save: Save) => tf.Tensor;
    backwardsFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => Grads;
    inputs: Record<string, tf.Tensor>;
  }): tf.Tensor;
}

/**
 * `act(… act(x W0 + b0) …) Wn + bn`, … as one op on the Rust kernels, in
 * the bits of the per-op layers (tfjs's `matMul`, `add`, `relu`/`leakyRelu`,
 * and their gradients) when `rounding` is that of the matmul in force. The
 * active backend must have {@link DENSE_CHAIN_KERNEL}.
 */
export function denseChain(
  x: tf.Tensor,
  layers: readonly ChainLayer[],
  rounding: GemmRounding,
): tf.Tensor {
  const { inputs, attrs } = chainCall(x, layers, rounding);
  const engine = tf.engine() as unknown as CustomOpEngine;
  return engine.runKernelFunc({
    inputs,
    forwardFunc: (_backend, save) => {
      const namedAttrs = attrs as unknown as tf.NamedAttrMap;
      const [y, cache] = tf.engine().runKernel(
        DENSE_CHAIN_KERNEL,
        inputs,
        namedAttrs,
      ) as tf.Tensor[];
      save([x, cache]); // the cache's clone outlives this call only while a tape records
      return y;
    },
    backwardsFunc: (dy, [xSaved, cache]) =>
      tf.engine().isTapeOn()
        ? opsGradients(dy, xSaved, layers)
        : rustGradients(dy, { ...inputs, x: xSaved, cache }, attrs),
  });
}

/** What {@link chainForward} keeps for {@link chainBackward}: the input, the output, the cache. */
export interface ChainPass {
  /** The chain's input. */
  readonly x: tf.Tensor;
  /** Its output. */
  readonly y: tf.Tensor;
  /** Every layer's `z` and `h` (the forward kernel's second output). */
  readonly cache: tf.Tensor;
}

/** The kernels' inputs and attrs for `layers` (`x` first, then `w0, b0, …`). */
function chainCall(x: tf.Tensor, layers: readonly ChainLayer[], rounding: GemmRounding) {
  const inputs: Record<string, tf.Tensor> = { x };
  const acts: number[] = [], alphas: number[] = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    inputs[inputKey("w", i)] = l.kernel;
    inputs[inputKey("b", i)] = l.bias;
    acts.push(CHAIN_ACTIVATIONS[l.act]);
    alphas.push(l.alpha);
  }
  const attrs: ChainAttrs = { acts, alphas, rounding };
  return { inputs, attrs };
}

/**
 * The forward pass of {@link denseChain} as one kernel call outside any
 * tape, keeping what {@link chainBackward} needs: the same kernel, the same
 * bits. For a training step that takes its gradients without tfjs's tape
 * (`train/direct_grads.ts`).
 *
 * Inside Duel it is used as `const pass = chainForward(real, critic, rounding);`.
 */
export function chainForward(
  x: tf.Tensor,
  layers: readonly ChainLayer[],
  rounding: GemmRounding,
): ChainPass {
  const { inputs, attrs } = chainCall(x, layers, rounding);
  const namedAttrs = attrs as unknown as tf.NamedAttrMap;
  const [y, cache] = tf.engine().runKernel(DENSE_CHAIN_KERNEL, inputs, namedAttrs) as tf.Tensor[];
  return { x, y, cache };
}

/** What {@link chainBackward} computes: the input's gradient and the weights', as asked. */
export interface ChainGrads {
  /** The gradient of the chain's input (when asked for). */
  readonly x?: tf.Tensor;
  /** Per layer, the kernel's and the bias's gradient (when asked for). */
  readonly weights?: readonly { readonly kernel: tf.Tensor; readonly bias: tf.Tensor }[];
}

/**
 * The gradients of {@link denseChain} given its output's gradient `dy`,
 * outside any tape: the kernels and products the op's gradient runs on the
 * Rust kernels (every `dz`, then the input's gradient as one `matMul`
 * and the weights' all in one call, each only if asked for), so the same bits.
 * `want.weights`: `true` for every layer's, or `n` for the first `n` layers'
 * alone (a generator's, where its chain runs on into the critic's).
 *
 * Inside Duel it is used as `chainBackward(dy, pass, critic, rounding, { weights: true })`.
 */
export function chainBackward(
  dy: tf.Tensor,
  pass: ChainPass,
  layers: readonly ChainLayer[],
  rounding: GemmRounding,
  want: { readonly x?: boolean; readonly weights?: true | number },
): ChainGrads {
  const { inputs, attrs } = chainCall(pass.x, layers, rounding);
  const weighed = want.weights === true ? layers.length : want.weights ?? 0;
  const grads = rustGradients(dy, { ...inputs, cache: pass.cache }, { ...attrs, weighed });
  const weights = layers.slice(0, weighed).map((_, l) => ({
    kernel: grads[inputKey("w", l)](),
    bias: grads[inputKey("b", l)](),
  }));
  return { ...(want.x ? { x: grads.x() } : {}), ...(weighed ? { weights } : {}) };
}

/**
 * The weights' gradients of {@link denseChain} for a pass over `sets` stacked
 * batches of equal size (a critic's real and fake batches as one input),
 * outside any tape: every `dz` in one call over all the rows, then per batch
 * each layer's `dW` and `db` summed over that batch's rows alone, so each set
 * has the bits of {@link chainBackward} on that batch alone (rows never mix
 * in the forward pass or in the `dz`). With `sum`, one more set after them:
 * their sum, the last set's plus … plus the first's, in the bits of tfjs's
 * `add` (for two sets, `tf.add(second, first)`). Call inside `tf.tidy`.
 *
 * Inside Duel it is used as
 * `const [, , sums] = chainWeightSets(dy, pass, critic, rounding, 2, true);`.
 */
export function chainWeightSets(
  dy: tf.Tensor,
  pass: ChainPass,
  layers: readonly ChainLayer[],
  rounding: GemmRounding,
  sets: number,
  sum = false,
): { readonly kernel: tf.Tensor; readonly bias: tf.Tensor }[][] {
  const { inputs, attrs } = chainCall(pass.x, layers, rounding);
  const grad = { ...attrs, sets, sum };
  const all = { ...inputs, cache: pass.cache, dy };
  const named = grad as unknown as tf.NamedAttrMap;
  const outs = tf.engine().runKernel(DENSE_CHAIN_GRAD_KERNEL, all, named) as tf.Tensor[];
  fillChainWeights(all, grad, outs);
  const n = layers.length;
  return Array.from({ length: sets + (sum && sets > 1 ? 1 : 0) }, (_, s) =>
    layers.map((_, l) => {
      const at = n + 2 * n * s + 2 * l;
      return { kernel: outs[at], bias: outs[at + 1] };
    }));
}

/** The gradients on the Rust kernels: `dz` now, the rest when the tape asks for it. */
function rustGradients(
  dy: tf.Tensor,
  saved: Record<string, tf.Tensor>,
  attrs: ChainGradAttrs,
): Grads {
  const inputs = { ...saved, dy };
  const namedAttrs = attrs as unknown as tf.NamedAttrMap;
  const outs = tf.engine().runKernel(DENSE_CHAIN_GRAD_KERNEL, inputs, namedAttrs) as tf.Tensor[];
  const layers = attrs.acts.length;
  let filled = false;
  const weight = (t: tf.Tensor) => () => {
    if (!filled) fillChainWeights(inputs, attrs, outs);
    filled = true;
    return t;
  };
  const grads: Grads = { x: () => tf.matMul(outs[0], saved.w0, false, true) };
  for (let l = 0; l < layers; l++) {
    grads[inputKey("w", l)] = weight(outs[layers + 2 * l]);
    grads[inputKey("b", l)] = weight(outs[layers + 2 * l + 1]);
  }
  return grads;
}

const ACTIVATE: Record<ChainActivation, (z: tf.Tensor, alpha: number) => tf.Tensor> = {
  linear: (z) => z,
  relu: (z) => tf.relu(z),
  leaky_relu: (z, alpha) => tf.leakyRelu(z, alpha),
};

/** The gradient of each activation as tfjs's autodiff computes it (Relu's and Duel's LeakyRelu's). */
const ACTIVATION_GRAD: Record<
  ChainActivation,
  (dy: tf.Tensor, z: tf.Tensor, alpha: number) => tf.Tensor
> = {
  linear: (dy) => dy,
  relu: (dy, z) => tf.mul(dy, tf.cast(tf.step(z), "float32")),
  leaky_relu: (dy, z, alpha) => leakyReluGrad(dy, z, alpha),
};

/**
 * The gradients in tfjs ops, differentiable again: the forward pass
 * recomputed from `x`, then the ops tfjs's autodiff runs for `matMul`, `add`
 * and the activations, in its order.
 */
function opsGradients(dy: tf.Tensor, x: tf.Tensor, layers: readonly ChainLayer[]): Grads {
  const hs = [x], zs: tf.Tensor[] = [];
  for (const l of layers) {
    const z = tf.add(tf.matMul(hs[hs.length - 1], l.kernel), l.bias);
    zs.push(z);
    hs.push(ACTIVATE[l.act](z, l.alpha));
  }
  const grads: Record<string, tf.Tensor> = {};
  let g = dy;
  for (let i = layers.length - 1; i >= 0; i--) {
    const l = layers[i];
    const dz = ACTIVATION_GRAD[l.act](g, zs[i], l.alpha);
    grads[`b${i}`] = tf.reshape(tf.sum(dz, [0]), l.bias.shape);
    const dc = tf.reshape(dz, zs[i].shape);
    grads[`w${i}`] = tf.matMul(hs[i], dc, true, false);
    g = tf.matMul(dc, l.kernel, false, true);
  }
  grads.x = g;
  return Object.fromEntries(Object.entries(grads).map(([k, t]) => [k, () => t]));
}
