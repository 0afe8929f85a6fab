/**
 * The tensor types of Duel's public API. Every tfjs-core tensor satisfies
 * them; they name only what the API promises, which keeps tfjs's very large
 * type surface out of Duel's documentation. Inside Duel, cast with {@link tfjs}.
 * @module
 */
import type * as tf from "./deps/tfjs_core.ts";

/**
 * A tfjs-core tensor of any rank.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { type Tensor, useBackend } from "../mod.ts";
 * await useBackend("cpu");
 * const t: Tensor = tf.zeros([2, 3]);
 * assert.ok(t.size === 6);
 * t.dispose();
 * ```
 */
export interface Tensor {
  /** The shape, e.g. `[batch, 2]`. */
  readonly shape: readonly number[];
  /** The element type, e.g. `float32`. */
  readonly dtype: string;
  /** Number of elements. */
  readonly size: number;
  /** Frees the tensor's memory. */
  dispose(): void;
}

/** A tfjs-core variable: a named, mutable tensor (weights, optimiser slots). */
export interface Variable extends Tensor {
  /** tfjs's unique name for the variable. */
  readonly name: string;
  /** Whether gradients are taken with respect to it. */
  readonly trainable: boolean;
}

/**
 * The tfjs-core view of a tensor or variable from Duel's API.
 */
export function tfjs<T extends Tensor>(t: T): T extends Variable ? tf.Variable : tf.Tensor {
  return t as unknown as T extends Variable ? tf.Variable : tf.Tensor;
}
