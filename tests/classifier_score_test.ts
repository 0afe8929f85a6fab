import assert from "node:assert/strict";
import { classifierScore } from "../src/metrics/classifier_score.ts";
import { Rng } from "../src/rng.ts";

const oneHot = (labels: number[], classes: number) => {
  const p = new Float32Array(labels.length * classes);
  labels.forEach((y, i) => p[i * classes + y] = 1);
  return p;
};

Deno.test("confident predictions spread evenly over 10 classes score 10", () => {
  const labels = Array.from({ length: 1000 }, (_, i) => i % 10);
  assert.ok(Math.abs(classifierScore(oneHot(labels, 10), 10) - 10) < 1e-9);
});

Deno.test("one repeated class scores 1, confident or not", () => {
  assert.ok(Math.abs(classifierScore(oneHot(new Array(500).fill(3), 10), 10) - 1) < 1e-12);
  const row = Rng.derive(0, "row").fillUniform(new Float64Array(10));
  const total = row.reduce((a, b) => a + b, 0);
  const probs = new Float64Array(5000);
  for (let i = 0; i < 500; i++) row.forEach((v, c) => probs[i * 10 + c] = v / total);
  assert.ok(Math.abs(classifierScore(probs, 10) - 1) < 1e-9);
});

Deno.test("uniform p(y|x) scores 1; confident but unbalanced classes score exp(H(p(y)))", () => {
  assert.ok(Math.abs(classifierScore(new Float32Array(100).fill(0.1), 10) - 1) < 1e-6);
  // Classes 0 and 1 with shares 3/4 and 1/4: exp(entropy) of (3/4, 1/4).
  const score = classifierScore(oneHot([0, 0, 0, 1], 2), 2);
  const entropy = -(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25));
  assert.ok(Math.abs(score - Math.exp(entropy)) < 1e-12);
});

Deno.test("classifierScore rejects a ragged probability array", () => {
  assert.throws(() => classifierScore(new Float32Array(15), 10), /not rows of 10 classes/);
});
