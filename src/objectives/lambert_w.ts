/**
 * The Lambert W function where the Jeffrey divergence needs it:
 * `w = W(e^c)`, found in log space (`w + log w = c`) so that large |c|
 * neither overflows nor underflows. Scalar (float64) and tfjs versions.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";

/**
 * `W(e^c)` for any real c, in float64 (Newton's method on `w + log w = c`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lambertWExp } from "../../mod.ts";
 * assert.ok(Math.abs(lambertWExp(1) - 1) < 1e-12); // W(e) = 1
 * ```
 */
export function lambertWExp(c: number): number {
  let w = c > 1 ? c - Math.log(c) : Math.exp(c);
  for (let i = 0; i < 50; i++) {
    const step = (w + Math.log(w) - c) / (1 + 1 / w);
    w = Math.max(w - step, w / 10);
    if (Math.abs(step) <= 1e-15 * Math.max(1, w)) break;
  }
  return w;
}

/** Newton iterations used by {@link lambertWExpTf}; float32 converges in fewer. */
const ITERATIONS = 8;

/**
 * `W(e^c)` elementwise on a tensor (no gradient: callers attach their own).
 */
export function lambertWExpTf(c: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const safeC = tf.maximum(c, 1.0001);
    let w = tf.where(tf.greater(c, 1), tf.sub(safeC, tf.log(safeC)), tf.exp(tf.minimum(c, 1)));
    for (let i = 0; i < ITERATIONS; i++) {
      const step = tf.div(tf.sub(tf.add(w, tf.log(w)), c), tf.add(1, tf.reciprocal(w)));
      w = tf.maximum(tf.sub(w, step), tf.div(w, 10));
    }
    return w;
  });
}
