import assert from "node:assert/strict";
import { directOptimum, trueDivergence } from "../src/metrics/divergence_meter.ts";
import { nelderMead } from "../src/metrics/optimize.ts";

const standard = [{ weight: 1, mean: [0], std: [1] }];
const close = (got: number | undefined, want: number, tol = 1e-6) =>
  assert.ok(got !== undefined && Math.abs(got - want) < tol, `${got} vs ${want}`);

Deno.test("true divergences between N(0,1) and N(1,1) match their closed forms", () => {
  const Phi = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2));
  close(trueDivergence("kl", standard, 1, 1), 0.5); // (mu1 - mu2)^2 / 2
  close(trueDivergence("reverse_kl", standard, 1, 1), 0.5);
  close(trueDivergence("jeffrey", standard, 1, 1), 1);
  close(trueDivergence("pearson", standard, 1, 1), Math.E - 1); // exp(d^2) - 1
  close(trueDivergence("neyman", standard, 1, 1), Math.E - 1);
  close(trueDivergence("squared_hellinger", standard, 1, 1), 2 * (1 - Math.exp(-1 / 8)));
  close(trueDivergence("total_variation", standard, 1, 1), 2 * Phi(0.5) - 1, 1e-5);
  close(trueDivergence("jensen_shannon", standard, 1, 1), 0.222843); // 2 JSD (REFERENCE.md §2)
  close(trueDivergence("gan", standard, 1, 1), 0.222843 - Math.log(4));
  close(trueDivergence("minimax", standard, 1, 1), 0.111421); // JSD
  close(trueDivergence("wasserstein", standard, 1, 1), 1, 1e-4); // a shift by 1
  assert.equal(trueDivergence("hinge", standard, 1, 1), undefined);
});

Deno.test("KL between Gaussians of different widths matches log(s2/s1) + (s1^2 + d^2)/(2 s2^2) - 1/2", () => {
  const p = [{ weight: 1, mean: [0.5], std: [0.7] }];
  const want = (m1: number, s1: number, m2: number, s2: number) =>
    Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5;
  close(trueDivergence("kl", p, -1, 1.8), want(0.5, 0.7, -1, 1.8));
  close(trueDivergence("reverse_kl", p, -1, 1.8), want(-1, 1.8, 0.5, 0.7));
});

Deno.test("direct optima: forward KL matches moments; reverse KL and Neyman seek a mode", () => {
  const p = [{ weight: 1, mean: [-2], std: [0.5] }, { weight: 1, mean: [2], std: [0.5] }];
  const kl = directOptimum("kl", p);
  close(kl.mu, 0, 1e-3);
  close(kl.sigma, Math.sqrt(4.25), 1e-3);
  for (const name of ["reverse_kl", "neyman"]) {
    const m = directOptimum(name, p);
    close(Math.abs(m.mu), 2, 0.01);
    close(m.sigma, 0.5, 0.01);
  }
  close(directOptimum("reverse_kl", p).divergence, Math.LN2, 1e-3); // Q on one mode: KL(Q || P) = log 2
});

Deno.test("Nelder-Mead finds the minimum of the Rosenbrock function", () => {
  const { x } = nelderMead(([a, b]) => (1 - a) ** 2 + 100 * (b - a * a) ** 2, [-1.2, 1], {
    maxIterations: 5000,
    tolerance: 1e-14,
  });
  close(x[0], 1, 1e-3);
  close(x[1], 1, 1e-3);
});

/** Abramowitz-Stegun 7.1.26 is too coarse here; use the series/continued fraction via erfc. */
function erf(x: number): number {
  // erf by its Maclaurin series (|x| <= 3 here), accurate to ~1e-15.
  let sum = x, term = x;
  for (let n = 1; n < 100; n++) {
    term *= -x * x / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
