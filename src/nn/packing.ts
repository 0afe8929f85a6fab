/**
 * Packing (PacGAN, Lin et al. 2018): the critic judges m samples at once,
 * concatenated along the feature axis (the channel axis for images), so its
 * input is m times as wide. Real and generated batches are each grouped into
 * packs of m consecutive examples.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";

/**
 * The shape of one pack of `m` examples of `shape`: the last axis (features,
 * or channels for images) times `m`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packedShape } from "../../mod.ts";
 * assert.deepEqual(packedShape([2], 3), [6]);
 * assert.deepEqual(packedShape([28, 28, 1], 2), [28, 28, 2]);
 * ```
 */
export function packedShape(shape: readonly number[], m: number): number[] {
  return [...shape.slice(0, -1), shape[shape.length - 1] * m];
}

/**
 * Groups a batch `[n * m, ...shape]` into `n` packs `[n, ...packedShape]`:
 * pack i holds examples i m .. i m + m - 1, concatenated along the last axis
 * (example i m's values first). `m = 1` returns `x` itself. For instance
 * rows [1, 2], [3, 4], [5, 6], [7, 8] in packs of 2 are [1, 2, 3, 4], [5, 6, 7, 8].
 */
export function pack(x: tf.Tensor, m: number): tf.Tensor {
  if (m === 1) return x;
  const [count, ...shape] = x.shape;
  if (count % m !== 0) throw new Error(`pack: ${count} examples are not packs of ${m}`);
  const n = count / m;
  const last = shape.length; // the feature axis once m is an axis of its own
  const grouped = tf.reshape(x, [n, m, ...shape]);
  // Move m next to the feature axis: [n, ...spatial, m, features].
  const perm = [0, ...shape.slice(0, -1).map((_, i) => i + 2), 1, last + 1];
  return tf.reshape(tf.transpose(grouped, perm), [n, ...packedShape(shape, m)]);
}
