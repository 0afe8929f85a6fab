/**
 * The weight-free image metrics' shared parts: the real reference (images,
 * their proxy features, Gaussian statistics and k-NN balls), prepared once per
 * data source and sample count, and each evaluation's generated features,
 * computed at most once whatever metrics ask for them.
 *
 * The reference is the held-out split when the data has at least
 * {@link PROXY_MIN_SAMPLES} held-out images (its first `eval.samples`),
 * else `eval.samples` training images from the `eval/data` stream.
 * @module
 */
import type { DataSource } from "../data/source.ts";
import { type GaussianStats, gaussianStats } from "./frechet.ts";
import { type Prdc, prdc, type PrdcReference, prdcReference } from "./prdc.ts";
import { type FeatureExtractor, PROXY_EXTRACTOR } from "./proxy_features.ts";

/** The fewest images a side (k-NN metrics need more than k = 5). */
export const PROXY_MIN_SAMPLES = 6;

/** The real side of the weight-free image metrics. */
export interface FeatureReference {
  /** The extractor. */
  readonly extractor: FeatureExtractor;
  /** Which images: `held_out` or `train`. */
  readonly split: "held_out" | "train";
  /** Shape of one image. */
  readonly shape: readonly number[];
  /** The real images, NHWC in [-1, 1]. */
  readonly images: Float32Array;
  /** How many. */
  readonly n: number;
  /** Their features, `[n, extractor.dim]`. */
  readonly features: Float32Array;
  /** Mean and covariance of the features. */
  readonly stats: GaussianStats;
  /** Their k-NN balls. */
  readonly balls: PrdcReference;
}

/**
 * The reference of `images` (`[n, ...shape]`) in `extractor`'s feature space.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { featureReference } from "../../mod.ts";
 * const ref = featureReference(new Float32Array(8 * 4 * 4), [4, 4, 1], "train");
 * assert.equal(ref.n, 8);
 * ```
 */
export function featureReference(
  images: Float32Array,
  shape: readonly number[],
  split: "held_out" | "train",
  extractor: FeatureExtractor = PROXY_EXTRACTOR,
): FeatureReference {
  const features = extractor.features(images, shape);
  const n = features.length / extractor.dim;
  return {
    extractor,
    split,
    shape,
    images,
    n,
    features,
    stats: gaussianStats(features, extractor.dim),
    balls: prdcReference(features, extractor.dim),
  };
}

const cache = new WeakMap<DataSource, Map<number, FeatureReference>>();

/**
 * A run's reference (see the module doc), prepared once per data source and
 * `samples`; `train` draws the training images when there is no held-out split.
 */
export function runReference(
  data: DataSource,
  samples: number,
  train: () => Float32Array,
): FeatureReference {
  const byCount = cache.get(data) ?? new Map<number, FeatureReference>();
  cache.set(data, byCount);
  const known = byCount.get(samples);
  if (known) return known;
  const held = data.heldOut;
  const size = data.shape.reduce((a, b) => a * b, 1);
  const reference = held && held.n >= PROXY_MIN_SAMPLES
    ? featureReference(
      held.images.slice(0, Math.min(held.n, samples) * size),
      data.shape,
      "held_out",
    )
    : featureReference(train(), data.shape, "train");
  byCount.set(samples, reference);
  return reference;
}

/** One evaluation's generated side. */
export interface FeatureContext {
  /** The real side. */
  readonly reference: FeatureReference;
  /** Generated images. */
  readonly generated: Float32Array;
  /** Their features (computed once). */
  features(): Float32Array;
  /** Precision, recall, density and coverage against the reference (computed once). */
  prdc(): Prdc;
}

function memo<T>(fn: () => T): () => T {
  let value: T | undefined, done = false;
  return () => {
    if (!done) [value, done] = [fn(), true];
    return value as T;
  };
}

/** Wraps one evaluation's generated images against `reference`. */
export function featureContext(
  reference: FeatureReference,
  generated: Float32Array,
): FeatureContext {
  const features = memo(() => reference.extractor.features(generated, reference.shape));
  return { reference, generated, features, prdc: memo(() => prdc(reference.balls, features())) };
}
