/**
 * One evaluation: generator samples from the fixed evaluation noise, and
 * every metric of the metric table that applies to the run.
 * @module
 */
import { Rng } from "../rng.ts";
import type { Trainer } from "../train/trainer.ts";
import type { ImageEvaluator } from "./image_evaluator.ts";
import { METRIC_NEEDS } from "./metric_needs.ts";
import { metricRun, type RunExtractors } from "./metric_run.ts";
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
  return { samples, metrics };
}
