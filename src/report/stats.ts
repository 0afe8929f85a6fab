/**
 * Statistics over seeds: mean, sample standard deviation, quantiles, and
 * percentile-bootstrap confidence intervals. Bootstraps take an explicit
 * {@link Rng}, so a report is the same every time it is made.
 * @module
 */
import type { Rng } from "../rng.ts";

/**
 * Arithmetic mean (NaN for no values).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mean } from "../../mod.ts";
 * assert.equal(mean([1, 2, 6]), 3);
 * ```
 */
export function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * Sample standard deviation (normalised by n - 1; 0 for one value, NaN for none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { std } from "../../mod.ts";
 * assert.equal(std([2, 4, 4, 4, 5, 5, 7, 9]), Math.sqrt(32 / 7));
 * ```
 */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return xs.length ? 0 : NaN;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * The q-quantile with linear interpolation between order statistics (NumPy's default).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantile } from "../../mod.ts";
 * assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
 * assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
 * ```
 */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** A confidence interval. */
export interface Interval {
  /** Lower end. */
  readonly lo: number;
  /** Upper end. */
  readonly hi: number;
}

/** Bootstrap settings. */
export interface BootstrapOptions {
  /** Resamples drawn (default 10,000). */
  readonly resamples?: number;
  /** Coverage of the interval (default 0.95). */
  readonly level?: number;
}

function resampledMeans(xs: readonly number[], rng: Rng, resamples: number): Float64Array {
  const out = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) sum += xs[rng.int(xs.length)];
    out[r] = sum / xs.length;
  }
  return out;
}

function percentiles(values: Float64Array, level: number): Interval {
  const sorted = [...values].sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { lo: quantile(sorted, alpha), hi: quantile(sorted, 1 - alpha) };
}

/**
 * Percentile-bootstrap confidence interval of the mean. With one value (or
 * all equal) the interval has zero width: the seeds show no spread, which is
 * not the same as certainty, so reports also give n.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapMean, Rng } from "../../mod.ts";
 * const ci = bootstrapMean([1, 2, 3, 4, 5], Rng.derive(0, "ci"));
 * assert.ok(ci.lo > 1 && ci.lo < 3 && ci.hi > 3 && ci.hi < 5);
 * ```
 */
export function bootstrapMean(
  xs: readonly number[],
  rng: Rng,
  options: BootstrapOptions = {},
): Interval {
  if (!xs.length) return { lo: NaN, hi: NaN };
  return percentiles(resampledMeans(xs, rng, options.resamples ?? 10_000), options.level ?? 0.95);
}

/** A bootstrap comparison of two means. */
export interface Difference {
  /** mean(a) - mean(b). */
  readonly diff: number;
  /** Confidence interval of the difference. */
  readonly ci: Interval;
  /** Whether the interval excludes 0 (never with fewer than 2 values a side). */
  readonly significant: boolean;
  /** The smaller sample size of the two. */
  readonly n: number;
}

/**
 * Compares the means of two independent samples (e.g. two configurations'
 * seeds) by resampling each: the difference is significant when its
 * percentile interval excludes 0. With a single value on either side there is
 * no spread to resample, so nothing is significant; with few values (under
 * about 5) the percentile interval is too narrow and reports should say so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapDifference, Rng } from "../../mod.ts";
 * const rng = Rng.derive(0, "diff");
 * assert.ok(bootstrapDifference([10, 11, 12], [1, 2, 3], rng).significant);
 * assert.ok(!bootstrapDifference([1, 5, 3], [2, 4, 3], rng).significant);
 * assert.ok(!bootstrapDifference([10], [1], rng).significant); // one seed: no evidence
 * ```
 */
export function bootstrapDifference(
  a: readonly number[],
  b: readonly number[],
  rng: Rng,
  options: BootstrapOptions = {},
): Difference {
  const resamples = options.resamples ?? 10_000;
  const ma = resampledMeans(a, rng, resamples), mb = resampledMeans(b, rng, resamples);
  const ci = percentiles(ma.map((x, i) => x - mb[i]), options.level ?? 0.95);
  const n = Math.min(a.length, b.length);
  return { diff: mean(a) - mean(b), ci, significant: n >= 2 && (ci.lo > 0 || ci.hi < 0), n };
}
