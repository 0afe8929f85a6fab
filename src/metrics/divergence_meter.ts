/**
 * Ground truth for 1-D experiments: the exact divergence between a Gaussian
 * mixture P (the data) and a Gaussian Q = N(mu, sigma^2) (a location-scale
 * generator), by numerical integration, in the units each objective's critic
 * estimates; and the Q that minimises it, found directly.
 * @module
 */
import type { Component } from "../data/toy.ts";
import { type ObjectiveName, OBJECTIVES } from "../objectives/objectives.ts";
import { nelderMead } from "./optimize.ts";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** log N(x; mean, std^2). */
function logNormal(x: number, mean: number, std: number): number {
  const z = (x - mean) / std;
  return -0.5 * z * z - Math.log(std) - LOG_SQRT_2PI;
}

/** log p(x) of a 1-D mixture, computed with log-sum-exp. */
export function mixtureLogDensity(components: readonly Component[], x: number): number {
  const total = components.reduce((s, c) => s + c.weight, 0);
  const terms = components.map((c) =>
    Math.log(c.weight / total) + logNormal(x, c.mean[0], c.std[0])
  );
  const top = Math.max(...terms);
  return top + Math.log(terms.reduce((s, t) => s + Math.exp(t - top), 0));
}

/**
 * The objectives {@link trueDivergence} knows, with what each one's exact
 * divergence is: derived from the objective table's `divergence.exact` records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MEASURED } from "../../mod.ts";
 * assert.match(MEASURED.minimax, /JSD/);
 * assert.equal(MEASURED.least_squares, undefined); // no exact form recorded
 * ```
 */
export const MEASURED: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(OBJECTIVES).flatMap(([name, o]) => {
    const exact = (o as { divergence?: { exact?: { doc: string } } }).divergence?.exact;
    return exact ? [[name, exact.doc]] : [];
  }),
);

function range(components: readonly Component[], mu: number, sigma: number): [number, number] {
  const los = [...components.map((c) => c.mean[0] - 14 * c.std[0]), mu - 14 * sigma];
  const his = [...components.map((c) => c.mean[0] + 14 * c.std[0]), mu + 14 * sigma];
  return [Math.min(...los), Math.max(...his)];
}

/**
 * The divergence that `objective`'s critic estimates, between the 1-D
 * mixture `components` (P) and N(mu, sigma^2) (Q), computed by the
 * objective record's ground truth (`divergence.exact`); undefined for
 * objectives without one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trueDivergence } from "../../mod.ts";
 * const p = [{ weight: 1, mean: [0], std: [1] }];
 * // JSD(N(0,1), N(1,1)) = 0.111421 nats (REFERENCE.md §2).
 * assert.ok(Math.abs(trueDivergence("minimax", p, 1, 1)! - 0.111421) < 1e-6);
 * ```
 */
export function trueDivergence(
  objective: string,
  components: readonly Component[],
  mu: number,
  sigma: number,
): number | undefined {
  const exact = Object.hasOwn(OBJECTIVES, objective)
    ? OBJECTIVES[objective as ObjectiveName].divergence?.exact
    : undefined;
  if (!exact) return undefined;
  const s = Math.abs(sigma);
  const [lo, hi] = range(components, mu, s);
  return exact.between(
    (x) => mixtureLogDensity(components, x),
    (x) => logNormal(x, mu, s),
    lo,
    hi,
  );
}

/**
 * The Gaussian N(mu, sigma^2) that directly minimises `objective`'s
 * divergence to the mixture: Nelder-Mead over (mu, log sigma) from the
 * mixture's moments and from each component, the best of those runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { directOptimum } from "../../mod.ts";
 * const p = [{ weight: 1, mean: [-2], std: [0.5] }, { weight: 1, mean: [2], std: [0.5] }];
 * // Forward KL matches moments: mu = 0, sigma^2 = 0.25 + 4.
 * const { mu, sigma } = directOptimum("kl", p);
 * assert.ok(Math.abs(mu) < 1e-3 && Math.abs(sigma - Math.sqrt(4.25)) < 1e-3);
 * ```
 */
export function directOptimum(
  objective: string,
  components: readonly Component[],
): { mu: number; sigma: number; divergence: number } {
  const total = components.reduce((s, c) => s + c.weight, 0);
  const mean = components.reduce((s, c) => s + (c.weight / total) * c.mean[0], 0);
  const variance = components.reduce(
    (s, c) => s + (c.weight / total) * (c.std[0] ** 2 + (c.mean[0] - mean) ** 2),
    0,
  );
  const cost = ([mu, logSigma]: number[]) =>
    trueDivergence(objective, components, mu, Math.exp(logSigma)) ?? NaN;
  // Mode-seeking divergences have a local optimum per mode: start at the moments and at each
  // component, and keep the best.
  const starts = [
    [mean, 0.5 * Math.log(variance)],
    ...components.map((c) => [c.mean[0], Math.log(c.std[0])]),
  ];
  const best = starts.map((x0) => nelderMead(cost, x0, { step: 0.5, tolerance: 1e-10 }))
    .reduce((a, b) => (b.value < a.value ? b : a));
  return { mu: best.x[0], sigma: Math.exp(best.x[1]), divergence: best.value };
}
