/**
 * Ground truth for the objective table: each divergence an objective's critic
 * estimates, computed exactly (by numerical integration) between two 1-D
 * densities given as log densities. The objective records hold these
 * (`divergence.exact`); the divergence meter only supplies the densities.
 * @module
 */

/** A log density on the real line. */
export type LogDensity = (x: number) => number;

/** How to compute one divergence between two 1-D densities. */
export interface ExactDivergence {
  /** What it computes, e.g. `JSD(P, Q) in nats`. */
  readonly doc: string;
  /** The divergence between P and Q, integrated over [lo, hi] (where both have their mass). */
  between(logP: LogDensity, logQ: LogDensity, lo: number, hi: number): number;
}

function simpson(fn: (x: number) => number, lo: number, hi: number, n = 20000): number {
  const h = (hi - lo) / n;
  let sum = fn(lo) + fn(hi);
  for (let i = 1; i < n; i++) sum += fn(lo + i * h) * (i % 2 ? 4 : 2);
  return (sum * h) / 3;
}

/**
 * D_f(P || Q) = E_Q f(p/q) for the generator function `f` (f-GAN's convention).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fDivergenceExact } from "../../mod.ts";
 * const logN = (m: number) => (x: number) => -0.5 * (x - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
 * const kl = fDivergenceExact((u) => u * Math.log(u));
 * // KL(N(0,1) || N(1,1)) = 1/2.
 * assert.ok(Math.abs(kl.between(logN(0), logN(1), -15, 16) - 0.5) < 1e-9);
 * ```
 */
export function fDivergenceExact(f: (u: number) => number): ExactDivergence {
  return {
    doc: "D_f(P || Q) = E_Q f(p/q), with the objective's f",
    between: (logP, logQ, lo, hi) =>
      simpson(
        (x) => {
          const lq = logQ(x);
          // The ratio is clamped to float64's range: far in the tails p or q underflows.
          return Math.exp(lq) * f(Math.exp(Math.min(690, Math.max(-690, logP(x) - lq))));
        },
        lo,
        hi,
      ),
  };
}

/**
 * JSD(P, Q) in nats, the divergence of the original game's critic.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JSD_EXACT } from "../../mod.ts";
 * const logN = (m: number) => (x: number) => -0.5 * (x - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
 * // JSD(N(0,1), N(1,1)) = 0.111421 nats (REFERENCE.md §2).
 * assert.ok(Math.abs(JSD_EXACT.between(logN(0), logN(1), -15, 16) - 0.111421) < 1e-6);
 * ```
 */
export const JSD_EXACT: ExactDivergence = {
  doc: "JSD(P, Q) in nats",
  between(logP, logQ, lo, hi) {
    const half = (la: number, lb: number) => {
      const lm = Math.max(la, lb) + Math.log1p(Math.exp(-Math.abs(la - lb))) - Math.LN2;
      return Math.exp(la) * (la - lm);
    };
    return simpson((x) => 0.5 * half(logP(x), logQ(x)) + 0.5 * half(logQ(x), logP(x)), lo, hi);
  },
};

/**
 * Wasserstein-1 = integral |F_P - F_Q| dx, the distance a 1-Lipschitz critic estimates.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { W1_EXACT } from "../../mod.ts";
 * const logN = (m: number) => (x: number) => -0.5 * (x - m) ** 2 - 0.5 * Math.log(2 * Math.PI);
 * // A shift by 1 moves every unit of mass by 1.
 * assert.ok(Math.abs(W1_EXACT.between(logN(0), logN(1), -15, 16) - 1) < 1e-4);
 * ```
 */
export const W1_EXACT: ExactDivergence = {
  doc: "Wasserstein-1 = integral |F_P - F_Q| dx",
  between(logP, logQ, lo, hi) {
    // |F_P - F_Q| integrated with the trapezoid rule on cumulative sums of the densities.
    const n = 40000, h = (hi - lo) / n;
    let [fp, fq, w] = [0, 0, 0];
    for (let i = 0; i < n; i++) {
      const x = lo + (i + 0.5) * h;
      fp += Math.exp(logP(x)) * h;
      fq += Math.exp(logQ(x)) * h;
      w += Math.abs(fp - fq) * h;
    }
    return w;
  },
};
