/**
 * What reports know about each evaluation metric: a label and which
 * direction is better. Metrics not listed are shown but never ranked.
 * @module
 */

/** How a metric is read. */
export interface MetricInfo {
  /** Short label for tables and plots. */
  readonly label: string;
  /** Which way is better. */
  readonly better: "higher" | "lower";
}

/**
 * Known metrics by their `metrics.jsonl` key, in the order reports prefer
 * for ranking (the first one a sweep has is the default `--rank-by`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METRIC_INFO } from "./metric_info.ts";
 * assert.equal(METRIC_INFO["eval/modes"].better, "higher");
 * ```
 */
export const METRIC_INFO: Readonly<Record<string, MetricInfo>> = {
  "eval/frechet_distance": { label: "Fréchet distance", better: "lower" },
  "eval/classifier_score": { label: "classifier score", better: "higher" },
  "eval/kde_js": { label: "KDE JSD", better: "lower" },
  "eval/hq": { label: "high-quality share", better: "higher" },
  "eval/modes": { label: "modes", better: "higher" },
  "eval/reverse_kl": { label: "reverse KL over modes", better: "lower" },
  "eval/kde_kl": { label: "KDE KL(real || fake)", better: "lower" },
  "eval/true_divergence": { label: "true divergence", better: "lower" },
  "eval/precision": { label: "precision", better: "higher" },
  "eval/recall": { label: "recall", better: "higher" },
  "eval/density": { label: "density", better: "higher" },
  "eval/coverage": { label: "coverage", better: "higher" },
  "eval/parzen_ll": { label: "Parzen log-likelihood", better: "higher" },
};

/**
 * The label of a metric key (the key without `eval/` when unknown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricLabel } from "./metric_info.ts";
 * assert.equal(metricLabel("eval/hq"), "high-quality share");
 * assert.equal(metricLabel("eval/mu"), "mu");
 * ```
 */
export function metricLabel(key: string): string {
  return METRIC_INFO[key]?.label ?? key.replace(/^eval\//, "");
}
