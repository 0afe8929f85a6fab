import assert from "node:assert/strict";
import { grid25, mixture, ring8, swissroll } from "../src/data/toy.ts";
import { Rng } from "../src/rng.ts";

Deno.test("ring8 follows the WGAN-GP recipe: radius 2/1.414, std 0.02/1.414, 8 distinct modes", () => {
  const data = ring8();
  assert.equal(data.modes?.length, 8);
  const keys = new Set(data.modes!.map((m) => m.centre.map((v) => v.toFixed(6)).join(",")));
  assert.equal(keys.size, 8);
  for (const m of data.modes!) {
    assert.ok(Math.abs(Math.hypot(m.centre[0], m.centre[1]) - 2 / 1.414) < 1e-12);
    assert.deepEqual(m.std, [0.02 / 1.414, 0.02 / 1.414]);
  }
  const x = data.sample(4000, Rng.derive(0, "data"));
  let far = 0;
  for (let i = 0; i < 4000; i++) {
    const r = Math.hypot(x[2 * i], x[2 * i + 1]);
    if (Math.abs(r - 2 / 1.414) > 5 * 0.02 / 1.414) far++;
  }
  assert.ok(far < 4, `${far} samples far from the ring`);
});

Deno.test("grid25 has 25 modes at (2x, 2y)/2.828 with std 0.05/2.828", () => {
  const data = grid25();
  assert.equal(data.modes?.length, 25);
  const xs = [...new Set(data.modes!.map((m) => m.centre[0].toFixed(9)))].map(Number).sort((a, b) =>
    a - b
  );
  assert.deepEqual(xs.map((v) => Math.round(v * 2.828)), [-4, -2, 0, 2, 4]);
  assert.equal(data.modes![0].std[0], 0.05 / 2.828);
});

Deno.test("mixture draws components by weight with their means and stds", () => {
  const data = mixture([{ weight: 1, mean: [-2], std: [0.1] }, {
    weight: 3,
    mean: [5],
    std: [0.5],
  }]);
  const x = data.sample(20000, Rng.derive(1, "data"));
  const right = x.filter((v) => v > 1.5);
  const left = x.filter((v) => v <= 1.5);
  assert.ok(Math.abs(right.length / x.length - 0.75) < 0.015, `share ${right.length / x.length}`);
  const m = right.reduce((s, v) => s + v, 0) / right.length;
  const sd = Math.sqrt(right.reduce((s, v) => s + (v - m) ** 2, 0) / right.length);
  assert.ok(Math.abs(m - 5) < 0.02 && Math.abs(sd - 0.5) < 0.02, `mean ${m} sd ${sd}`);
  assert.ok(Math.abs(left.reduce((s, v) => s + v, 0) / left.length + 2) < 0.01);
});

Deno.test("swissroll stays within the scaled roll and is seeded", () => {
  const a = swissroll().sample(1000, Rng.derive(2, "data"));
  const b = swissroll().sample(1000, Rng.derive(2, "data"));
  assert.deepEqual(a, b);
  // t in [1.5 pi, 4.5 pi]: radius t/7.5 in [0.63, 1.89], plus noise 0.25/7.5.
  for (let i = 0; i < 1000; i++) {
    const r = Math.hypot(a[2 * i], a[2 * i + 1]);
    assert.ok(r > 0.45 && r < 2.1, `radius ${r}`);
  }
});
