/**
 * Probes of a trainer's players for the views of a run: the critic's output
 * at given points and the generator loss's pull on given samples. Both run
 * in evaluation mode, draw no random numbers and change no state, so a run
 * that is probed gives the same numbers as one that is not.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { EVAL_MODE } from "../nn/layers.ts";
import { OBJECTIVES } from "../objectives/objectives.ts";
import { tfjs } from "../tensor.ts";
import type { Trainer } from "./trainer.ts";

type Objective = (typeof OBJECTIVES)["least_squares"];

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * The critic at each example of `x`: with packing (m > 1), at the pack of m
 * copies of it (the critic's view of a generator that always gives x).
 */
function criticOf(trainer: Trainer, x: tf.Tensor): tf.Tensor {
  const m = trainer.config.discriminator.packing ?? 1;
  const input = m === 1 ? x : tf.tile(x, x.shape.map((_, i) => i === x.rank - 1 ? m : 1));
  return tfjs(trainer.discriminator.apply(input, EVAL_MODE));
}

/**
 * The critic's raw outputs (logits) at `points` (row-major `[n, ...shape]`),
 * from one batched forward pass (a packing critic sees m copies of each point).
 */
export function criticAt(trainer: Trainer, points: Float32Array): Float32Array {
  const shape = trainer.data.shape;
  const out = tf.tidy(() =>
    criticOf(trainer, tf.tensor(points, [points.length / sizeOf(shape), ...shape]))
  );
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

/**
 * For each of `samples` (row-major `[n, ...shape]`), the direction in which
 * the generator's loss would move it: minus the gradient of that loss with
 * respect to the sample, from one backward pass through the critic. `real`
 * (same layout) feeds the relativistic losses, which compare with real logits.
 * A packing critic sees m copies of each sample, as in {@link criticAt}.
 */
export function generatorPull(
  trainer: Trainer,
  samples: Float32Array,
  real: Float32Array = samples,
): Float32Array {
  const shape = trainer.data.shape, size = sizeOf(shape);
  const { name, ...params } = trainer.config.objective;
  const objective = OBJECTIVES[name] as Objective;
  const critic = (x: tf.Tensor) => criticOf(trainer, x);
  const out = tf.tidy(() => {
    const x = tf.tensor(samples, [samples.length / size, ...shape]);
    const realLogits = critic(tf.tensor(real, [real.length / size, ...shape]));
    const loss = (fake: tf.Tensor) =>
      tfjs(
        objective.generator(
          critic(fake),
          realLogits,
          params as Parameters<Objective["generator"]>[2],
        ),
      );
    return tf.neg(tf.grad(loss)(x));
  });
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}
