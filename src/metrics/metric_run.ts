/**
 * What a metric sees at one evaluation: the trainer, the generated samples,
 * and the derived values several metrics share (real examples, mode counts,
 * kernel-density estimates, the fitted Gaussian, image features), each
 * computed at most once whatever metrics are measured.
 * @module
 */
import { Rng } from "../rng.ts";
import { tfjs } from "../tensor.ts";
import type { Trainer } from "../train/trainer.ts";
import type { ImageEvaluator } from "./image_evaluator.ts";
import {
  type ImageMetricContext,
  imageMetricContext,
  type ParzenProtocol,
} from "./image_metrics.ts";
import { type KdeDivergences, kdeDivergences } from "./kde.ts";
import { MNIST_PIXELS } from "./mnist_digits.ts";
import { type ModeMetrics, modeMetrics } from "./modes.ts";
import { type FeatureContext, featureContext, runReference } from "./proxy_metrics.ts";
import { type ExtractorKind } from "./extractor_choice.ts";
import { type FeatureExtractor, PROXY_EXTRACTOR } from "./proxy_features.ts";

/** The extractors a run measures with besides the proxy (loaded before training). */
export interface RunExtractors {
  /** Inception-v3 with the weights of `eval.inception`, when given. */
  readonly inception?: FeatureExtractor;
}

/** One evaluation, as the metric table's records see it. */
export interface MetricRun {
  /** The trainer being evaluated: its config, data, networks and critic. */
  readonly trainer: Trainer;
  /** The generated samples of this evaluation, row-major `[eval.samples, ...shape]`. */
  readonly samples: Float32Array;
  /** `eval.samples` real examples from the `eval/data` stream, the same at every evaluation. */
  real(): Float32Array;
  /**
   * The random stream `name` of this evaluation (e.g. `eval/critic`): `Rng.derive(seed, name)`,
   * the same at every evaluation, except in a resample (see `evaluate`), where it is fresh.
   */
  stream(name: string): Rng;
  /** The mode metrics of the samples (data with modes). */
  modes(): ModeMetrics;
  /** KL and JSD between kernel-density estimates of real and generated 2-D samples. */
  kde(): KdeDivergences;
  /** mu and sigma of a generator that is a single 1-D `location_scale` layer, else undefined. */
  gaussian(): { mu: number; sigma: number } | undefined;
  /**
   * Image data of any size: the generated images against the run's real reference in the proxy
   * feature space (`proxy_metrics.ts`; the reference prepared once per data source).
   */
  proxy(): FeatureContext;
  /** The same in the space of extractor `kind` (`proxy`, or `inception` when loaded). */
  space(kind: ExtractorKind): FeatureContext;
  /** The extractors besides the proxy this run has. */
  readonly extractors: RunExtractors;
  /** The image metrics' context, when the run prepared them (`prepareImageMetrics`). */
  readonly images?: ImageMetricContext;
}

function memo<T>(fn: () => T): () => T {
  let value: T | undefined, done = false;
  return () => {
    if (!done) [value, done] = [fn(), true];
    return value as T;
  };
}

function gaussianGenerator(trainer: Trainer): { mu: number; sigma: number } | undefined {
  const layers = trainer.config.generator.layers;
  if (layers.length !== 1 || layers[0].type !== "location_scale" || trainer.data.shape[0] !== 1) {
    return undefined;
  }
  const [mu, sigma] = trainer.evalGenerator.params.map((p) => tfjs(p.variable).dataSync()[0]);
  return { mu, sigma: Math.abs(sigma) };
}

/** Training images that choose the Parzen estimate's sigma with `eval.parzen.validation: train`. */
const PARZEN_VALIDATION = 1000;

/** `eval.parzen` as the image metrics' protocol: its own centres and validation images. */
function parzenProtocol(trainer: Trainer): ParzenProtocol {
  const { seed, eval: ev } = trainer.config;
  const p = ev.parzen;
  if (!p) return {};
  const centres = p.centres;
  return {
    ...(centres === undefined
      ? {}
      : { centres: () => trainer.sample(centres, Rng.derive(seed, "eval/parzen")) }),
    ...(p.validation === "train"
      ? {
        validation: () =>
          trainer.data.sample(PARZEN_VALIDATION, Rng.derive(seed, "eval/parzen/validation")),
      }
      : {}),
  };
}

/**
 * Wraps one evaluation's `samples` of `trainer` (and the run's image
 * metrics, when prepared) for the metric table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METRICS, metricRun, parseExperiment, Rng, Trainer, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * const { config } = parseExperiment(`name: tiny
 * data: { name: ring8 }
 * train: { steps: 2, batch_size: 8 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * `);
 * const trainer = Trainer.create(config);
 * const run = metricRun(trainer, trainer.sample(500, Rng.derive(config.seed, "eval")));
 * const hq = METRICS.hq.measure(run);
 * assert.ok(typeof hq === "number" && hq >= 0 && hq <= 1);
 * trainer.dispose();
 * ```
 */
export function metricRun(
  trainer: Trainer,
  samples: Float32Array,
  images?: ImageEvaluator,
  extractors: RunExtractors = {},
): MetricRun {
  const seed = trainer.config.seed;
  if (images && samples.length % MNIST_PIXELS) throw new Error("samples are not 28x28x1 images");
  return runOf(trainer, () => samples, (name) => Rng.derive(seed, name), images, extractors);
}

/**
 * A resample of an evaluation: `eval.samples` generated samples (drawn only if a metric reads
 * them) and every stream (`eval/data`, `eval/critic`) fresh, derived from the step and the
 * resample's index, so that the spread of a metric over resamples is its sampling noise. It has
 * the proxy feature space only (no image-metric context, no Inception).
 */
export function resampledRun(trainer: Trainer, step: number, index: number): MetricRun {
  const { seed, eval: ev } = trainer.config;
  const stream = (name: string) => Rng.derive(seed, `${name}/resample/${step}/${index}`);
  return runOf(trainer, memo(() => trainer.sample(ev.samples, stream("eval"))), stream);
}

function runOf(
  trainer: Trainer,
  generated: () => Float32Array,
  stream: (name: string) => Rng,
  images?: ImageEvaluator,
  extractors: RunExtractors = {},
): MetricRun {
  const ev = trainer.config.eval;
  const real = memo(() => trainer.data.sample(ev.samples, stream("eval/data")));
  const contexts = new Map<ExtractorKind, FeatureContext>();
  const space = (kind: ExtractorKind): FeatureContext => {
    const extractor = kind === "proxy" ? PROXY_EXTRACTOR : extractors[kind];
    if (!extractor) throw new Error(`no ${kind} extractor in this run`);
    const known = contexts.get(kind);
    if (known) return known;
    const reference = runReference(trainer.data, ev.samples, real, extractor);
    const ctx = featureContext(reference, generated());
    contexts.set(kind, ctx);
    return ctx;
  };
  return {
    trainer,
    get samples() {
      return generated();
    },
    real,
    stream,
    modes: memo(() =>
      modeMetrics(
        generated(),
        trainer.data.modes ?? [],
        ev.modes?.threshold,
        ev.modes?.min_samples,
      )
    ),
    kde: memo(() => kdeDivergences(real(), generated())),
    gaussian: memo(() => gaussianGenerator(trainer)),
    proxy: () => space("proxy"),
    space,
    extractors,
    images: images && imageMetricContext(images.reference, generated(), parzenProtocol(trainer)),
  };
}
