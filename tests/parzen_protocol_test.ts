/** The Parzen estimate's protocol as an option (issue #22): centres, validation, counts. */
import assert from "node:assert/strict";
import { IMAGE_METRICS, imageMetricContext, imageReference } from "../src/metrics/image_metrics.ts";
import { parzenByCentres, parzenEstimate } from "../src/metrics/parzen.ts";
import { parseExperiment } from "../src/config/load.ts";
import { Rng } from "../src/rng.ts";
import { tinyExperiment } from "./_fixtures.ts";

const draw = (name: string, n: number, std = 0.3) =>
  Rng.derive(0, name).fillNormal(new Float32Array(n), 0, std);

Deno.test("parzenByCentres runs the protocol on the first k centres, for each k", () => {
  const centres = draw("c", 3000), v = draw("v", 300), t = draw("t", 300);
  const rows = parzenByCentres(centres, v, t, 1, [30, 300, 3000]);
  assert.deepEqual(rows.map((r) => r.centres), [30, 300, 3000]);
  assert.ok(rows.every((r) => r.test === 300));
  // The same as the protocol on those rows.
  const direct = parzenEstimate(centres.subarray(0, 300), v, t, 1);
  assert.equal(rows[1].mean, direct.mean);
  assert.equal(rows[1].sigma, direct.sigma);
  // Fewer centres: a wider best kernel (the estimator's bias that makes counts incomparable).
  assert.ok(rows[0].sigma >= rows[2].sigma);
  assert.throws(() => parzenByCentres(centres, v, t, 1, [3001]), /3001 centres asked for, 3000/);
});

// A stand-in "classifier" on 2x2 images (as in image_metrics.ts' example).
const classifier = {
  inShape: [2, 2, 1],
  classes: 1,
  featureDim: 4,
  features: (x: Float32Array) => x.slice(),
  probabilities: (x: Float32Array) => new Float32Array(x.length / 4).fill(1),
};

Deno.test("eval.parzen: own centres, sigma on other images, every held-out image scored", () => {
  const real = draw("real", 4 * 40, 0.2);
  const reference = imageReference(real, [2, 2, 1], classifier);
  const generated = draw("gen", 4 * 20, 0.2);
  // Default: the evaluation's samples; held-out halves.
  const plain = imageMetricContext(reference, generated).parzen();
  assert.deepEqual([plain.centres, plain.test], [20, 20]);
  let drawn = 0;
  const ctx = imageMetricContext(reference, generated, {
    centres: () => (drawn++, draw("more", 4 * 500, 0.2)),
    validation: () => draw("val", 4 * 30, 0.2),
  });
  const r = ctx.parzen();
  assert.deepEqual([r.centres, r.test], [500, 40]);
  ctx.parzen();
  assert.equal(drawn, 1); // computed once
  const details = IMAGE_METRICS.parzen_ll.details!(ctx);
  assert.deepEqual(details, { se: r.stderr, sigma: r.sigma, centres: 500, test: 40 });
});

Deno.test("eval.parzen parses; absent leaves the config as it was", () => {
  const parse = (o: string[]) => parseExperiment(tinyExperiment("/x"), { overrides: o }).config;
  assert.equal(parse([]).eval.parzen, undefined);
  assert.deepEqual(parse(["eval.parzen={centres: 10000, validation: train}"]).eval.parzen, {
    centres: 10000,
    validation: "train",
  });
  assert.deepEqual(parse(["eval.parzen={}"]).eval.parzen, { validation: "held_out" });
  assert.throws(() => parse(["eval.parzen={validation: test}"]), /held_out, train/);
});
