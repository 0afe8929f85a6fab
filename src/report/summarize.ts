/**
 * From trials (a sweep's store, or one run folder) to what a report shows:
 * per configuration the chosen metrics over seeds (mean, std, 95% bootstrap
 * interval), training curves (median and interquartile band over seeds), the
 * best setting per objective, and a ranking that marks differences the seeds
 * do not support. Pure and deterministic: the same trials give the same data.
 * @module
 */
import { UserError } from "../errors.ts";
import { Rng } from "../rng.ts";
import { METRIC_INFO } from "./metric_info.ts";
import {
  bootstrapDifference,
  bootstrapMean,
  type Difference,
  type Interval,
  mean,
  quantile,
  std,
} from "./stats.ts";

/** One trial as reports see it. */
export interface ReportTrial {
  /** Trial number in its sweep. */
  readonly index: number;
  /** Configuration number (trials of one configuration differ only by seed). */
  readonly configuration: number;
  /** The experiment seed. */
  readonly seed: number;
  /** What the sweep set for this configuration (without the seed), in order. */
  readonly settings: readonly (readonly [string, unknown])[];
  /** The objective's name (from the resolved experiment). */
  readonly objective: string;
  /** Final metrics, for finished trials. */
  readonly final?: Readonly<Record<string, number>>;
  /** Evaluation rows `{step, "eval/...": v}`, for finished trials. */
  readonly curve: readonly Readonly<Record<string, number>>[];
  /** Why it failed, for failed trials; the stop line, for diverged ones. */
  readonly error?: string;
  /** Set when the trial's run diverged (stopped with exit 3): counted apart from failures. */
  readonly diverged?: boolean;
  /** Image runs: how the image metrics were measured (`protocolLines` of its manifest). */
  readonly protocol?: readonly string[];
}

/** A metric over the seeds of one configuration. */
export interface MetricStats {
  /** Seeds with a value. */
  readonly n: number;
  /** Mean over seeds. */
  readonly mean: number;
  /** Sample standard deviation over seeds. */
  readonly std: number;
  /** 95% percentile-bootstrap interval of the mean. */
  readonly ci: Interval;
  /** The per-seed values, in seed order. */
  readonly values: readonly number[];
  /** Finished seeds whose value is missing or not finite (a diverged run). */
  readonly missing: number;
  /**
   * The standard error of the mean from the runs' own sampling noise, sqrt(sum se_i^2) / n, when
   * every seed's final row has `<metric>_se` (see `eval.resamples`).
   */
  readonly evalSe?: number;
}

/** One point of a training curve over seeds. */
export interface CurvePoint {
  /** Generator step. */
  readonly step: number;
  /** Median over seeds. */
  readonly median: number;
  /** 25% quantile over seeds. */
  readonly lo: number;
  /** 75% quantile over seeds. */
  readonly hi: number;
}

/** One configuration's results. */
export interface ConfigurationSummary {
  /** Configuration number. */
  readonly configuration: number;
  /** Settings, e.g. `objective.name=hinge, optimizer.generator.lr=0.001`. */
  readonly label: string;
  /** The settings themselves. */
  readonly settings: readonly (readonly [string, unknown])[];
  /** Objective name. */
  readonly objective: string;
  /** Seeds that finished. */
  readonly seeds: readonly number[];
  /** Trials that did not finish (failed or still pending). */
  readonly unfinished: number;
  /** Each shown metric over the finished seeds. */
  readonly stats: Readonly<Record<string, MetricStats>>;
  /** Training curve of each shown metric. */
  readonly curves: Readonly<Record<string, readonly CurvePoint[]>>;
}

/** A place in a ranking. */
export interface Ranked {
  /** 1-based place by mean. */
  readonly place: number;
  /** The configuration. */
  readonly summary: ConfigurationSummary;
  /** Comparison with the first place (absent for the first). */
  readonly vsFirst?: Difference;
  /** Comparison with the place just above (absent for the first). */
  readonly vsAbove?: Difference;
}

/** Everything a report renders. */
export interface ReportData {
  /** Sweep or run name. */
  readonly title: string;
  /** Metrics shown, in order. */
  readonly metrics: readonly string[];
  /** The metric rankings use (undefined when no shown metric has a direction). */
  readonly rankBy?: string;
  /** Trial counts. */
  readonly counts: {
    readonly total: number;
    readonly done: number;
    readonly unfinished: number;
    /** Of the unfinished, those that diverged. */
    readonly diverged?: number;
  };
  /** Every configuration, in configuration order. */
  readonly configurations: readonly ConfigurationSummary[];
  /** Setting keys that take more than one value (the swept hyperparameters). */
  readonly swept: readonly string[];
  /** Settings every configuration shares (e.g. a sweep's `set:`), in words. */
  readonly fixed: string;
  /** Best configuration per objective, ranked by `rankBy`. */
  readonly objectives: readonly Ranked[];
  /** All configurations ranked by `rankBy`. */
  readonly ranking: readonly Ranked[];
  /** Failed trials with their errors. */
  readonly failures: readonly { index: number; seed: number; error: string }[];
  /**
   * The image metrics' protocol lines of the finished trials, each once, with how many trials
   * it holds for when not all (empty for runs without image metrics).
   */
  readonly protocol: readonly string[];
}

/** A report that cannot be made as asked (exit code 2 from the CLI). */
export class ReportError extends UserError {
  /**
   * Wraps a finished message.
   * @param message one line saying what is wrong and what is valid
   */
  constructor(message: string) {
    super(message);
    this.name = "ReportError";
  }
}

/** Report options. */
export interface SummarizeOptions {
  /** Metrics to show (default: every known metric the trials have). */
  readonly metrics?: readonly string[];
  /** Metric to rank by (default: the first shown metric with a known direction). */
  readonly rankBy?: string;
}

const formatValue = (v: unknown) => typeof v === "string" ? v : JSON.stringify(v);

/**
 * A configuration's settings in words.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { settingsLabel } from "../../mod.ts";
 * assert.equal(settingsLabel([["objective.name", "hinge"], ["train.steps", 10]]), "objective.name=hinge, train.steps=10");
 * ```
 */
export function settingsLabel(settings: readonly (readonly [string, unknown])[]): string {
  return settings.map(([k, v]) => `${k}=${formatValue(v)}`).join(", ") || "(base)";
}

function curveOf(trials: readonly ReportTrial[], metric: string): CurvePoint[] {
  const bySteps = new Map<number, number[]>();
  for (const t of trials) {
    for (const row of t.curve) {
      const v = row[metric];
      if (typeof v === "number" && Number.isFinite(v)) {
        bySteps.set(row.step, [...(bySteps.get(row.step) ?? []), v]);
      }
    }
  }
  return [...bySteps.entries()].sort(([a], [b]) => a - b).map(([step, vs]) => ({
    step,
    median: quantile(vs, 0.5),
    lo: quantile(vs, 0.25),
    hi: quantile(vs, 0.75),
  }));
}

function statsOf(raw: unknown[], rng: Rng, rawSe: unknown[] = []): MetricStats {
  const values = raw.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const ses = rawSe.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const evalSe = ses.length && ses.length === raw.length && values.length === raw.length
    ? Math.sqrt(ses.reduce((a, se) => a + se * se, 0)) / ses.length
    : undefined;
  return {
    n: values.length,
    mean: mean(values),
    std: std(values),
    ci: bootstrapMean(values, rng),
    values,
    missing: raw.length - values.length,
    ...(evalSe === undefined ? {} : { evalSe }),
  };
}

function rank(
  summaries: readonly ConfigurationSummary[],
  metric: string,
  salt: string,
): Ranked[] {
  const sign = METRIC_INFO[metric].better === "higher" ? -1 : 1;
  const scored = summaries.filter((s) => s.stats[metric]?.n);
  const sorted = [...scored].sort((a, b) =>
    sign * (a.stats[metric].mean - b.stats[metric].mean) || a.configuration - b.configuration
  );
  const compare = (a: ConfigurationSummary, b: ConfigurationSummary) =>
    bootstrapDifference(
      a.stats[metric].values,
      b.stats[metric].values,
      Rng.derive(0, `report/${salt}/${metric}/${a.configuration}-${b.configuration}`),
    );
  return sorted.map((summary, i) => ({
    place: i + 1,
    summary,
    ...(i > 0
      ? { vsFirst: compare(summary, sorted[0]), vsAbove: compare(summary, sorted[i - 1]) }
      : {}),
  }));
}

/**
 * Summarises trials for a report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { summarize } from "../../mod.ts";
 * const trial = (configuration: number, seed: number, objective: string, modes: number) => ({
 *   index: configuration * 3 + seed, configuration, seed, objective,
 *   settings: [["objective.name", objective]] as [string, unknown][],
 *   final: { "eval/modes": modes }, curve: [{ step: 100, "eval/modes": modes }],
 * });
 * const data = summarize("demo", [
 *   trial(0, 0, "hinge", 8), trial(0, 1, "hinge", 7), trial(0, 2, "hinge", 8),
 *   trial(1, 0, "minimax", 2), trial(1, 1, "minimax", 1), trial(1, 2, "minimax", 3),
 * ]);
 * assert.equal(data.rankBy, "eval/modes");
 * assert.deepEqual(data.objectives.map((r) => r.summary.objective), ["hinge", "minimax"]);
 * assert.ok(data.objectives[1].vsFirst?.significant);
 * ```
 */
export function summarize(
  title: string,
  trials: readonly ReportTrial[],
  options: SummarizeOptions = {},
): ReportData {
  const done = trials.filter((t) => t.final);
  const present = new Set(done.flatMap((t) => Object.keys(t.final!)));
  const asked = [...(options.metrics ?? []), ...(options.rankBy ? [options.rankBy] : [])];
  const absent = asked.filter((m) => !present.has(m));
  if (done.length && absent.length) {
    throw new ReportError(
      `no finished trial has ${absent.join(", ")} (valid: ${[...present].sort().join(", ")})`,
    );
  }
  const chosen = options.metrics ?? Object.keys(METRIC_INFO).filter((m) => present.has(m));
  const metrics = options.rankBy && !chosen.includes(options.rankBy)
    ? [options.rankBy, ...chosen]
    : chosen;
  const rankBy = options.rankBy ?? metrics.find((m) => METRIC_INFO[m]);
  if (rankBy !== undefined && !METRIC_INFO[rankBy]) {
    throw new ReportError(
      `cannot rank by ${rankBy}: which way is better is unknown (valid: ${
        Object.keys(METRIC_INFO).filter((m) => present.has(m)).join(", ")
      })`,
    );
  }
  const groups = [...Map.groupBy(trials, (t) => t.configuration).entries()]
    .sort(([a], [b]) => a - b);
  const values = new Map<string, Set<string>>();
  const holders = new Map<string, number>();
  for (const [, group] of groups) {
    for (const [k, v] of group[0].settings) {
      values.set(k, (values.get(k) ?? new Set()).add(formatValue(v)));
      holders.set(k, (holders.get(k) ?? 0) + 1);
    }
  }
  // Fixed: every configuration sets it, to one value. Anything else tells configurations apart.
  const isFixed = (k: string) => values.get(k)!.size === 1 && holders.get(k) === groups.length;
  const swept = [...values.keys()].filter((k) => !isFixed(k));
  const configurations = groups.map(([c, group]) => {
    const finished = group.filter((t) => t.final).sort((a, b) => a.seed - b.seed);
    const stats: Record<string, MetricStats> = {};
    const curves: Record<string, CurvePoint[]> = {};
    for (const m of metrics) {
      stats[m] = statsOf(
        finished.map((t) => t.final![m]),
        Rng.derive(0, `report/ci/${c}/${m}`),
        finished.map((t) => t.final![`${m}_se`]),
      );
      curves[m] = curveOf(finished, m);
    }
    return {
      configuration: c,
      label: settingsLabel(group[0].settings.filter(([k]) => !isFixed(k))),
      settings: group[0].settings,
      objective: group[0].objective,
      seeds: finished.map((t) => t.seed),
      unfinished: group.length - finished.length,
      stats,
      curves,
    };
  });
  const fixed = groups.length
    ? settingsLabel(groups[0][1][0].settings.filter(([k]) => isFixed(k)))
    : "";
  let objectives: Ranked[] = [], ranking: Ranked[] = [];
  if (rankBy) {
    ranking = rank(configurations, rankBy, "all");
    const best = new Map<string, ConfigurationSummary>();
    for (const r of ranking) {
      if (!best.has(r.summary.objective)) best.set(r.summary.objective, r.summary);
    }
    objectives = rank([...best.values()], rankBy, "objectives");
  }
  return {
    title,
    metrics,
    rankBy,
    counts: {
      total: trials.length,
      done: done.length,
      unfinished: trials.length - done.length,
      // Only when there are some: reports of sweeps without divergence read as before.
      ...(trials.some((t) => t.diverged)
        ? { diverged: trials.filter((t) => t.diverged).length }
        : {}),
    },
    configurations,
    swept,
    fixed: fixed === "(base)" ? "" : fixed,
    objectives,
    ranking,
    failures: trials.filter((t) => t.error).map((t) => ({
      index: t.index,
      seed: t.seed,
      error: t.error!,
    })),
    protocol: protocolOf(done),
  };
}

/** Each protocol line once; lines not shared by every trial say how many hold them. */
function protocolOf(done: readonly ReportTrial[]): string[] {
  const counts = new Map<string, number>();
  for (const t of done) {
    for (const l of new Set(t.protocol ?? [])) counts.set(l, (counts.get(l) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) =>
    n === done.length ? line : `${line} (${n} of ${done.length} trials)`
  );
}
