/**
 * Training Duel's MNIST classifier (the image metrics' feature extractor)
 * from a {@link ClassifierRecipe}: Adam on cross-entropy, seeded shuffles,
 * optional random shifts and a linear learning-rate decay.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { Rng } from "../rng.ts";
import { tfjs } from "../tensor.ts";
import { OPTIMIZERS } from "../train/optimizers.ts";
import { SCHEDULES } from "../train/schedules.ts";
import {
  type ClassifierRecipe,
  MNIST_CLASSIFIER_RECIPE,
  MnistClassifier,
} from "./mnist_classifier.ts";
import { type LabelledImages, MNIST_PIXELS } from "./mnist_digits.ts";

const CLASSES = 10;
const INPUT = MNIST_PIXELS;

/** Writes the 28x28 `image` moved by (dy, dx) pixels into `out`, filling with -1. */
function shifted(image: Float32Array, dy: number, dx: number, out: Float32Array): void {
  out.fill(-1);
  for (let r = Math.max(0, dy); r < Math.min(28, 28 + dy); r++) {
    for (let c = Math.max(0, dx); c < Math.min(28, 28 + dx); c++) {
      out[r * 28 + c] = image[(r - dy) * 28 + (c - dx)];
    }
  }
}

/**
 * Trains a classifier on `train` (images in [-1, 1]) with `recipe`, on the
 * active tfjs backend. `onEpoch` receives each epoch's mean training loss.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainMnistClassifier, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * // Two fake "digits": all-dark images are 0, all-bright ones are 1.
 * const images = new Float32Array(40 * 784).map((_, i) => (Math.floor(i / 784) % 2 ? 1 : -1));
 * const labels = Uint8Array.from({ length: 40 }, (_, i) => i % 2);
 * const layers = [
 *   { type: "flatten" as const },
 *   { type: "dense" as const, units: 8 },
 *   { type: "relu" as const },
 *   { type: "dense" as const, units: 10 },
 * ];
 * const recipe = { layers, epochs: 20, batchSize: 10, lr: 1e-2, decayStart: 1, shift: 0, seed: 0 };
 * const c = trainMnistClassifier({ images, labels, n: 40 }, recipe);
 * assert.equal(c.accuracy({ images, labels, n: 40 }), 1);
 * c.dispose();
 * ```
 */
export function trainMnistClassifier(
  train: LabelledImages,
  recipe: ClassifierRecipe = MNIST_CLASSIFIER_RECIPE,
  onEpoch?: (epoch: number, loss: number) => void,
): MnistClassifier {
  const classifier = new MnistClassifier(recipe.layers, Rng.derive(recipe.seed, "classifier/init"));
  const params = classifier.params;
  const vars = params.map((p) => tfjs(p.variable));
  const optimizer = OPTIMIZERS.adam.create(params, {
    lr: recipe.lr,
    betas: [0.9, 0.999],
    eps: 1e-8,
  });
  const mode = { training: true, rng: Rng.derive(recipe.seed, "classifier/dropout") };
  const order = Array.from({ length: train.n }, (_, i) => i);
  const rng = Rng.derive(recipe.seed, "classifier/order");
  const shiftRng = Rng.derive(recipe.seed, "classifier/shift");
  const batch = recipe.batchSize;
  const x = new Float32Array(batch * INPUT), y = new Int32Array(batch);
  const perEpoch = Math.floor(train.n / batch);
  const decay = { start: recipe.decayStart, end: 0 };
  const lrFactor = (step: number) =>
    recipe.decayStart >= 1 ? 1 : SCHEDULES.linear.factor(step / (recipe.epochs * perEpoch), decay);
  for (let epoch = 0; epoch < recipe.epochs; epoch++) {
    for (let i = train.n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j], order[i]];
    }
    let total = 0, steps = 0;
    for (let start = 0; start + batch <= train.n; start += batch) {
      for (let b = 0; b < batch; b++) {
        const src = order[start + b];
        const image = train.images.subarray(src * INPUT, (src + 1) * INPUT);
        if (recipe.shift > 0) {
          const span = 2 * recipe.shift + 1;
          const dy = shiftRng.int(span) - recipe.shift, dx = shiftRng.int(span) - recipe.shift;
          shifted(image, dy, dx, x.subarray(b * INPUT, (b + 1) * INPUT));
        } else {
          x.set(image, b * INPUT);
        }
        y[b] = train.labels[src];
      }
      total += tf.tidy(() => {
        const xs = tf.tensor4d(x, [batch, 28, 28, 1]);
        const targets = tf.oneHot(tf.tensor1d(y, "int32"), CLASSES);
        const { value, grads } = tf.variableGrads(
          () =>
            tf.neg(
              tf.mean(tf.sum(tf.mul(targets, tf.logSoftmax(tfjs(classifier.logits(xs, mode)))), 1)),
            ) as tf.Scalar,
          vars,
        );
        optimizer.apply(grads, lrFactor(epoch * perEpoch + steps));
        return value.dataSync()[0];
      });
      steps++;
    }
    onEpoch?.(epoch, total / steps);
  }
  tf.dispose(optimizer.slots.map((s) => tfjs(s.variable)));
  return classifier;
}
