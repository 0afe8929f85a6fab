import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { mnist } from "../src/data/mnist.ts";
import { measureImages, prepareImageMetrics } from "../src/metrics/image_evaluator.ts";
import { MNIST_CLASSIFIER_RECIPE } from "../src/metrics/mnist_classifier.ts";
import { Rng } from "../src/rng.ts";
import { ROOT } from "./_fixtures.ts";

await useBackend("wasm");

Deno.test("eval.metrics measure samples against the held-out digits, keyed eval/<name>", async () => {
  const data = mnist();
  // A quick classifier (2 epochs, no cache): enough to tell digits from noise.
  const evaluator = (await prepareImageMetrics(
    ["classifier_score", "frechet_distance", "coverage"],
    data,
    { recipe: { ...MNIST_CLASSIFIER_RECIPE, epochs: 2 }, dir: null },
  ))!;
  assert.equal(evaluator.classifierSource, "trained");
  // Every 9th training digit: the split keeps the package's digit-by-digit order.
  const train = data.train!.images, some = new Float32Array(1000 * 784);
  for (let i = 0; i < 1000; i++) some.set(train.subarray(9 * i * 784, (9 * i + 1) * 784), i * 784);
  const digits = measureImages(evaluator, some);
  assert.deepEqual(Object.keys(digits), [
    "eval/classifier_score",
    "eval/frechet_distance",
    "eval/coverage",
  ]);
  const noise = measureImages(
    evaluator,
    Rng.derive(0, "test/noise").fillUniform(new Float32Array(1000 * 784), -1, 1),
  );
  assert.ok(digits["eval/classifier_score"] > 5, JSON.stringify(digits)); // 9.82 with the full recipe
  assert.ok(noise["eval/classifier_score"] < digits["eval/classifier_score"] - 3);
  assert.ok(noise["eval/frechet_distance"] > 20 * digits["eval/frechet_distance"]);
  assert.ok(digits["eval/coverage"] > 0.9 && noise["eval/coverage"] < 0.2);
  assert.equal(await prepareImageMetrics([], data), undefined);
});

Deno.test("eval.metrics on data that is not 28x28x1 is a load error at eval.metrics", () => {
  const text = Deno.readTextFileSync(`${ROOT}experiments/ring8.yaml`);
  assert.throws(
    () => parseExperiment(text, { file: "ring8.yaml", overrides: ["eval.metrics=[coverage]"] }),
    /--set eval\.metrics=\[coverage\]: eval\.metrics: coverage measure 28x28x1 images but ring8 has 2/,
  );
  assert.throws(
    () => parseExperiment(text, { file: "ring8.yaml", overrides: ["eval.metrics=[fid]"] }),
    /eval\.metrics\[0\]: unknown value "fid" \(valid: frechet_distance, classifier_score,/,
  );
});
