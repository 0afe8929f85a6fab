/**
 * The feature-space image metrics' shared parts (the proxy space, and
 * Inception's when a run has its weights): the real reference (images, their
 * features, Gaussian statistics and k-NN balls, with the protocol record),
 * prepared once per data source, extractor and sample count, and each
 * evaluation's generated features, computed at most once whatever metrics
 * ask for them.
 *
 * The reference is the held-out split when the data has at least
 * {@link PROXY_MIN_SAMPLES} held-out images (its first `eval.samples`),
 * else `eval.samples` training images from the `eval/data` stream.
 * @module
 */
import type { DataSource } from "../data/source.ts";
import {
  cachedReferenceStats,
  type FeatureProtocol,
  type ReferenceStats,
  referenceStats,
} from "./feature_stats.ts";
import type { GaussianStats } from "./frechet.ts";
import { type Prdc, prdc, type PrdcReference } from "./prdc.ts";
import { type FeatureExtractor, PROXY_EXTRACTOR } from "./proxy_features.ts";

/** The fewest images a side (k-NN metrics need more than k = 5). */
export const PROXY_MIN_SAMPLES = 6;

/** The real side of the feature-space image metrics. */
export interface FeatureReference {
  /** The extractor. */
  readonly extractor: FeatureExtractor;
  /** Which images: `held_out`, `train` or `folder`. */
  readonly split: string;
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
  /** How they were measured (extractor, weights hash, resize, split, count). */
  readonly protocol: FeatureProtocol;
  /** The reference statistics' cache key. */
  readonly key: string;
}

function fromStats(
  ref: ReferenceStats,
  images: Float32Array,
  extractor: FeatureExtractor,
): FeatureReference {
  return {
    extractor,
    split: ref.protocol.split,
    shape: ref.shape,
    images,
    n: ref.stats.count,
    features: ref.balls.features,
    stats: ref.stats,
    balls: ref.balls,
    protocol: ref.protocol,
    key: ref.key,
  };
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
 * assert.equal(ref.protocol.extractor, "proxy_randconv_v1");
 * ```
 */
export function featureReference(
  images: Float32Array,
  shape: readonly number[],
  split: string,
  extractor: FeatureExtractor = PROXY_EXTRACTOR,
  source = "images",
): FeatureReference {
  return fromStats(referenceStats(images, shape, extractor, { split, source }), images, extractor);
}

const cache = new WeakMap<DataSource, Map<string, FeatureReference>>();
const cacheKeyOf = (x: FeatureExtractor, samples: number) =>
  `${x.name}/${x.weightsHash}/${samples}`;

/** The reference images of a run (see the module doc) and their split. */
function runImages(data: DataSource, samples: number, train: () => Float32Array) {
  const held = data.heldOut;
  const size = data.shape.reduce((a, b) => a * b, 1);
  return held && held.n >= PROXY_MIN_SAMPLES
    ? { images: held.images.slice(0, Math.min(held.n, samples) * size), split: "held_out" }
    : { images: train(), split: "train" };
}

function remember(data: DataSource, key: string, ref: FeatureReference): FeatureReference {
  const known = cache.get(data) ?? new Map<string, FeatureReference>();
  cache.set(data, known);
  known.set(key, ref);
  return ref;
}

/**
 * A run's reference (see the module doc), prepared once per data source,
 * extractor and `samples`; `train` draws the training images when there is
 * no held-out split. Computed now unless {@link prepareRunReference} read
 * it from the statistics cache first.
 */
export function runReference(
  data: DataSource,
  samples: number,
  train: () => Float32Array,
  extractor: FeatureExtractor = PROXY_EXTRACTOR,
): FeatureReference {
  const key = cacheKeyOf(extractor, samples);
  const known = cache.get(data)?.get(key);
  if (known) return known;
  const { images, split } = runImages(data, samples, train);
  return remember(data, key, featureReference(images, data.shape, split, extractor, "data"));
}

/**
 * Prepares {@link runReference} through the statistics cache in `dir`
 * (`feature_stats.ts`): read when cached, else computed and saved. Returns
 * the reference and where it came from.
 */
export async function prepareRunReference(
  data: DataSource,
  samples: number,
  train: () => Float32Array,
  extractor: FeatureExtractor,
  dir: string | null | undefined,
  source = "data",
): Promise<{ reference: FeatureReference; from: "memory" | "disk" | "built" }> {
  const key = cacheKeyOf(extractor, samples);
  const known = cache.get(data)?.get(key);
  if (known) return { reference: known, from: "memory" };
  const { images, split } = runImages(data, samples, train);
  const got = await cachedReferenceStats(images, data.shape, extractor, { split, source }, dir);
  const reference = remember(data, key, fromStats(got.reference, images, extractor));
  return { reference, from: got.from };
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
