import assert from "node:assert/strict";
import { PARZEN_SIGMAS, parzenEstimate, parzenLogLikelihoods } from "../src/metrics/parzen.ts";
import { Rng } from "../src/rng.ts";

const normal = (n: number, seed: number, name: string, std = 1) =>
  Rng.derive(seed, name).fillNormal(new Float32Array(n), 0, std);

Deno.test("the sigma grid is numpy's logspace(-1, 0, 10)", () => {
  assert.equal(PARZEN_SIGMAS.length, 10);
  assert.ok(Math.abs(PARZEN_SIGMAS[0] - 0.1) < 1e-15 && Math.abs(PARZEN_SIGMAS[9] - 1) < 1e-15);
  assert.ok(Math.abs(PARZEN_SIGMAS[1] - 0.12915496650148839) < 1e-15);
});

Deno.test("log-likelihoods equal the log of the directly summed Gaussian densities", () => {
  const dim = 3, centres = normal(40 * dim, 0, "c"), points = normal(15 * dim, 0, "p");
  const sigmas = [0.3, 1];
  const lls = parzenLogLikelihoods(centres, points, dim, sigmas);
  sigmas.forEach((s, t) => {
    for (let j = 0; j < 15; j++) {
      let density = 0;
      for (let i = 0; i < 40; i++) {
        let pdf = 1;
        for (let k = 0; k < dim; k++) {
          const z = (points[j * dim + k] - centres[i * dim + k]) / s;
          pdf *= Math.exp(-z * z / 2) / (s * Math.sqrt(2 * Math.PI));
        }
        density += pdf / 40;
      }
      assert.ok(
        Math.abs(lls[t][j] - Math.log(density)) < 1e-5,
        `${lls[t][j]} vs ${Math.log(density)}`,
      );
    }
  });
});

Deno.test("a point far from every centre gets a finite, exact log-likelihood", () => {
  // Two identical centres: the log-mean-exp equals one kernel. Direct summation underflows
  // to log(0) here; the shifted log-mean-exp does not.
  const [[ll]] = parzenLogLikelihoods(new Float32Array([0, 0]), new Float32Array([100]), 1, [0.1]);
  const expected = -(100 ** 2) / (2 * 0.01) - Math.log(0.1 * Math.sqrt(2 * Math.PI));
  assert.ok(Math.abs(ll - expected) / Math.abs(expected) < 1e-12, `${ll} vs ${expected}`);
});

Deno.test("Gaussian centres: the KDE is N(0, s^2 + sigma^2), whose expected log-likelihood is known", () => {
  // Centres and test points from N(0, s^2 I), d = 2; with many centres the kernel density is
  // close to N(0, (s^2 + sigma^2) I), so E ll = -d/2 log(2 pi v) - d/2 s^2 / v, v = s^2 + sigma^2.
  const dim = 2, s = 1, sigma = 0.5;
  const centres = normal(20000 * dim, 1, "centres", s), test = normal(2000 * dim, 1, "test", s);
  const [ll] = parzenLogLikelihoods(centres, test, dim, [sigma]);
  const mean = ll.reduce((a, b) => a + b, 0) / ll.length;
  const v = s * s + sigma * sigma;
  const expected = -(dim / 2) * Math.log(2 * Math.PI * v) - (dim / 2) * (s * s) / v;
  // Test-sample spread of the mean: std(ll) / sqrt(2000) ~ 0.02.
  assert.ok(Math.abs(mean - expected) < 0.05, `${mean} vs ${expected}`);
});

Deno.test("parzenEstimate picks the best width on validation and reports the test mean and s.e.", () => {
  const centres = normal(3000, 2, "c", 0.3), validation = normal(300, 2, "v", 0.3);
  const test = normal(500, 2, "t", 0.3);
  const r = parzenEstimate(centres, validation, test, 1);
  const perWidth = parzenLogLikelihoods(centres, validation, 1, PARZEN_SIGMAS)
    .map((ll) => ll.reduce((a, b) => a + b, 0) / ll.length);
  const best = PARZEN_SIGMAS[perWidth.indexOf(Math.max(...perWidth))];
  assert.equal(r.sigma, best);
  // Silverman's rule for 3000 points of std 0.3 gives ~0.06, below the grid: the smallest
  // width, 0.1, must win.
  assert.equal(r.sigma, 0.1);
  const [ll] = parzenLogLikelihoods(centres, test, 1, [best]);
  const mean = ll.reduce((a, b) => a + b, 0) / ll.length;
  const std = Math.sqrt(ll.reduce((a, b) => a + (b - mean) ** 2, 0) / ll.length);
  assert.ok(Math.abs(r.mean - mean) < 1e-12 && Math.abs(r.stderr - std / Math.sqrt(500)) < 1e-12);
});
