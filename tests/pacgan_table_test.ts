import assert from "node:assert/strict";
import { GEOMETRY, meanSe, pacganMetrics } from "../tools/pacgan_table.ts";
import { grid25Pacgan, ring8Pacgan } from "../src/data/toy.ts";
import { modeMetrics } from "../src/metrics/modes.ts";
import { Rng } from "../src/rng.ts";

Deno.test("pacgan table: its geometry and metrics agree with Duel's, on samples near and far", () => {
  const sets = [[GEOMETRY.ring8, ring8Pacgan()], [GEOMETRY.grid25, grid25Pacgan()]] as const;
  for (const [geometry, data] of sets) {
    // The same modes, in some order.
    const key = (c: readonly number[]) => c.map((v) => v.toFixed(9)).join(",");
    assert.deepEqual(
      geometry.centres.map(key).sort(),
      data.modes!.map((m) => key(m.centre)).sort(),
    );
    assert.ok(data.modes!.every((m) => m.std.every((s) => s === geometry.std)));
    // Samples from the data, spread 1-6x wider so that some fall outside 3 std.
    for (const widen of [1, 2, 6]) {
      const rng = Rng.derive(widen, "pacgan-table-test");
      const raw = data.sample(500, rng);
      const points = Array.from({ length: 500 }, (_, i) => {
        const k = geometry.centres.reduce(
          (best, c, j) =>
            Math.hypot(raw[2 * i] - c[0], raw[2 * i + 1] - c[1]) <
                Math.hypot(
                  raw[2 * i] - geometry.centres[best][0],
                  raw[2 * i + 1] - geometry.centres[best][1],
                )
              ? j
              : best,
          0,
        );
        const c = geometry.centres[k];
        return [c[0] + widen * (raw[2 * i] - c[0]), c[1] + widen * (raw[2 * i + 1] - c[1])];
      });
      const ours = pacganMetrics(points, geometry);
      const duel = modeMetrics(new Float32Array(points.flat()), data.modes!);
      assert.equal(ours.modes, duel.modes);
      assert.ok(Math.abs(ours.hq - duel.hq) <= 2 / 500, `${ours.hq} vs ${duel.hq}`); // f32 rounding
      assert.ok(Math.abs(ours.reverseKl - duel.reverse_kl) < 0.02);
      // Distances in std are Rayleigh(widen): P(<= 3) = 1 - exp(-4.5 / widen^2), median
      // widen * sqrt(2 ln 2) = 1.18 widen.
      const [hq, median] = [1 - Math.exp(-4.5 / widen ** 2), 1.1774 * widen];
      assert.ok(Math.abs(ours.hq - hq) < 0.05, `hq ${ours.hq} against ${hq}`);
      assert.ok(Math.abs(ours.medianStd / median - 1) < 0.15, `median ${ours.medianStd}`);
    }
  }
});

Deno.test("pacgan table: mean and standard error", () => {
  assert.deepEqual(meanSe([1, 2, 3, 4]), { mean: 2.5, se: Math.sqrt(5 / 3 / 4) });
  assert.deepEqual(meanSe([7]), { mean: 7, se: 0 });
});
