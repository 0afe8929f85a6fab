import assert from "node:assert/strict";
import { kdeDivergences } from "../src/metrics/kde.ts";
import { Rng } from "../src/rng.ts";

const gaussian = (seed: number, n: number, shiftX = 0) => {
  const x = Rng.derive(seed, "kde").fillNormal(new Float32Array(2 * n));
  for (let i = 0; i < n; i++) x[2 * i] += shiftX;
  return x;
};

Deno.test("KDE divergences of two samples of one distribution are near 0", () => {
  const { kl, js } = kdeDivergences(gaussian(1, 3000), gaussian(2, 3000));
  assert.ok(kl < 0.02 && js < 0.005, `kl ${kl} js ${js}`);
});

Deno.test("KDE KL between N(0, I) and N((1, 0), I) matches the smoothed closed form d^2 / (2 (1 + h^2))", () => {
  const n = 4000, h = 0.25;
  const { kl, js } = kdeDivergences(gaussian(3, n), gaussian(4, n, 1), {
    bandwidth: h,
    cells: 120,
  });
  const want = 1 / (2 * (1 + h * h));
  assert.ok(Math.abs(kl - want) < 0.05, `kl ${kl} vs ${want}`);
  assert.ok(js > 0.05 && js < Math.LN2, `js ${js}`);
});

Deno.test("KDE JS of disjoint samples approaches log 2", () => {
  const { js } = kdeDivergences(gaussian(5, 1000), gaussian(6, 1000, 40), { bandwidth: 0.3 });
  assert.ok(Math.abs(js - Math.LN2) < 1e-3, `js ${js}`);
});
