/**
 * Classifier score: the Inception Score recipe with any classifier
 * (REFERENCE.md §5), `exp(E_x KL(p(y|x) || p(y)))`, p(y) the mean of
 * p(y|x) over the samples. It ranges from 1 (every sample gets the same
 * class distribution) to the number of classes (confident and balanced).
 * @module
 */

/**
 * The classifier score of `n` rows of class probabilities (row-major
 * `[n, classes]`, each row summing to 1). Terms with p(y|x) = 0 contribute
 * 0 (the limit of p log p). Computed in float64 over the whole set (one
 * split; the Inception Score's 10-split average is not used).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifierScore } from "../../mod.ts";
 * // Two confident samples of two different classes: score 2.
 * assert.ok(Math.abs(classifierScore(new Float32Array([1, 0, 0, 1]), 2) - 2) < 1e-12);
 * ```
 */
export function classifierScore(probs: ArrayLike<number>, classes: number): number {
  const n = probs.length / classes;
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`classifierScore: ${probs.length} values are not rows of ${classes} classes`);
  }
  const marginal = new Float64Array(classes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) marginal[c] += probs[i * classes + c];
  }
  for (let c = 0; c < classes; c++) marginal[c] /= n;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      const p = probs[i * classes + c];
      if (p > 0) kl += p * Math.log(p / marginal[c]);
    }
  }
  return Math.exp(kl / n);
}
