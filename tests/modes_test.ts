import assert from "node:assert/strict";
import { ring8 } from "../src/data/toy.ts";
import { modeMetrics } from "../src/metrics/modes.ts";
import { Rng } from "../src/rng.ts";

const ring = ring8();

Deno.test("mode metrics of real ring8 data: 8 modes, ~98.9% high quality, near-zero reverse KL", () => {
  const m = modeMetrics(ring.sample(2500, Rng.derive(0, "real")), ring.modes!);
  assert.equal(m.modes, 8);
  // P(chi_2 <= 9) = 1 - exp(-4.5) = 0.9889 for a 2-D isotropic Gaussian.
  assert.ok(Math.abs(m.hq - 0.9889) < 0.01, `hq ${m.hq}`);
  assert.ok(m.reverse_kl < 0.01, `reverse KL ${m.reverse_kl}`);
});

Deno.test("mode metrics of a collapsed generator: 1 mode, reverse KL = log 8", () => {
  const c = ring.modes![3].centre;
  const samples = new Float32Array(200).map((_, i) => c[i % 2]);
  const m = modeMetrics(samples, ring.modes!);
  assert.deepEqual(m, { modes: 1, hq: 1, reverse_kl: Math.log(8) });
});

Deno.test("mode metrics: samples beyond 3 std are not high quality and no HQ sample gives log M", () => {
  const modes = [{ centre: [0, 0], std: [1, 1] }, { centre: [10, 0], std: [1, 1] }];
  const m = modeMetrics(new Float32Array([0, 2.99, 10, 3.01, 5, 5]), modes);
  assert.equal(m.modes, 1);
  assert.equal(m.hq, 1 / 3);
  assert.equal(m.reverse_kl, Math.log(2));
  assert.deepEqual(modeMetrics(new Float32Array([5, 5]), modes), {
    modes: 0,
    hq: 0,
    reverse_kl: Math.log(2),
  });
});

Deno.test("mode metrics: reverse KL of a 3:1 split over two modes", () => {
  const modes = [{ centre: [0], std: [1] }, { centre: [10], std: [1] }];
  const m = modeMetrics(new Float32Array([0, 0, 0, 10]), modes);
  const expected = 0.75 * Math.log(0.75 * 2) + 0.25 * Math.log(0.25 * 2);
  assert.ok(Math.abs(m.reverse_kl - expected) < 1e-12);
});
