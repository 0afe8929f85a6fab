/**
 * Normalisation and dropout: the layers whose behaviour depends on the
 * training/evaluation mode (see `ApplyMode`).
 *
 * Batch norm follows PyTorch's BatchNorm: training steps normalise with the
 * batch's statistics (biased variance) and update running averages
 * `running = (1 - momentum) running + momentum batch` (unbiased variance);
 * evaluation (sampling, measurements) normalises with the running averages.
 * PyTorch's DCGAN example never calls `.eval()`, so its samples use batch
 * statistics: `eval_stats: batch` reproduces that.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { type Field, num, oneOf } from "../fields.ts";
import { batchNorm } from "../backend/rust/batch_norm.ts";
import { defineLayer, type LayerKind, named, ownedVariable, shapeError } from "./layer_kind.ts";

const epsilon = num("added to the variance before the square root", { gt: 0, default: 1e-5 });

/** The type of {@link NORM_LAYERS}: each layer with its keys (a new entry is listed here too). */
export type NormLayers = {
  readonly batch_norm: LayerKind<{
    momentum: Field<number>;
    epsilon: Field<number>;
    eval_stats: Field<"running" | "batch">;
  }>;
  readonly layer_norm: LayerKind<{ epsilon: Field<number> }>;
  readonly dropout: LayerKind<{ rate: Field<number> }>;
};

/**
 * Every normalisation/regularisation layer, by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LAYERS } from "../../mod.ts";
 * // LAYERS, the public table of every layer, holds these entries.
 * assert.ok(LAYERS.batch_norm.doc.length > 0);
 * ```
 */
export const NORM_LAYERS: NormLayers = {
  batch_norm: defineLayer({
    doc: "batch normalisation over every axis but the last (channels), PyTorch's BatchNorm: " +
      "batch statistics in training steps, running averages (kept in checkpoints) for " +
      "evaluation; scale 1 and offset 0 at the start",
    params: {
      momentum: num(
        "weight of the batch in the running averages (PyTorch's convention; Keras' is 1 minus it)",
        { gt: 0, max: 1, default: 0.1 },
      ),
      epsilon,
      eval_stats: oneOf(
        "statistics used outside training: `running` averages (PyTorch's eval mode) or each " +
          "evaluation `batch`'s own (what PyTorch's DCGAN example does)",
        ["running", "batch"],
        "running",
      ),
    },
    outShape: (_p, inShape) => inShape,
    build(p, inShape, ctx) {
      const c = inShape[inShape.length - 1];
      const gamma = ownedVariable(tf.ones([c])), beta = ownedVariable(tf.zeros([c]));
      const runningMean = ownedVariable(tf.zeros([c]), false);
      const runningVar = ownedVariable(tf.ones([c]), false);
      return {
        apply(input, mode) {
          const x = input as tf.Tensor;
          if (!mode.training && p.eval_stats === "running") {
            const scale = tf.mul(tf.rsqrt(tf.add(runningVar, p.epsilon)), gamma);
            return tf.add(tf.mul(tf.sub(x, runningMean), scale), beta);
          }
          const { y, mean, variance } = batchNorm(x, gamma, beta, p.epsilon);
          if (mode.training) {
            const count = x.size / c;
            const m = p.momentum;
            runningMean.assign(tf.add(tf.mul(1 - m, runningMean), tf.mul(m, mean)));
            const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
            runningVar.assign(tf.add(tf.mul(1 - m, runningVar), tf.mul(m, unbiased)));
          }
          return y;
        },
        params: named(ctx.prefix, { gamma, beta }),
        state: named(ctx.prefix, { running_mean: runningMean, running_var: runningVar }),
        outShape: inShape,
      };
    },
  }),
  layer_norm: defineLayer({
    doc: "layer normalisation over each whole example, with a scale and offset per value " +
      "(PyTorch's LayerNorm(example shape)); the same in training and evaluation",
    params: { epsilon },
    outShape: (_p, inShape) => inShape,
    build(p, inShape, ctx) {
      const gamma = ownedVariable(tf.ones([...inShape])),
        beta = ownedVariable(tf.zeros([...inShape]));
      return {
        apply(input) {
          const x = input as tf.Tensor;
          const axes = Array.from({ length: x.rank - 1 }, (_, i) => i + 1);
          const { mean, variance } = tf.moments(x, axes, true);
          const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, p.epsilon)));
          return tf.add(tf.mul(normalized, gamma), beta);
        },
        params: named(ctx.prefix, { gamma, beta }),
        outShape: inShape,
      };
    },
  }),
  dropout: defineLayer({
    doc: "in training steps, zero each value with probability rate and scale the rest by " +
      "1 / (1 - rate); the identity in evaluation. Masks come from the seeded `dropout` stream",
    params: { rate: num("probability of zeroing a value", { min: 0, lt: 1, default: 0.5 }) },
    outShape: (_p, inShape, path, from) => {
      if (inShape.length === 0) throw shapeError(path, "dropout needs an input", from, inShape);
      return inShape;
    },
    build(p, inShape) {
      return {
        apply(input, mode) {
          const x = input as tf.Tensor;
          if (!mode.training || p.rate === 0) return x;
          if (!mode.rng) throw new Error("dropout in training mode needs a random stream");
          const keep = 1 / (1 - p.rate);
          const mask = mode.rng.fillUniform(new Float32Array(x.size))
            .map((u) => (u < p.rate ? 0 : keep));
          return tf.mul(x, tf.tensor(mask, x.shape));
        },
        params: [],
        outShape: inShape,
      };
    },
  }),
};
