import assert from "node:assert/strict";
import { type Prdc, prdc, prdcOf, prdcReference } from "../src/metrics/prdc.ts";
import { squaredDistanceBlocks } from "../src/metrics/distances.ts";
import { Rng } from "../src/rng.ts";

/** The definitions written out naively: full distance lists, sorted. */
function naivePrdc(real: Float32Array, fake: Float32Array, dim: number, kPR = 3, kDC = 5): Prdc {
  const rows = (x: Float32Array) =>
    Array.from(
      { length: x.length / dim },
      (_, i) => Array.from(x.subarray(i * dim, (i + 1) * dim)),
    );
  const dist = (a: number[], b: number[]) =>
    Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
  const kth = (set: number[][], i: number, k: number) =>
    set.filter((_, j) => j !== i).map((p) => dist(set[i], p)).sort((a, b) => a - b)[k - 1];
  const r = rows(real), f = rows(fake);
  const rPR = r.map((_, i) => kth(r, i, kPR)), rDC = r.map((_, i) => kth(r, i, kDC));
  const fPR = f.map((_, j) => kth(f, j, kPR));
  const precision = f.filter((q) => r.some((p, i) => dist(p, q) < rPR[i])).length / f.length;
  const recall = r.filter((p) => f.some((q, j) => dist(p, q) < fPR[j])).length / r.length;
  let inBalls = 0;
  for (const q of f) for (let i = 0; i < r.length; i++) if (dist(r[i], q) < rDC[i]) inBalls++;
  const coverage = r.filter((p, i) => f.some((q) => dist(p, q) < rDC[i])).length / r.length;
  return { precision, recall, density: inBalls / (kDC * f.length), coverage };
}

const normal = (n: number, dim: number, seed: number, name: string, mean = 0) =>
  Rng.derive(seed, name).fillNormal(new Float32Array(n * dim), mean, 1);

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

Deno.test("blocked distances match the direct formula, for any block size", () => {
  const a = normal(13, 5, 0, "a"), b = normal(7, 5, 0, "b");
  for (const blockRows of [1, 4, 5, 64]) {
    squaredDistanceBlocks(a, b, 5, (start, rows, block) => {
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < 7; j++) {
          let s = 0;
          for (let k = 0; k < 5; k++) s += (a[(start + r) * 5 + k] - b[j * 5 + k]) ** 2;
          assert.ok(Math.abs(block[r * 7 + j] - s) <= 1e-6 * s);
        }
      }
    }, blockRows);
  }
});

Deno.test("prdc matches a naive implementation of the definitions", () => {
  for (const [seed, dim] of [[1, 2], [2, 6]]) {
    const real = normal(60, dim, seed, "real"), fake = normal(45, dim, seed, "fake", 0.5);
    const fast = prdcOf(real, fake, dim), slow = naivePrdc(real, fake, dim);
    for (const key of ["precision", "recall", "density", "coverage"] as const) {
      assert.ok(Math.abs(fast[key] - slow[key]) < 1e-12, `${key}: ${fast[key]} vs ${slow[key]}`);
    }
  }
});

Deno.test("one distribution: density ~ 1 and coverage ~ its exact expectation", () => {
  // N = M = 400 points in 8-D, averaged over 8 seeds. E[density] = 1 exactly; E[coverage] =
  // 1 - prod_{i<5} (N-1-i)/(N-1+M-i) = 0.9694 (1 - 2^-5 = 0.96875 in the limit).
  const n = 400, dim = 8;
  const runs = Array.from(
    { length: 8 },
    (_, s) => prdcOf(normal(n, dim, s, "r"), normal(n, dim, s, "f"), dim),
  );
  let prod = 1;
  for (let i = 0; i < 5; i++) prod *= (n - 1 - i) / (2 * n - 1 - i);
  const density = mean(runs.map((r) => r.density)), coverage = mean(runs.map((r) => r.coverage));
  assert.ok(Math.abs(density - 1) < 0.03, `density ${density}`);
  assert.ok(Math.abs(coverage - (1 - prod)) < 0.01, `coverage ${coverage} vs ${1 - prod}`);
  // Precision and recall are exchangeable here (same expectation) and below 1 for finite
  // samples; measured mean 0.88 each in 8-D with k = 3 (0.55 in 128-D with N = M = 2000).
  const precision = mean(runs.map((r) => r.precision)), recall = mean(runs.map((r) => r.recall));
  assert.ok(Math.abs(precision - recall) < 0.03, `precision ${precision}, recall ${recall}`);
  assert.ok(precision > 0.8 && precision < 0.95, `precision ${precision}`);
});

Deno.test("disjoint distributions give 0 for all four", () => {
  const m = prdcOf(normal(300, 4, 0, "r"), normal(300, 4, 0, "f", 50), 4);
  assert.deepEqual(m, { precision: 0, recall: 0, density: 0, coverage: 0 });
});

Deno.test("mode dropping: fakes from one of two real clusters halve recall and coverage", () => {
  // Real: 400 points around 0 and 400 around 50 (2-D); fake: 400 points around 0 only.
  const dim = 2, n = 400;
  const runs = Array.from({ length: 6 }, (_, s) => {
    const real = new Float32Array(2 * n * dim);
    real.set(normal(n, dim, s, "a"));
    real.set(normal(n, dim, s, "b", 50), n * dim);
    const sameMode = prdcOf(real.subarray(0, n * dim), normal(n, dim, s, "f"), dim);
    return { dropped: prdc(prdcReference(real, dim), normal(n, dim, s, "f")), sameMode };
  });
  const avg = (key: keyof Prdc, which: "dropped" | "sameMode") =>
    mean(runs.map((r) => r[which][key]));
  // Precision and density see only the kept cluster: same as fakes against that cluster alone.
  assert.ok(Math.abs(avg("precision", "dropped") - avg("precision", "sameMode")) < 0.02);
  assert.ok(Math.abs(avg("density", "dropped") - 1) < 0.05, `${avg("density", "dropped")}`);
  // Recall and coverage halve.
  assert.ok(Math.abs(avg("recall", "dropped") - avg("recall", "sameMode") / 2) < 0.02);
  assert.ok(Math.abs(avg("coverage", "dropped") - avg("coverage", "sameMode") / 2) < 0.02);
});

Deno.test("k-NN needs more than k points", () => {
  assert.throws(() => prdcOf(new Float32Array(4), new Float32Array(10), 1), /more than 4 points/);
});
