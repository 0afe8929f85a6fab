/**
 * The metric table: every evaluation metric is one record, keyed by the
 * name that appears as `eval/<name>` in `metrics.jsonl`. The evaluator
 * (`evaluate.ts`), the config check of `eval.metrics`, the report's labels
 * and directions (`report/metric_info.ts`) and the README reference all
 * read it. A new metric is one record here, its line in `Metrics` (the compiler checks
 * that the two agree), plus its test.
 *
 * Records without `optIn` are measured at every evaluation where their
 * needs hold, in table order; records with `optIn` only when listed in
 * `eval.metrics`, in the order listed, after the others.
 * @module
 */
import { trueDivergence } from "./divergence_meter.ts";
import { IMAGE_METRICS, type ImageMetricName } from "./image_metrics.ts";
import { kid } from "./kid.ts";
import { featureRecords } from "./feature_records.ts";
import { PROXY_MIN_SAMPLES } from "./proxy_metrics.ts";
import { swd } from "./swd.ts";
import type { MetricNeedName } from "./metric_needs.ts";
import type { MetricRun } from "./metric_run.ts";

/** A value with its standard error: written as `eval/<name>` and `eval/<name>_se`. */
export interface MetricEstimate {
  /** The value. */
  readonly value: number;
  /** Its standard error. */
  readonly se: number;
}

/** A value with named parts: written as `eval/<name>` and `eval/<name>_<part>` each. */
export interface MetricParts {
  /** The value (e.g. the mean of the parts). */
  readonly value: number;
  /** The parts, e.g. SWD per pyramid level. */
  readonly parts: Readonly<Record<string, number>>;
}

/** How an opt-in metric is asked for. */
export interface OptIn {
  /** The fewest `eval.samples` (and held-out examples, where it needs them) it works with. */
  readonly minSamples: number;
  /**
   * Also measured when not listed, at every evaluation where its needs hold and `eval.samples`
   * is at least `minSamples` (the weight-free image metrics: every image run has numbers).
   */
  readonly auto?: boolean;
}

/** One record of the metric table. */
export interface MetricKind {
  /** Short label for tables and plots. */
  readonly label: string;
  /** Which way is better; absent for readings that are never ranked (e.g. `mu`). */
  readonly better?: "higher" | "lower";
  /**
   * Place among ranked metrics in reports, 1 first (the first one a sweep
   * has is its default `--rank-by`); set exactly when `better` is.
   */
  readonly rank?: number;
  /** What it measures, one line for the README reference. */
  readonly doc: string;
  /** What it needs of the run (data, generator, objective): {@link METRIC_NEEDS} names. */
  readonly needs: readonly MetricNeedName[];
  /** Present when the metric is measured only when listed in `eval.metrics`. */
  readonly optIn?: OptIn;
  /**
   * True when its standard error is measured over fresh resamples (`eval.resamples` draws of
   * new samples and streams, see `evaluate`) and written as `eval/<name>_se`.
   */
  readonly resampled?: boolean;
  /** Its value at one evaluation (undefined: it does not apply after all). */
  measure(run: MetricRun): number | MetricEstimate | MetricParts | undefined;
}

/** The image family (`image_metrics.ts`) as records of this table. */
function imageRecords(): Record<ImageMetricName, MetricKind & { optIn: OptIn }> {
  const entries = Object.entries(IMAGE_METRICS).map(([name, kind]) => [name, {
    label: kind.label,
    better: kind.better,
    rank: kind.rank,
    doc: `${kind.doc}; against the held-out images, with Duel's MNIST classifier`,
    needs: ["images"],
    optIn: { minSamples: 6 }, // k-NN metrics need more than k = 5 points a side
    measure: (run: MetricRun) =>
      run.images &&
      (kind.details
        ? { value: kind.compute(run.images), parts: kind.details(run.images) }
        : kind.compute(run.images)),
  }]);
  return Object.fromEntries(entries);
}

/**
 * The type of {@link METRICS}: each metric's record, with `optIn` in the type of the opt-in
 * ones (a new entry is listed here too; the image metrics are named in `image_metrics.ts`).
 */
export type Metrics =
  & {
    readonly modes: MetricKind;
    readonly hq: MetricKind;
    readonly reverse_kl: MetricKind;
    readonly kde_kl: MetricKind;
    readonly kde_js: MetricKind;
    readonly divergence: MetricKind;
    readonly mu: MetricKind;
    readonly sigma: MetricKind;
    readonly true_divergence: MetricKind;
    readonly kid: MetricKind & { readonly optIn: OptIn };
    readonly proxy_fd: MetricKind & { readonly optIn: OptIn };
    readonly proxy_kid: MetricKind & { readonly optIn: OptIn };
    readonly proxy_precision: MetricKind & { readonly optIn: OptIn };
    readonly proxy_recall: MetricKind & { readonly optIn: OptIn };
    readonly proxy_density: MetricKind & { readonly optIn: OptIn };
    readonly proxy_coverage: MetricKind & { readonly optIn: OptIn };
    readonly swd: MetricKind & { readonly optIn: OptIn };
    readonly fid: MetricKind;
    readonly inception_kid: MetricKind;
    readonly inception_precision: MetricKind;
    readonly inception_recall: MetricKind;
    readonly inception_density: MetricKind;
    readonly inception_coverage: MetricKind;
  }
  & { readonly [K in ImageMetricName]: MetricKind & { readonly optIn: OptIn } };

/**
 * Every evaluation metric, by the name in `eval/<name>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METRICS } from "../../mod.ts";
 * assert.equal(METRICS.modes.better, "higher");
 * assert.deepEqual(METRICS.parzen_ll.needs, ["images"]);
 * ```
 */
export const METRICS: Metrics = {
  modes: {
    label: "modes",
    better: "higher",
    rank: 5,
    doc: "modes with at least one high-quality sample (within 3 std of its nearest mode; " +
      "`eval.modes` sets both numbers)",
    needs: ["modes"],
    resampled: true,
    measure: (run) => run.modes().modes,
  },
  hq: {
    label: "high-quality share",
    better: "higher",
    rank: 4,
    doc: "share of samples within 3 std of their nearest mode (VEEGAN/PacGAN protocol)",
    needs: ["modes"],
    resampled: true,
    measure: (run) => run.modes().hq,
  },
  reverse_kl: {
    label: "reverse KL over modes",
    better: "lower",
    rank: 6,
    doc: "KL(histogram of high-quality samples over modes || uniform) in nats; log(modes) " +
      "when none is high quality",
    needs: ["modes"],
    resampled: true,
    measure: (run) => run.modes().reverse_kl,
  },
  kde_kl: {
    label: "KDE KL(real || fake)",
    better: "lower",
    rank: 7,
    doc: "KL(real || generated) between kernel-density estimates of eval.samples of each",
    needs: ["plane"],
    resampled: true,
    measure: (run) => run.kde().kl,
  },
  kde_js: {
    label: "KDE JSD",
    better: "lower",
    rank: 3,
    doc: "JSD between the same kernel-density estimates",
    needs: ["plane"],
    resampled: true,
    measure: (run) => run.kde().js,
  },
  divergence: {
    label: "divergence",
    doc: "the divergence the critic's value implies on eval.samples fresh real and generated " +
      "examples (the objective's `divergence`)",
    needs: ["critic_divergence"],
    resampled: true,
    measure: (run) =>
      run.trainer.divergenceEstimate(run.trainer.config.eval.samples, run.stream("eval/critic")),
  },
  mu: {
    label: "mu",
    doc: "the fitted Gaussian's mean (the evaluation generator's location)",
    needs: ["gaussian_fit"],
    measure: (run) => run.gaussian()?.mu,
  },
  sigma: {
    label: "sigma",
    doc: "the fitted Gaussian's standard deviation",
    needs: ["gaussian_fit"],
    measure: (run) => run.gaussian()?.sigma,
  },
  true_divergence: {
    label: "true divergence",
    better: "lower",
    rank: 8,
    doc: "the exact divergence the critic estimates, between the data and the fitted " +
      "Gaussian, by numerical integration",
    needs: ["gaussian_fit", "ground_truth"],
    measure: (run) => {
      const g = run.gaussian()!, components = run.trainer.data.components!;
      return trueDivergence(run.trainer.config.objective.name, components, g.mu, g.sigma);
    },
  },
  ...imageRecords(),
  kid: {
    label: "KID",
    better: "lower",
    rank: 14,
    doc: "kernel inception distance (Bińkowski et al. 2018) on the coordinates: unbiased MMD² " +
      "with k(x, y) = (x·y / d + 1)^3 between eval.samples real and generated points; " +
      "`eval/kid_se` is its jackknife standard error",
    needs: ["vectors"],
    optIn: { minSamples: 3 },
    measure: (run) => kid(run.real(), run.samples, run.trainer.data.shape[0]),
  },
  ...featureRecords("proxy"),
  swd: {
    label: "SWD (x1e3)",
    better: "lower",
    rank: 17,
    doc:
      "lower is better: sliced Wasserstein distance x 1e3 on Laplacian-pyramid 7x7 patches (Karras et al. " +
      "2018), the mean over levels, `eval/swd_<height>` per level (down to 16 px); no weights; " +
      "against the proxy reference images; 128 directions, at most 4096 patches a level",
    needs: ["image_data"],
    // Its reference is the proxy metrics' (k-NN: k = 5).
    optIn: { minSamples: PROXY_MIN_SAMPLES, auto: true },
    measure: (run) => {
      const ctx = run.proxy();
      const r = swd(ctx.reference.images, run.samples, ctx.reference.shape);
      return { value: r.value, parts: r.levels };
    },
  },
  ...featureRecords("inception"),
};

/** A metric name from {@link METRICS}. */
export type MetricName = keyof Metrics;

/** A metric `eval.metrics` can list: one with `optIn`. */
export type OptInMetricName = {
  [K in MetricName]: Metrics[K] extends { readonly optIn: OptIn } ? K : never;
}[MetricName];

/**
 * The names `eval.metrics` accepts, in table order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { OPT_IN_METRICS } from "../../mod.ts";
 * assert.equal(OPT_IN_METRICS[0], "frechet_distance");
 * assert.ok(!OPT_IN_METRICS.includes("modes" as never));
 * ```
 */
export const OPT_IN_METRICS: readonly OptInMetricName[] = (Object.keys(METRICS) as MetricName[])
  .filter((name): name is OptInMetricName => (METRICS[name] as MetricKind).optIn !== undefined);
