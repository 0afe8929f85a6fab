/**
 * A small derivative-free minimiser (Nelder-Mead), for direct optima of
 * divergences in a few parameters.
 * @module
 */

/** Options for {@link nelderMead}. */
export interface NelderMeadOptions {
  /** Initial simplex edge along each axis (default 0.1). */
  step?: number;
  /** Stop when the simplex's values differ by less than this (default 1e-10). */
  tolerance?: number;
  /** Iteration limit (default 2000). */
  maxIterations?: number;
}

/**
 * Minimises `f` from `x0` with the standard Nelder-Mead moves (reflection
 * 1, expansion 2, contraction 1/2, shrink 1/2). NaN counts as +Infinity.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nelderMead } from "../../mod.ts";
 * const { x } = nelderMead(([a, b]) => (a - 1) ** 2 + 10 * (b + 2) ** 2, [0, 0]);
 * assert.ok(Math.abs(x[0] - 1) < 1e-4 && Math.abs(x[1] + 2) < 1e-4);
 * ```
 */
export function nelderMead(
  f: (x: number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions = {},
): { x: number[]; value: number; iterations: number } {
  const { step = 0.1, tolerance = 1e-10, maxIterations = 2000 } = options;
  const cost = (x: number[]) => {
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  const n = x0.length;
  let simplex = [x0.slice(), ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step : v)))]
    .map((x) => ({ x, v: cost(x) }));
  let iterations = 0;
  const along = (a: number[], b: number[], t: number) => a.map((ai, i) => ai + t * (b[i] - ai));
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((a, b) => a.v - b.v);
    if (Math.abs(simplex[n].v - simplex[0].v) < tolerance) break;
    const centroid = x0.map((_, i) => simplex.slice(0, n).reduce((s, p) => s + p.x[i], 0) / n);
    const worst = simplex[n];
    const reflected = along(centroid, worst.x, -1);
    const r = cost(reflected);
    if (r < simplex[0].v) {
      const expanded = along(centroid, worst.x, -2);
      const e = cost(expanded);
      simplex[n] = e < r ? { x: expanded, v: e } : { x: reflected, v: r };
    } else if (r < simplex[n - 1].v) {
      simplex[n] = { x: reflected, v: r };
    } else {
      const contracted = along(centroid, worst.x, 0.5);
      const c = cost(contracted);
      if (c < worst.v) simplex[n] = { x: contracted, v: c };
      else {
        const best = simplex[0].x;
        simplex = simplex.map((p, i) => {
          if (i === 0) return p;
          const x = along(best, p.x, 0.5);
          return { x, v: cost(x) };
        });
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return { x: simplex[0].x, value: simplex[0].v, iterations };
}
