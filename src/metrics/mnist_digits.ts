/**
 * The labelled MNIST split the metrics' classifier trains and is checked
 * on: the `mnist` data set's fixed 9,000 / 1,000 train / held-out split
 * (`src/data/mnist.ts`), all ten digits, NHWC in [-1, 1].
 * @module
 */
import { mnist } from "../data/mnist.ts";
import type { ExampleSet } from "../data/source.ts";

/** Images NHWC `[n, 28, 28, 1]` in [-1, 1] with their digit labels. */
export interface LabelledImages extends ExampleSet {
  /** The digit of each image. */
  readonly labels: Uint8Array;
}

/** Pixels per MNIST image. */
export const MNIST_PIXELS = 28 * 28;

/**
 * The fixed MNIST split with labels: `train` (9,000 images) and `heldOut` (1,000).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mnistSplit } from "../../mod.ts";
 * const { train, heldOut } = mnistSplit();
 * assert.ok(train.n === 9000 && heldOut.n === 1000 && heldOut.images.length === 1000 * 784);
 * ```
 */
export function mnistSplit(): { train: LabelledImages; heldOut: LabelledImages } {
  const source = mnist();
  const labelled = (set: ExampleSet | undefined, side: string): LabelledImages => {
    if (!set?.labels) throw new Error(`the mnist data set has no labelled ${side} split`);
    return { images: set.images, labels: set.labels, n: set.n };
  };
  return { train: labelled(source.train, "train"), heldOut: labelled(source.heldOut, "held-out") };
}
