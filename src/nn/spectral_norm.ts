/**
 * Spectral normalisation (Miyato et al. 2018): W / sigma(W), sigma the
 * largest singular value, estimated by one power iteration per application
 * with a persistent vector u; u and v are constants for the gradient.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { Rng } from "../rng.ts";
import { ownedVariable } from "./layer_kind.ts";

/** Identity whose gradient is zero (tfjs has no stop_gradient). */
const stopGradient = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

const normalize = (x: tf.Tensor) => tf.div(x, tf.add(tf.norm(x), 1e-12));

/** The power-iteration vector for a `[fanIn, units]` kernel, drawn from `rng`. */
export function powerIterationVector(rng: Rng, units: number): tf.Variable {
  const u = rng.fillNormal(new Float32Array(units));
  const n = Math.hypot(...u);
  return ownedVariable(tf.tensor2d(u.map((x) => x / n), [units, 1]), false);
}

/**
 * `kernel / sigma(kernel)` for a `[fanIn, units]` kernel, advancing `u` by
 * one power iteration (a side effect, as in the reference implementation)
 * unless `update` is false (evaluation: sigma from the stored `u`, as
 * PyTorch's `spectral_norm` does in eval mode).
 */
export function spectralNormalize(kernel: tf.Tensor, u: tf.Variable, update = true): tf.Tensor {
  const w = kernel as tf.Tensor2D;
  const wConst = stopGradient(w) as tf.Tensor2D;
  const v = normalize(tf.matMul(wConst, u as tf.Tensor2D)); // [fanIn, 1]
  const uNext = update ? normalize(tf.matMul(wConst, v as tf.Tensor2D, true, false)) : u; // [units, 1]
  if (update) u.assign(uNext as tf.Tensor2D);
  const sigma = tf.sum(
    tf.mul(
      tf.matMul(stopGradient(v) as tf.Tensor2D, w, true, false),
      tf.transpose(stopGradient(uNext)),
    ),
  );
  return tf.div(w, sigma);
}
