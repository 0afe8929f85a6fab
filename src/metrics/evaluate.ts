/**
 * One evaluation: generator samples from the fixed evaluation noise, and
 * every metric of the metric table that applies to the run.
 * @module
 */
import { requireSyncReads } from "../backend/webgpu.ts";
import { Rng } from "../rng.ts";
import type { Trainer } from "../train/trainer.ts";
import type { ImageEvaluator } from "./image_evaluator.ts";
import { METRIC_NEEDS } from "./metric_needs.ts";
import { metricRun, resampledRun, type RunExtractors } from "./metric_run.ts";
import { type MetricKind, type MetricName, METRICS } from "./metric_table.ts";

/** Samples and metrics of one evaluation. Metric keys are prefixed `eval/`. */
export interface Evaluation {
  /** The generated samples, row-major `[n, ...shape]`. */
  readonly samples: Float32Array;
  /** Metric values by name, e.g. `eval/modes`. */
  readonly metrics: Readonly<Record<string, number>>;
}

const ALWAYS = (Object.keys(METRICS) as MetricName[]).filter((name) =>
  (METRICS[name] as MetricKind).optIn === undefined
);
/** Opt-in metrics also measured unlisted, where `eval.samples` reaches their minimum. */
const AUTO = (Object.keys(METRICS) as MetricName[]).filter((name) =>
  (METRICS[name] as MetricKind).optIn?.auto
);

/** Fresh draws per evaluation for the standard errors when `eval.resamples` is absent. */
export const RESAMPLES = 5;

/**
 * Draws `eval.samples` samples with the same noise at every evaluation (the
 * `eval` stream, restarted each time) so evaluations are comparable, and
 * measures every metric of {@link METRICS} whose needs hold: first those
 * measured wherever they apply, in table order (`eval/modes`, `eval/hq`,
 * `eval/reverse_kl`, `eval/kde_kl`, `eval/kde_js`, `eval/divergence`,
 * `eval/mu`, `eval/sigma`, `eval/true_divergence`, and with Inception weights in
 * `extractors` `eval/fid` and the `eval/inception_*` family), then those listed in
 * `eval.metrics`, in that order (image metrics need `images`, prepared once
 * per run by `prepareImageMetrics`), then on image data the weight-free
 * metrics not listed (`proxy_*` and `swd`, when `eval.samples` >= 6). A metric with a standard error also
 * writes `eval/<name>_se`; one with parts (`swd`'s levels), `eval/<name>_<part>` each.
 *
 * The fixed draw makes evaluations comparable but repeats one draw's noise at every step, so
 * each `resampled` metric (modes, KDE, critic divergence, proxy FD) is measured again on
 * `eval.resamples` (default {@link RESAMPLES}) fresh draws, each from streams of its own derived
 * from the step and the draw's index (`eval/resample/<step>/<i>`, ...): `eval/<name>_se` is the
 * standard deviation over those draws, the standard error of one draw's estimate. The value
 * `eval/<name>` is still that of the fixed draw, so adding the errors changed no earlier number.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluate, parseExperiment, Trainer, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * const { config } = parseExperiment(`name: tiny
 * data: { name: ring8 }
 * train: { steps: 2, batch_size: 8 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * `);
 * const trainer = Trainer.create(config);
 * for await (const _ of trainer.run());
 * const { samples, metrics } = evaluate(trainer);
 * assert.equal(samples.length, config.eval.samples * 2);
 * assert.ok(Number.isFinite(metrics["eval/modes"]));
 * trainer.dispose();
 * ```
 */
export function evaluate(
  trainer: Trainer,
  images?: ImageEvaluator,
  extractors: RunExtractors = {},
): Evaluation {
  requireSyncReads("evaluate()");
  const { seed, eval: ev } = trainer.config;
  const samples = trainer.sample(ev.samples, Rng.derive(seed, "eval"));
  const run = metricRun(trainer, samples, images, extractors);
  const auto = AUTO.filter((name) => ev.samples >= (METRICS[name] as MetricKind).optIn!.minSamples);
  const names = new Set<MetricName>([
    ...ALWAYS,
    ...ev.metrics,
    ...(images?.names ?? []),
    ...auto,
  ]);
  const metrics: Record<string, number> = {};
  for (const name of names) {
    const kind: MetricKind = METRICS[name];
    if (!kind.needs.every((need) => METRIC_NEEDS[need].holds(run))) continue;
    const value = kind.measure(run);
    if (typeof value === "number") metrics[`eval/${name}`] = value;
    else if (value !== undefined) {
      metrics[`eval/${name}`] = value.value;
      if ("se" in value) metrics[`eval/${name}_se`] = value.se;
      else {
        for (const [part, v] of Object.entries(value.parts)) metrics[`eval/${name}_${part}`] = v;
      }
    }
  }
  const errors = resampledErrors(trainer, names, metrics);
  // Each standard error right after its estimate, as `eval/kid_se` follows `eval/kid`.
  const ordered: Record<string, number> = {};
  for (const [key, value] of Object.entries(metrics)) {
    ordered[key] = value;
    if (errors[`${key}_se`] !== undefined) ordered[`${key}_se`] = errors[`${key}_se`];
  }
  return { samples, metrics: ordered };
}

/** `eval/<name>_se` of each measured `resampled` metric: the spread over fresh draws. */
function resampledErrors(
  trainer: Trainer,
  names: ReadonlySet<MetricName>,
  measured: Readonly<Record<string, number>>,
): Record<string, number> {
  const wanted = [...names].filter((name) =>
    (METRICS[name] as MetricKind).resampled && typeof measured[`eval/${name}`] === "number" &&
    measured[`eval/${name}_se`] === undefined
  );
  const count = trainer.config.eval.resamples ?? RESAMPLES;
  if (!wanted.length || count < 2) return {};
  const draws: Record<string, number[]> = Object.fromEntries(wanted.map((n) => [n, []]));
  for (let i = 0; i < count; i++) {
    const run = resampledRun(trainer, trainer.step, i);
    for (const name of wanted) {
      const value = (METRICS[name] as MetricKind).measure(run);
      if (typeof value === "number" && Number.isFinite(value)) draws[name].push(value);
    }
  }
  return Object.fromEntries(wanted.flatMap((name) => {
    const xs = draws[name];
    if (xs.length < 2) return [];
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1);
    return [[`eval/${name}_se`, Math.sqrt(variance)]];
  }));
}
