/**
 * Frechet distance between Gaussians fitted to two sets of feature vectors
 * (REFERENCE.md §5): `||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2})`,
 * covariances normalised by N - 1, everything in float64.
 *
 * The trace term uses `Tr (S1 S2)^{1/2} = Tr (S1^{1/2} S2 S1^{1/2})^{1/2}`:
 * both matrices under a square root are then symmetric positive
 * semi-definite, so two symmetric eigen-decompositions compute it, with
 * rounding-level negative eigenvalues clamped to 0. (S1 S2 has the same
 * eigenvalues as S1^{1/2} S2 S1^{1/2}, which are real and non-negative.)
 * @module
 */
import { matrixFunction, symmetricEigen } from "./symmetric_eigen.ts";

/** Mean and covariance of a set of vectors. */
export interface GaussianStats {
  /** Dimension d. */
  readonly dim: number;
  /** Number of vectors the statistics came from. */
  readonly count: number;
  /** The mean, length d. */
  readonly mean: Float64Array;
  /** Row-major `[d, d]` covariance, normalised by count - 1. */
  readonly cov: Float64Array;
}

/**
 * Mean and covariance (normalised by N - 1) of `n` row-major vectors of
 * length `dim`, accumulated in float64.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gaussianStats } from "../../mod.ts";
 * const s = gaussianStats(new Float32Array([0, 0, 2, 4]), 2);
 * assert.deepEqual([...s.mean], [1, 2]);
 * assert.deepEqual([...s.cov], [2, 4, 4, 8]);
 * ```
 */
export function gaussianStats(x: ArrayLike<number>, dim: number): GaussianStats {
  const n = x.length / dim;
  if (!Number.isInteger(n) || n < 2) {
    throw new Error(
      `gaussianStats: need at least 2 vectors of length ${dim}, got ${x.length} values`,
    );
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] += x[i * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= n;
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) row[j] = x[i * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const ra = row[a];
      if (ra === 0) continue;
      const base = a * dim;
      for (let b = a; b < dim; b++) cov[base + b] += ra * row[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) cov[a * dim + b] = cov[b * dim + a] = cov[a * dim + b] / (n - 1);
  }
  return { dim, count: n, mean, cov };
}

/** `Tr (S1 S2)^{1/2}` for symmetric positive semi-definite `[d, d]` matrices. */
export function traceSqrtProduct(s1: Float64Array, s2: Float64Array, d: number): number {
  const root1 = matrixFunction(symmetricEigen(s1, d), (x) => Math.sqrt(Math.max(x, 0)));
  // m = root1 s2 root1, symmetrised against rounding.
  const t = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < d; k++) {
      const r = root1[i * d + k];
      if (r === 0) continue;
      for (let j = 0; j < d; j++) t[i * d + j] += r * s2[k * d + j];
    }
  }
  const m = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += t[i * d + k] * root1[k * d + j];
      m[i * d + j] = s;
    }
  }
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) m[i * d + j] = m[j * d + i] = (m[i * d + j] + m[j * d + i]) / 2;
  }
  return symmetricEigen(m, d).values.reduce((s, v) => s + Math.sqrt(Math.max(v, 0)), 0);
}

/**
 * Frechet distance between the Gaussians `a` and `b`:
 * `||mu_a - mu_b||^2 + Tr(S_a + S_b - 2 (S_a S_b)^{1/2})`. Clamped at 0
 * (rounding can make it a tiny negative number for identical inputs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frechetDistance } from "../../mod.ts";
 * // Diagonal covariances: sum (sqrt a - sqrt b)^2 plus the squared mean gap.
 * const a = { dim: 2, count: 10, mean: new Float64Array([0, 0]), cov: new Float64Array([1, 0, 0, 4]) };
 * const b = { dim: 2, count: 10, mean: new Float64Array([3, 0]), cov: new Float64Array([4, 0, 0, 4]) };
 * assert.ok(Math.abs(frechetDistance(a, b) - (9 + 1)) < 1e-12);
 * ```
 */
export function frechetDistance(a: GaussianStats, b: GaussianStats): number {
  if (a.dim !== b.dim) throw new Error(`frechetDistance: dimensions differ (${a.dim} vs ${b.dim})`);
  const d = a.dim;
  let meanTerm = 0, trace = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (a.mean[i] - b.mean[i]) ** 2;
    trace += a.cov[i * d + i] + b.cov[i * d + i];
  }
  const fd = meanTerm + trace - 2 * traceSqrtProduct(a.cov, b.cov, d);
  return Math.max(fd, 0);
}

/**
 * Frechet distance between Gaussians fitted to two row-major sets of
 * `dim`-vectors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { frechetDistanceOf, Rng } from "../../mod.ts";
 * const x = Rng.derive(0, "x").fillNormal(new Float32Array(4000));
 * assert.ok(frechetDistanceOf(x, x, 4) < 1e-9);
 * ```
 */
export function frechetDistanceOf(x: ArrayLike<number>, y: ArrayLike<number>, dim: number): number {
  return frechetDistance(gaussianStats(x, dim), gaussianStats(y, dim));
}
