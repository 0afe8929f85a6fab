/**
 * The image metrics of a run (`eval.metrics`): the MNIST classifier (from
 * the cache, trained once when missing) and the real reference side,
 * prepared once per run; then each evaluation's generated images measured.
 * @module
 */
import type { DataSource } from "../data/source.ts";
import { type CachedClassifierOptions, cachedMnistClassifier } from "./classifier_cache.ts";
import {
  computeImageMetrics,
  IMAGE_METRICS,
  imageMetricContext,
  type ImageMetricName,
  type ImageReference,
  imageReference,
} from "./image_metrics.ts";
import { MNIST_PIXELS, mnistSplit } from "./mnist_digits.ts";
import type { ClassifierRecipe } from "./mnist_classifier.ts";

/** The image shape the classifier-based metrics accept. */
export const IMAGE_METRIC_SHAPE: readonly number[] = [28, 28, 1];

/** Image metrics ready to measure one run's samples. */
export interface ImageEvaluator {
  /** The metrics asked for, in order. */
  readonly names: readonly ImageMetricName[];
  /** The real side (held-out images, classifier, their statistics). */
  readonly reference: ImageReference;
  /** Where the classifier came from: the cache or trained now. */
  readonly classifierSource: "disk" | "trained";
  /** Seconds spent loading or training the classifier. */
  readonly classifierSeconds: number;
  /** The classifier's cache key (SHA-256 of its training data, recipe and numerics). */
  readonly classifierKey: string;
  /** The recipe it was trained with. */
  readonly classifierRecipe: ClassifierRecipe;
}

/**
 * Prepares the image metrics among `names` (the run's `eval.metrics`; other
 * names are left to the metric table) for a run on `data`: needs 28x28x1
 * images with a held-out split (the reference the samples are compared
 * with). Returns undefined when no image metric is asked for. `options`
 * choose the classifier's recipe and cache (default: the standard recipe,
 * cached in `cacheDirFromEnv()`).
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: needs the MNIST classifier (trained on first use, minutes)
 * // and the mnist package's files.
 * const evaluator = await prepareImageMetrics(["frechet_distance"], trainer.data);
 * ```
 */
export async function prepareImageMetrics(
  metrics: readonly string[],
  data: DataSource,
  options: CachedClassifierOptions = {},
): Promise<ImageEvaluator | undefined> {
  const names = metrics.filter((m): m is ImageMetricName => Object.hasOwn(IMAGE_METRICS, m));
  if (!names.length) return undefined;
  if (data.shape.join("x") !== IMAGE_METRIC_SHAPE.join("x") || !data.heldOut?.n) {
    throw new Error(
      `eval.metrics: ${names.join(", ")} need 28x28x1 images with a held-out split ` +
        `(data: mnist, or images with size [28, 28], channels: 1 and held_out)`,
    );
  }
  const { classifier, source, seconds, key, recipe } = await cachedMnistClassifier(
    mnistSplit().train,
    options,
  );
  return {
    names,
    reference: imageReference(data.heldOut.images, IMAGE_METRIC_SHAPE, classifier),
    classifierSource: source,
    classifierSeconds: seconds,
    classifierKey: key,
    classifierRecipe: recipe,
  };
}

/**
 * The metrics of one evaluation's samples, keyed `eval/<name>`.
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: needs the MNIST classifier (trained on first use, minutes)
 * // and the mnist package's files.
 * const metrics = measureImages(evaluator, samples); // { "eval/frechet_distance": 12.3, ... }
 * ```
 */
export function measureImages(
  evaluator: ImageEvaluator,
  samples: Float32Array,
): Record<string, number> {
  if (samples.length % MNIST_PIXELS) throw new Error("samples are not 28x28x1 images");
  const values = computeImageMetrics(
    evaluator.names,
    imageMetricContext(evaluator.reference, samples),
  );
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`eval/${k}`, v]));
}
