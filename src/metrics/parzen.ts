/**
 * Parzen-window (Gaussian kernel density) log-likelihood, with the protocol
 * of Goodfellow et al. 2014 (REFERENCE.md §1): the kernels sit on generated
 * samples `mu_i`; the width sigma is the value of `logspace(-1, 0, 10)`
 * with the best mean log-likelihood on a validation set; the score is the
 * mean over a test set of
 * `ll(x) = logmeanexp_i(-||x - mu_i||^2 / (2 sigma^2)) - d log(sigma sqrt(2 pi))`,
 * with standard error `std(ll) / sqrt(N_test)` (population std, as numpy's
 * default in the authors' code).
 *
 * Scale matters: the paper's 225 nats is for pixels in [0, 1]; the image
 * metric table maps Duel's [-1, 1] images to [0, 1] before calling this.
 * @module
 */
import { squaredDistanceBlocks } from "./distances.ts";

/** `logspace(-1, 0, 10)`: the kernel widths the protocol tries. */
export const PARZEN_SIGMAS: readonly number[] = Array.from(
  { length: 10 },
  (_, i) => 10 ** (-1 + i / 9),
);

/**
 * Per-point Parzen log-likelihoods of the rows of `points` under Gaussian
 * kernels of each width in `sigmas`, centred on the rows of `centres`
 * (all row-major with `dim` columns). One distance pass serves every
 * width; the log-mean-exp is shifted by its largest term, so far-away
 * points get large negative values, never -Infinity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parzenLogLikelihoods } from "../../mod.ts";
 * // One centre: the log-density of N(0, 1) at 1.
 * const [ll] = parzenLogLikelihoods(new Float32Array([0]), new Float32Array([1]), 1, [1]);
 * assert.ok(Math.abs(ll[0] - (-0.5 - 0.5 * Math.log(2 * Math.PI))) < 1e-12);
 * ```
 */
export function parzenLogLikelihoods(
  centres: Float32Array,
  points: Float32Array,
  dim: number,
  sigmas: readonly number[],
): Float64Array[] {
  const n = centres.length / dim, m = points.length / dim;
  if (!(n >= 1) || !Number.isInteger(n)) {
    throw new Error(`Parzen window: ${centres.length} centre values are not rows of ${dim}`);
  }
  const out = sigmas.map(() => new Float64Array(m));
  const scales = sigmas.map((s) => -1 / (2 * s * s));
  const norms = sigmas.map((s) => -Math.log(n) - dim * Math.log(s * Math.sqrt(2 * Math.PI)));
  squaredDistanceBlocks(points, centres, dim, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const row = block.subarray(r * n, (r + 1) * n);
      let dMin = Infinity;
      for (let i = 0; i < n; i++) if (row[i] < dMin) dMin = row[i];
      sigmas.forEach((_, t) => {
        const scale = scales[t];
        let sum = 0;
        for (let i = 0; i < n; i++) sum += Math.exp(scale * (row[i] - dMin));
        out[t][start + r] = scale * dMin + Math.log(sum) + norms[t];
      });
    }
  });
  return out;
}

/** Mean and standard error of a set of log-likelihoods. */
export interface ParzenScore {
  /** Mean log-likelihood in nats (higher is better). */
  readonly mean: number;
  /** `std(ll) / sqrt(N)`, population std. */
  readonly stderr: number;
}

/** The result of {@link parzenEstimate}. */
export interface ParzenResult extends ParzenScore {
  /** The chosen kernel width. */
  readonly sigma: number;
  /** How many kernel centres (generated samples) it used. */
  readonly centres: number;
  /** How many test points it scored. */
  readonly test: number;
  /** Mean validation log-likelihood for each width tried, in order. */
  readonly validation: readonly { readonly sigma: number; readonly mean: number }[];
}

function score(ll: Float64Array): ParzenScore {
  const m = ll.length;
  const mean = ll.reduce((a, b) => a + b, 0) / m;
  const variance = ll.reduce((a, b) => a + (b - mean) ** 2, 0) / m;
  return { mean, stderr: Math.sqrt(variance / m) };
}

/**
 * The full protocol: picks sigma on `validation`, then scores `test`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parzenEstimate, Rng } from "../../mod.ts";
 * const draw = (name: string, n: number) => Rng.derive(0, name).fillNormal(new Float32Array(n), 0, 0.3);
 * const r = parzenEstimate(draw("centres", 2000), draw("validation", 200), draw("test", 200), 1);
 * assert.ok(r.sigma === r.validation.reduce((a, b) => (b.mean > a.mean ? b : a)).sigma);
 * ```
 */
export function parzenEstimate(
  centres: Float32Array,
  validation: Float32Array,
  test: Float32Array,
  dim: number,
  sigmas: readonly number[] = PARZEN_SIGMAS,
): ParzenResult {
  const byWidth = parzenLogLikelihoods(centres, validation, dim, sigmas).map((ll, t) => ({
    sigma: sigmas[t],
    mean: score(ll).mean,
  }));
  const best = byWidth.reduce((a, b) => (b.mean > a.mean ? b : a));
  const [ll] = parzenLogLikelihoods(centres, test, dim, [best.sigma]);
  const counts = { centres: centres.length / dim, test: test.length / dim };
  return { sigma: best.sigma, ...score(ll), ...counts, validation: byWidth };
}

/**
 * How the estimate moves with the number of kernel centres: the full
 * protocol ({@link parzenEstimate}) on the first `counts[i]` rows of
 * `centres` each. A Parzen window is a biased estimator: with few centres
 * the best sigma is wide and the log-likelihood low, so numbers measured
 * with different counts (Goodfellow et al. used 10,000) are not comparable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parzenByCentres, Rng } from "../../mod.ts";
 * const draw = (name: string, n: number) => Rng.derive(0, name).fillNormal(new Float32Array(n), 0, 0.3);
 * const rows = parzenByCentres(draw("c", 2000), draw("v", 200), draw("t", 200), 1, [20, 2000]);
 * assert.deepEqual(rows.map((r) => r.centres), [20, 2000]);
 * assert.ok(rows[1].sigma <= rows[0].sigma);
 * ```
 */
export function parzenByCentres(
  centres: Float32Array,
  validation: Float32Array,
  test: Float32Array,
  dim: number,
  counts: readonly number[],
  sigmas: readonly number[] = PARZEN_SIGMAS,
): ParzenResult[] {
  const available = centres.length / dim;
  return counts.map((count) => {
    if (!Number.isInteger(count) || count < 1 || count > available) {
      throw new Error(`Parzen window: ${count} centres asked for, ${available} given`);
    }
    const first = centres.subarray(0, count * dim);
    return parzenEstimate(first, validation, test, dim, sigmas);
  });
}
