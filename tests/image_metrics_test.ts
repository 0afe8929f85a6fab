import assert from "node:assert/strict";
import { heldOutMask } from "../src/data/image_set.ts";
import {
  computeImageMetrics,
  IMAGE_METRICS,
  imageMetricContext,
  type ImageMetricName,
  imageReference,
} from "../src/metrics/image_metrics.ts";
import type { ImageClassifier } from "../src/metrics/mnist_classifier.ts";
import { parzenEstimate } from "../src/metrics/parzen.ts";
import { Rng } from "../src/rng.ts";

const SHAPE = [8, 8, 1], PIXELS = 64;

/** A stand-in classifier: 4x4 average pooling as features, class = brightest quadrant. */
function poolingClassifier(): ImageClassifier & { calls: number } {
  const pooled = (x: Float32Array) => {
    const n = x.length / PIXELS, out = new Float32Array(n * 16);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < PIXELS; p++) {
        const [r, c] = [Math.floor(p / 8), p % 8];
        out[i * 16 + Math.floor(r / 2) * 4 + Math.floor(c / 2)] += x[i * PIXELS + p] / 4;
      }
    }
    return out;
  };
  const self = {
    inShape: SHAPE,
    classes: 4,
    featureDim: 16,
    calls: 0,
    features(x: Float32Array) {
      self.calls++;
      return pooled(x);
    },
    probabilities(x: Float32Array) {
      const f = pooled(x), n = x.length / PIXELS, p = new Float32Array(n * 4);
      for (let i = 0; i < n; i++) {
        const q = [0, 1, 2, 3].map((k) => f[i * 16 + [0, 2, 8, 10][k]]);
        p[i * 4 + q.indexOf(Math.max(...q))] = 1;
      }
      return p;
    },
  };
  return self;
}

/** Smooth random images in [-1, 1]: a random bright blob each. */
function blobs(n: number, seed: number): Float32Array {
  const rng = Rng.derive(seed, "blobs"), out = new Float32Array(n * PIXELS);
  for (let i = 0; i < n; i++) {
    const [cy, cx] = [rng.uniform() * 8, rng.uniform() * 8];
    for (let p = 0; p < PIXELS; p++) {
      const d2 = (Math.floor(p / 8) - cy) ** 2 + ((p % 8) - cx) ** 2;
      out[i * PIXELS + p] = 2 * Math.exp(-d2 / 4) - 1;
    }
  }
  return out;
}

const names = Object.keys(IMAGE_METRICS) as ImageMetricName[];

Deno.test("every metric computes from one context, classifier features taken once", () => {
  const classifier = poolingClassifier();
  const reference = imageReference(blobs(300, 0), SHAPE, classifier);
  assert.equal(classifier.calls, 1);
  const ctx = imageMetricContext(reference, blobs(300, 1));
  const m = computeImageMetrics(names, ctx);
  assert.deepEqual(Object.keys(m), names);
  assert.equal(classifier.calls, 2);
  for (const name of names) assert.ok(Number.isFinite(m[name]), name);
  // Same distribution: FD small against the feature variance (measured 0.052 vs trace 3.1),
  // k-NN metrics near their same-distribution values.
  let trace = 0;
  for (let i = 0; i < 16; i++) trace += reference.stats.cov[i * 17];
  assert.ok(m.frechet_distance < 0.05 * trace, `FD ${m.frechet_distance}, trace ${trace}`);
  // Confident predictions: the score is exp(entropy of the predicted-class histogram).
  const p = ctx.probabilities(),
    counts = [0, 1, 2, 3].map((k) => p.filter((v, i) => v === 1 && i % 4 === k).length);
  const entropy = -counts.reduce((s, c) => (c ? s + (c / 300) * Math.log(c / 300) : s), 0);
  assert.ok(Math.abs(m.classifier_score - Math.exp(entropy)) < 1e-9, `score ${m.classifier_score}`);
  assert.ok(m.classifier_score > 3, `score ${m.classifier_score}`);
  assert.ok(m.coverage > 0.9 && Math.abs(m.density - 1) < 0.2, JSON.stringify(m));
});

Deno.test("generated = real: FD 0, precision, recall and coverage 1", () => {
  const real = blobs(200, 0);
  const m = computeImageMetrics(
    ["frechet_distance", "precision", "recall", "coverage"],
    imageMetricContext(imageReference(real, SHAPE, poolingClassifier()), real),
  );
  assert.ok(m.frechet_distance < 1e-9);
  assert.ok(m.precision === 1 && m.recall === 1 && m.coverage === 1);
});

Deno.test("noise instead of images: large FD, almost no precision or density", () => {
  const reference = imageReference(blobs(300, 0), SHAPE, poolingClassifier());
  const noise = Rng.derive(0, "noise").fillUniform(new Float32Array(300 * PIXELS), -1, 1);
  const same = computeImageMetrics(
    ["frechet_distance"],
    imageMetricContext(reference, blobs(300, 1)),
  );
  const m = computeImageMetrics(names, imageMetricContext(reference, noise));
  assert.ok(m.frechet_distance > 100 * same.frechet_distance, `FD ${m.frechet_distance}`);
  assert.ok(m.precision < 0.05 && m.density < 0.05, JSON.stringify(m));
});

Deno.test("parzen_ll is the Parzen protocol on pixels mapped to [0, 1], real halves (seeded) for sigma and test", () => {
  const real = blobs(100, 0), generated = blobs(400, 1);
  const ctx = imageMetricContext(imageReference(real, SHAPE, poolingClassifier()), generated);
  const unit = (x: Float32Array) => x.map((v) => (v + 1) / 2);
  // The halves come from a fixed permutation, not the first and second half (held-out
  // sets may be sorted by class).
  const mask = heldOutMask("parzen", 100, 50);
  const side = (held: boolean) => {
    const rows = mask.flatMap((m, i) => m === held ? [i] : []);
    assert.equal(rows.length, 50);
    const out = new Float32Array(50 * PIXELS);
    rows.forEach((r, k) => out.set(unit(real).subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS));
    return out;
  };
  assert.ok(mask.slice(0, 50).some((m) => !m) && mask.slice(50).some((m) => m));
  const expected = parzenEstimate(unit(generated), side(true), side(false), PIXELS);
  assert.equal(IMAGE_METRICS.parzen_ll.compute(ctx), expected.mean);
  assert.deepEqual(ctx.parzen(), expected);
});
