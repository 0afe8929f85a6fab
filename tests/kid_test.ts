import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { ring8 } from "../src/data/toy.ts";
import { evaluate } from "../src/metrics/evaluate.ts";
import { kid } from "../src/metrics/kid.ts";
import { Rng } from "../src/rng.ts";
import { Trainer } from "../src/train/trainer.ts";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

/** The estimator written out as its definition: plain double loops, no shared sums. */
function naiveMmd2(x: number[][], y: number[][]): number {
  const d = x[0].length;
  const k = (a: number[], b: number[]) => (a.reduce((s, v, i) => s + v * b[i], 0) / d + 1) ** 3;
  const [n, m] = [x.length, y.length];
  let xx = 0, yy = 0, xy = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) xx += k(x[i], x[j]);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) yy += k(y[i], y[j]);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) xy += k(x[i], y[j]);
  return xx / (n * (n - 1)) + yy / (m * (m - 1)) - (2 * xy) / (n * m);
}

/** The two-sample jackknife, recomputing the estimate with each vector left out. */
function naiveSe(x: number[][], y: number[][]): number {
  const part = (thetas: number[]) => {
    const n = thetas.length, mean = thetas.reduce((a, b) => a + b, 0) / n;
    return ((n - 1) / n) * thetas.reduce((s, t) => s + (t - mean) ** 2, 0);
  };
  const without = <T>(a: T[], i: number) => a.filter((_, j) => j !== i);
  return Math.sqrt(
    part(x.map((_, i) => naiveMmd2(without(x, i), y))) +
      part(y.map((_, j) => naiveMmd2(x, without(y, j)))),
  );
}

const rows = (a: Float32Array, d: number) =>
  Array.from({ length: a.length / d }, (_, i) => Array.from(a.subarray(i * d, (i + 1) * d)));
const normal = (n: number, stream: string, shift = 0) =>
  Rng.derive(7, stream).fillNormal(new Float32Array(n)).map((v) => v + shift);

Deno.test("KID equals the double-loop definition and its leave-one-out jackknife", () => {
  for (const [n, m, d] of [[3, 3, 1], [7, 9, 3], [20, 13, 2], [11, 30, 5]]) {
    const x = normal(n * d, `x${n}`), y = normal(m * d, `y${m}`, 0.3);
    const got = kid(x, y, d);
    const [want, wantSe] = [naiveMmd2(rows(x, d), rows(y, d)), naiveSe(rows(x, d), rows(y, d))];
    assert.ok(
      Math.abs(got.value - want) <= 1e-10 * (1 + Math.abs(want)),
      `${got.value} vs ${want}`,
    );
    assert.ok(Math.abs(got.se - wantSe) <= 1e-8 * (1 + wantSe), `${got.se} vs ${wantSe}`);
  }
});

Deno.test("KID of a set against itself and of two draws of one distribution is 0 within noise", () => {
  const x = normal(4000, "same");
  const self = kid(x, x, 2);
  assert.ok(Math.abs(self.value) < 2 * self.se, JSON.stringify(self));
  const real = ring8(), draws = 200, n = 200;
  const values = Array.from(
    { length: draws },
    (_, i) => kid(real.sample(n, Rng.derive(i, "a")), real.sample(n, Rng.derive(i, "b")), 2).value,
  );
  const mean = values.reduce((a, b) => a + b, 0) / draws;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (draws - 1));
  // Unbiased: the mean over many pairs is within 3.5 standard errors of the mean of 0.
  assert.ok(Math.abs(mean) < 3.5 * std / Math.sqrt(draws), `mean ${mean}, std ${std}`);
  assert.ok(values.some((v) => v < 0), "an unbiased estimate of 0 is sometimes negative");
});

Deno.test("KID's jackknife standard error matches the spread over repeated draws", () => {
  const draws = 100, n = 300;
  const runs = Array.from(
    { length: draws },
    (_, i) => kid(normal(n, `p${i}`), normal(n, `q${i}`, 0.25), 1),
  );
  const mean = runs.reduce((s, r) => s + r.value, 0) / draws;
  const std = Math.sqrt(runs.reduce((s, r) => s + (r.value - mean) ** 2, 0) / (draws - 1));
  const se = runs.reduce((s, r) => s + r.se, 0) / draws;
  assert.ok(Math.abs(se / std - 1) < 0.25, `jackknife ${se}, observed ${std}`);
});

Deno.test("KID grows with a shift as the closed form says: N(0,1) vs N(delta,1) in 1-D", () => {
  // k(x, y) = (xy + 1)^3 = x³y³ + 3x²y² + 3xy + 1, so
  // MMD² = (m3(P) - m3(Q))² + 3 (m2(P) - m2(Q))² + 3 (m1(P) - m1(Q))².
  const exact = (d: number) => (d ** 3 + 3 * d) ** 2 + 3 * d ** 4 + 3 * d ** 2;
  let last = -Infinity;
  for (const delta of [0, 0.1, 0.25, 0.5]) {
    const r = kid(normal(6000, "p"), normal(6000, "q", delta), 1);
    assert.ok(Math.abs(r.value - exact(delta)) < 4 * r.se, `${delta}: ${r.value} ± ${r.se}`);
    assert.ok(r.value > last);
    last = r.value;
  }
});

Deno.test("KID refuses too few vectors or a ragged set, saying what it got", () => {
  assert.throws(() => kid(new Float32Array(4), new Float32Array(10), 2), /at least 3 vectors of 2/);
  assert.throws(() => kid(new Float32Array(7), new Float32Array(10), 2), /got 7 and 10 values/);
});

await useBackend("wasm");

Deno.test("eval.metrics: [kid] adds eval/kid and eval/kid_se after the metrics ring8 always has", () => {
  const base = parseExperiment(tinyExperiment("/tmp/unused")).config;
  const withKid =
    parseExperiment(tinyExperiment("/tmp/unused"), { overrides: ["eval.metrics=[kid]"] })
      .config;
  const plain = Trainer.create(base), measured = Trainer.create(withKid);
  const a = evaluate(plain).metrics, b = evaluate(measured).metrics;
  assert.deepEqual(Object.keys(b), [...Object.keys(a), "eval/kid", "eval/kid_se"]);
  assert.deepEqual({ ...b, "eval/kid": 0, "eval/kid_se": 0 }, {
    ...a,
    "eval/kid": 0,
    "eval/kid_se": 0,
  });
  const real = plain.data.sample(200, Rng.derive(5, "eval/data"));
  assert.equal(b["eval/kid"], kid(real, evaluate(plain).samples, 2).value);
  plain.dispose();
  measured.dispose();
});

Deno.test("eval.metrics: [kid] on images or with too few samples is a load error", () => {
  const text = Deno.readTextFileSync(`${ROOT}experiments/dcgan-mnist.yaml`);
  assert.throws(
    () => parseExperiment(text, { overrides: ["eval.metrics=[kid]"] }),
    /eval\.metrics: kid measure vector data \(its coordinates are the features\) but mnist has 28x28x1/,
  );
  assert.throws(
    () =>
      parseExperiment(tinyExperiment("/tmp/unused"), {
        overrides: ["eval.metrics=[kid]", "eval.samples=2"],
      }),
    /eval\.samples: 2 samples are too few for eval\.metrics.*integer >= 3/,
  );
});
