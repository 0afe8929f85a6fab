/**
 * Kernel inception distance (Bińkowski et al. 2018): the unbiased estimate
 * of MMD² between two sets of feature vectors with the cubic polynomial
 * kernel k(x, y) = (x·y / d + 1)^3, d the feature dimension, and its
 * jackknife standard error. On toy data the features are the coordinates.
 * @module
 */

/** A KID estimate. */
export interface KidEstimate {
  /** The unbiased MMD² estimate (can be slightly negative when the sets match). */
  readonly value: number;
  /** Its two-sample jackknife standard error (Arvesen 1969), from the same kernel sums. */
  readonly se: number;
}

/** Row sums of the kernel between the rows of `a` and the rows of `b` (the diagonal left out when `a === b`). */
function kernelRowSums(
  a: Float32Array,
  b: Float32Array,
  dim: number,
): { rows: Float64Array; cols: Float64Array } {
  const n = a.length / dim, m = b.length / dim, same = a === b;
  const rows = new Float64Array(n), cols = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = same ? i + 1 : 0; j < m; j++) {
      let dot = 0;
      for (let k = 0; k < dim; k++) dot += a[i * dim + k] * b[j * dim + k];
      const t = dot / dim + 1;
      const kij = t * t * t;
      rows[i] += kij;
      cols[j] += kij;
    }
  }
  if (same) { for (let i = 0; i < n; i++) rows[i] += cols[i]; }
  return { rows, cols };
}

const sum = (v: Float64Array) => v.reduce((s, x) => s + x, 0);

/** Jackknife variance term of one sample: (n - 1)/n · Σ (θ_-i - mean θ_-i)². */
function spread(leaveOneOut: Float64Array): number {
  const n = leaveOneOut.length, mean = sum(leaveOneOut) / n;
  return ((n - 1) / n) * leaveOneOut.reduce((s, t) => s + (t - mean) ** 2, 0);
}

/**
 * KID between `real` and `generated`, row-major `[n, dim]` and `[m, dim]`
 * feature vectors (n, m >= 3): O((n + m)² dim) time, float64 sums.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kid, Rng } from "../../mod.ts";
 * const a = Rng.derive(0, "a").fillNormal(new Float32Array(2000));
 * const b = Rng.derive(0, "b").fillNormal(new Float32Array(2000));
 * const same = kid(a, b, 2);
 * assert.ok(Math.abs(same.value) < 3 * same.se);
 * const shifted = kid(a, b.map((v) => v + 1), 2);
 * assert.ok(shifted.value > 10 * shifted.se);
 * ```
 */
export function kid(real: Float32Array, generated: Float32Array, dim: number): KidEstimate {
  const n = real.length / dim, m = generated.length / dim;
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 3 || m < 3) {
    throw new Error(
      `kid: needs at least 3 vectors of ${dim} values a side, got ${real.length} and ` +
        `${generated.length} values`,
    );
  }
  const xx = kernelRowSums(real, real, dim).rows;
  const yy = kernelRowSums(generated, generated, dim).rows;
  const xy = kernelRowSums(real, generated, dim);
  const [sxx, syy, sxy] = [sum(xx), sum(yy), sum(xy.rows)];
  const estimate = (sXX: number, nx: number, sYY: number, ny: number, sXY: number) =>
    sXX / (nx * (nx - 1)) + sYY / (ny * (ny - 1)) - (2 * sXY) / (nx * ny);
  // Leaving one real vector out removes its row and column of K_xx and its row of K_xy.
  const withoutReal = xx.map((r, i) => estimate(sxx - 2 * r, n - 1, syy, m, sxy - xy.rows[i]));
  const withoutFake = yy.map((r, j) => estimate(sxx, n, syy - 2 * r, m - 1, sxy - xy.cols[j]));
  return {
    value: estimate(sxx, n, syy, m, sxy),
    se: Math.sqrt(spread(withoutReal) + spread(withoutFake)),
  };
}
