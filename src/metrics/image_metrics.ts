/**
 * The image metrics, selectable by name (REFERENCE.md §5): a typed table
 * name -> {doc, compute(ctx)}. The real side (held-out images, their
 * classifier features and statistics, their k-NN balls) is prepared once per
 * run by {@link imageReference}; each evaluation wraps its generated images
 * in {@link imageMetricContext}, which computes classifier outputs and the
 * shared k-NN pass at most once whatever metrics are asked for.
 *
 * Images are NHWC in [-1, 1]. Classifier-based metrics use the MNIST
 * classifier (`mnist_classifier.ts`); `parzen_ll` works on pixels mapped to
 * [0, 1] so its numbers compare with Goodfellow et al.'s (225 for their GAN).
 * @module
 */
import { classifierScore } from "./classifier_score.ts";
import { frechetDistance, type GaussianStats, gaussianStats } from "./frechet.ts";
import type { ImageClassifier } from "./mnist_classifier.ts";
import { parzenEstimate, type ParzenResult } from "./parzen.ts";
import { heldOutMask } from "../data/image_set.ts";
import { type Prdc, prdc, type PrdcReference, prdcReference } from "./prdc.ts";

/** The real side of the image metrics, computed once. */
export interface ImageReference {
  /** Shape of one image, e.g. `[28, 28, 1]`. */
  readonly shape: readonly number[];
  /** The real held-out images, NHWC in [-1, 1]. */
  readonly real: Float32Array;
  /** The classifier whose features and probabilities the metrics use. */
  readonly classifier: ImageClassifier;
  /** Classifier features of the real images. */
  readonly features: Float32Array;
  /** Their mean and covariance. */
  readonly stats: GaussianStats;
  /** Their k-NN balls. */
  readonly balls: PrdcReference;
}

/**
 * Prepares the real side: classifier features, their Gaussian statistics
 * and k-NN radii (the costly parts that do not change during a run).
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: needs the MNIST classifier (trained on first use, minutes)
 * // and the mnist package's files.
 * const { train, heldOut } = mnistSplit();
 * const { classifier } = await cachedMnistClassifier(train);
 * const reference = imageReference(heldOut.images, [28, 28, 1], classifier);
 * ```
 */
export function imageReference(
  real: Float32Array,
  shape: readonly number[],
  classifier: ImageClassifier,
): ImageReference {
  const features = classifier.features(real);
  const dim = classifier.featureDim;
  return {
    shape,
    real,
    classifier,
    features,
    stats: gaussianStats(features, dim),
    balls: prdcReference(features, dim),
  };
}

/** What a metric sees: the reference, the generated images, and memoised derived values. */
export interface ImageMetricContext {
  /** The real side. */
  readonly reference: ImageReference;
  /** Generated images, NHWC in [-1, 1]. */
  readonly generated: Float32Array;
  /** Classifier features of the generated images (computed once). */
  features(): Float32Array;
  /** Classifier probabilities of the generated images (computed once). */
  probabilities(): Float32Array;
  /** Precision, recall, density and coverage (computed once). */
  prdc(): Prdc;
  /** The Parzen-window estimate (computed once). */
  parzen(): ParzenResult;
}

function memo<T>(fn: () => T): () => T {
  let value: T | undefined, done = false;
  return () => {
    if (!done) [value, done] = [fn(), true];
    return value as T;
  };
}

/**
 * Where the Parzen estimate's kernels and its sigma come from (`eval.parzen`).
 * Absent parts: the evaluation's own samples as centres, and half the held-out
 * images choose sigma while the other half is scored.
 */
export interface ParzenProtocol {
  /** Generated images (NHWC in [-1, 1]) to centre the kernels on, drawn when first asked. */
  readonly centres?: () => Float32Array;
  /** Images (e.g. training digits) that choose sigma; then every held-out image is scored. */
  readonly validation?: () => Float32Array;
}

/** Pixels in [-1, 1] mapped to [0, 1], the scale of the Parzen protocol. */
function unitScale(x: Float32Array): Float32Array {
  return x.map((v) => (v + 1) / 2);
}

/**
 * Wraps one evaluation's generated images.
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: needs the MNIST classifier (trained on first use, minutes)
 * // and the mnist package's files.
 * const ctx = imageMetricContext(reference, trainer.sample(2000, rng));
 * const fd = IMAGE_METRICS.frechet_distance.compute(ctx);
 * ```
 */
export function imageMetricContext(
  reference: ImageReference,
  generated: Float32Array,
  protocol: ParzenProtocol = {},
): ImageMetricContext {
  const features = memo(() => reference.classifier.features(generated));
  return {
    reference,
    generated,
    features,
    probabilities: memo(() => reference.classifier.probabilities(generated)),
    prdc: memo(() => prdc(reference.balls, features())),
    parzen: memo(() => {
      const dim = reference.shape.reduce((a, b) => a * b, 1);
      const centres = unitScale(protocol.centres?.() ?? generated);
      if (protocol.validation) {
        return parzenEstimate(
          centres,
          unitScale(protocol.validation()),
          unitScale(reference.real),
          dim,
        );
      }
      // Kernels on the generated images; the real held-out images split in two halves
      // by a fixed seeded permutation (held-out sets may be sorted by class): one
      // half chooses sigma, the other is scored.
      const n = reference.real.length / dim;
      const mask = heldOutMask("parzen", n, Math.floor(n / 2));
      const real = unitScale(reference.real);
      const pick = (side: boolean) => {
        const rows = mask.flatMap((m, i) => m === side ? [i] : []);
        const out = new Float32Array(rows.length * dim);
        rows.forEach((r, k) => out.set(real.subarray(r * dim, (r + 1) * dim), k * dim));
        return out;
      };
      return parzenEstimate(centres, pick(true), pick(false), dim);
    }),
  };
}

/** One record of the image metric table (a family of the metric table, `metric_table.ts`). */
export interface ImageMetricKind {
  /** Short label for tables and plots. */
  readonly label: string;
  /** Which way is better. */
  readonly better: "higher" | "lower";
  /** Place among ranked metrics in reports (see `MetricKind.rank`). */
  readonly rank: number;
  /** One line for the README reference. */
  readonly doc: string;
  /** The metric's value for one evaluation. */
  compute(ctx: ImageMetricContext): number;
  /** Numbers written beside the value as `eval/<name>_<part>` (its protocol, its error). */
  details?(ctx: ImageMetricContext): Readonly<Record<string, number>>;
}

/** A metric name from {@link IMAGE_METRICS} (a new entry is named here too). */
export type ImageMetricName =
  | "frechet_distance"
  | "classifier_score"
  | "precision"
  | "recall"
  | "density"
  | "coverage"
  | "parzen_ll";

/** Every image metric, by the name used in experiment files. */
export const IMAGE_METRICS: Readonly<Record<ImageMetricName, ImageMetricKind>> = {
  frechet_distance: {
    label: "Fréchet distance",
    better: "lower",
    rank: 1,
    doc: "Frechet distance between Gaussians fitted to classifier features of generated and " +
      "held-out real images (lower is better)",
    compute: (ctx) =>
      frechetDistance(
        gaussianStats(ctx.features(), ctx.reference.classifier.featureDim),
        ctx.reference.stats,
      ),
  },
  classifier_score: {
    label: "classifier score",
    better: "higher",
    rank: 2,
    doc: "exp(E KL(p(y|x) || p(y))) with the MNIST classifier: 1 (one class) to 10 " +
      "(confident and balanced)",
    compute: (ctx) => classifierScore(ctx.probabilities(), ctx.reference.classifier.classes),
  },
  precision: {
    label: "precision",
    better: "higher",
    rank: 9,
    doc: "share of generated images inside the real k-NN balls, k = 3, in classifier " +
      "feature space (Kynkaanniemi et al. 2019)",
    compute: (ctx) => ctx.prdc().precision,
  },
  recall: {
    label: "recall",
    better: "higher",
    rank: 10,
    doc: "share of real images inside the generated k-NN balls, k = 3 (Kynkaanniemi et al. 2019)",
    compute: (ctx) => ctx.prdc().recall,
  },
  density: {
    label: "density",
    better: "higher",
    rank: 11,
    doc: "mean count of real k-NN balls (k = 5) holding a generated image, over k; about 1 " +
      "when both match (Naeem et al. 2020)",
    compute: (ctx) => ctx.prdc().density,
  },
  coverage: {
    label: "coverage",
    better: "higher",
    rank: 12,
    doc: "share of real k-NN balls (k = 5) holding a generated image; about 1 - 2^-5 when " +
      "both match (Naeem et al. 2020)",
    compute: (ctx) => ctx.prdc().coverage,
  },
  parzen_ll: {
    label: "Parzen log-likelihood",
    better: "higher",
    rank: 13,
    doc: "Parzen-window log-likelihood of held-out images (pixels in [0, 1]) under kernels " +
      "on the generated images, sigma chosen on half of them (Goodfellow et al. 2014)",
    compute: (ctx) => ctx.parzen().mean,
    details: (ctx) => {
      const r = ctx.parzen();
      return { se: r.stderr, sigma: r.sigma, centres: r.centres, test: r.test };
    },
  },
};

/**
 * The named metrics for one evaluation, in the order asked.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { computeImageMetrics, imageMetricContext, imageReference } from "../../mod.ts";
 * // A stand-in "classifier" on 2x2 images: features are the pixels, one class.
 * const classifier = {
 *   inShape: [2, 2, 1], classes: 1, featureDim: 4,
 *   features: (x: Float32Array) => x.slice(),
 *   probabilities: (x: Float32Array) => new Float32Array(x.length / 4).fill(1),
 * };
 * const real = new Float32Array(40).map((_, i) => Math.sin(i));
 * const ctx = imageMetricContext(imageReference(real, [2, 2, 1], classifier), real);
 * const m = computeImageMetrics(["frechet_distance", "classifier_score", "precision"], ctx);
 * assert.ok(m.frechet_distance < 1e-9 && m.classifier_score === 1 && m.precision === 1);
 * ```
 */
export function computeImageMetrics(
  names: readonly ImageMetricName[],
  ctx: ImageMetricContext,
): Record<string, number> {
  return Object.fromEntries(names.map((name) => [name, IMAGE_METRICS[name].compute(ctx)]));
}
