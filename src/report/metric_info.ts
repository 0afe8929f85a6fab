/**
 * What reports know about each evaluation metric: a label and which
 * direction is better, read from the metric table (`metrics/metric_table.ts`).
 * Metrics without a direction are shown but never ranked.
 * @module
 */
import { type MetricKind, METRICS } from "../metrics/metric_table.ts";

/** How a metric is read. */
export interface MetricInfo {
  /** Short label for tables and plots. */
  readonly label: string;
  /** Which way is better. */
  readonly better: "higher" | "lower";
}

const records = Object.entries(METRICS) as [string, MetricKind][];

/**
 * Ranked metrics (those with a direction) by their `metrics.jsonl` key, in
 * the order reports prefer for ranking (the records' `rank`; the first one
 * a sweep has is the default `--rank-by`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METRIC_INFO } from "../../mod.ts";
 * assert.equal(METRIC_INFO["eval/modes"].better, "higher");
 * ```
 */
export const METRIC_INFO: Readonly<Record<string, MetricInfo>> = Object.fromEntries(
  records.filter(([, kind]) => kind.better !== undefined)
    .sort(([, a], [, b]) => a.rank! - b.rank!)
    .map(([name, kind]) => [`eval/${name}`, { label: kind.label, better: kind.better! }]),
);

/**
 * The label of a metric key (the key without `eval/` when unknown).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricLabel } from "../../mod.ts";
 * assert.equal(metricLabel("eval/hq"), "high-quality share");
 * assert.equal(metricLabel("eval/mu"), "mu");
 * ```
 */
export function metricLabel(key: string): string {
  const name = key.replace(/^eval\//, "");
  return key.startsWith("eval/") && Object.hasOwn(METRICS, name)
    ? (METRICS[name as keyof typeof METRICS] as MetricKind).label
    : name;
}
