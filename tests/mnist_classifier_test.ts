import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { cachedMnistClassifier, classifierKey } from "../src/metrics/classifier_cache.ts";
import { type ClassifierRecipe, MnistClassifier } from "../src/metrics/mnist_classifier.ts";
import { trainMnistClassifier } from "../src/metrics/train_mnist_classifier.ts";
import { Rng } from "../src/rng.ts";
import { type LabelledImages, mnistSplit } from "../src/metrics/mnist_digits.ts";

await useBackend("wasm"); // its XNNPACK convolutions are far faster than the cpu backend's
const { train, heldOut } = mnistSplit();
// Every 30th training image: the split keeps the package order, digit by digit.
const picks = Array.from({ length: 300 }, (_, i) => 30 * i);
const small: LabelledImages = {
  images: Float32Array.from(
    picks.flatMap((i) => [...train.images.subarray(i * 784, i * 784 + 784)]),
  ),
  labels: Uint8Array.from(picks, (i) => train.labels[i]),
  n: 300,
};
// A narrow version of the default CNN, quick on the cpu backend.
const recipe: ClassifierRecipe = {
  layers: [
    { type: "conv2d", filters: 4, kernel: [5], stride: [2], padding: 2 },
    { type: "relu" },
    { type: "conv2d", filters: 8, kernel: [5], stride: [2], padding: 2 },
    { type: "relu" },
    { type: "flatten" },
    { type: "dense", units: 16 },
    { type: "relu" },
    { type: "dense", units: 10 },
  ],
  epochs: 2,
  batchSize: 50,
  lr: 3e-3,
  decayStart: 0.5,
  shift: 1,
  seed: 0,
};

Deno.test("mnistSplit: 9,000 / 1,000 images in [-1, 1], every digit on both sides, fixed", () => {
  assert.equal(train.n, 9000);
  assert.equal(heldOut.n, 1000);
  assert.equal(train.images.length, 9000 * 784);
  let lo = Infinity, hi = -Infinity;
  for (const v of heldOut.images) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  assert.ok(lo === -1 && hi === 1);
  for (let d = 0; d < 10; d++) {
    assert.ok(heldOut.labels.filter((l) => l === d).length > 50, `digit ${d}`);
  }
  assert.deepEqual(mnistSplit().heldOut.labels, heldOut.labels);
});

Deno.test("training is deterministic from the seed, and the seed matters", () => {
  const a = trainMnistClassifier(small, recipe), b = trainMnistClassifier(small, recipe);
  const c = trainMnistClassifier(small, { ...recipe, seed: 1 });
  const probe = heldOut.images.subarray(0, 20 * 784);
  assert.deepEqual(a.probabilities(probe), b.probabilities(probe));
  assert.notDeepEqual(a.probabilities(probe), c.probabilities(probe));
  // Probabilities are rows summing to 1; features are the last layer's input (post-ReLU).
  const p = a.probabilities(probe), f = a.features(probe);
  for (let i = 0; i < 20; i++) {
    const row = p.subarray(i * 10, i * 10 + 10).reduce((s, v) => s + v, 0);
    assert.ok(Math.abs(row - 1) < 1e-5);
  }
  assert.equal(a.featureDim, 16);
  assert.equal(f.length, 20 * 16);
  assert.ok(f.every((v) => v >= 0));
  [a, b, c].forEach((x) => x.dispose());
});

Deno.test("a short training run learns: held-out accuracy well above chance", () => {
  const c = trainMnistClassifier(small, { ...recipe, epochs: 20 });
  const accuracy = c.accuracy(heldOut);
  c.dispose();
  // 300 images, 120 steps of a narrow CNN, held-out digits (chance is 0.1).
  assert.ok(accuracy > 0.7, `accuracy ${accuracy}`);
});

Deno.test("the cache trains once, then loads the same weights; a torn file is retrained", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await cachedMnistClassifier(small, { recipe, dir });
    assert.equal(first.source, "trained");
    assert.ok(first.path?.startsWith(`${dir}/classifiers/`));
    const second = await cachedMnistClassifier(small, { recipe, dir });
    assert.equal(second.source, "disk");
    assert.equal(second.key, first.key);
    const probe = heldOut.images.subarray(0, 10 * 784);
    assert.deepEqual(second.classifier.probabilities(probe), first.classifier.probabilities(probe));
    assert.deepEqual(second.classifier.weights(), first.classifier.weights());
    // A torn file (a crash mid-write by some other tool) is not trusted.
    const text = await Deno.readTextFile(first.path!);
    await Deno.writeTextFile(first.path!, text.slice(0, text.length / 2));
    const third = await cachedMnistClassifier(small, { recipe, dir });
    assert.equal(third.source, "trained");
    assert.equal((await cachedMnistClassifier(small, { recipe, dir })).source, "disk");
    // No temporary files are left behind.
    const names = [...Deno.readDirSync(`${dir}/classifiers`)].map((e) => e.name);
    assert.equal(names.length, 1);
    [first, second, third].forEach((r) => r.classifier.dispose());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the cache key covers data, labels, recipe and backend", () => {
  const key = classifierKey(small, recipe, "cpu");
  const images = small.images.slice();
  images[400] += 0.5;
  assert.notEqual(classifierKey({ ...small, images }, recipe, "cpu"), key);
  assert.notEqual(classifierKey(small, { ...recipe, shift: 0 }, "cpu"), key);
  assert.notEqual(classifierKey(small, { ...recipe, decayStart: 1 }, "cpu"), key);
  assert.notEqual(classifierKey(small, recipe, "wasm"), key);
  assert.equal(
    classifierKey({ ...small, images: small.images.slice() }, { ...recipe }, "cpu"),
    key,
  );
});

Deno.test("weights load by name and shape; a wrong layer list or weight set is rejected", () => {
  const a = new MnistClassifier(recipe.layers, Rng.derive(0, "test/init"));
  const weights = a.weights();
  assert.deepEqual(weights.map((w) => w.name), [
    "0.conv2d.kernel",
    "0.conv2d.bias",
    "2.conv2d.kernel",
    "2.conv2d.bias",
    "5.dense.kernel",
    "5.dense.bias",
    "7.dense.kernel",
    "7.dense.bias",
  ]);
  const b = new MnistClassifier(recipe.layers, weights);
  const probe = heldOut.images.subarray(0, 5 * 784);
  assert.deepEqual(b.probabilities(probe), a.probabilities(probe));
  assert.equal(b.featureDim, 16);
  assert.throws(
    () => new MnistClassifier(recipe.layers, weights.slice(1)),
    /0.conv2d.kernel is missing/,
  );
  assert.throws(
    () => new MnistClassifier(recipe.layers, [...weights, { ...weights[0], name: "9.x" }]),
    /unexpected or repeated 9.x/,
  );
  const wrong = weights.map((
    w,
    i,
  ) => (i === 1 ? { ...w, shape: [2, 2], data: w.data.slice(0, 4) } : w));
  assert.throws(
    () => new MnistClassifier(recipe.layers, wrong),
    /0.conv2d.bias is 2x2, expected 4/,
  );
  assert.throws(
    () => new MnistClassifier(recipe.layers.slice(0, -1), weights),
    /recipe.layers: the last layer must be a dense layer with 10 units/,
  );
  assert.throws(
    () => new MnistClassifier([{ type: "conv2d", filters: "x" }], weights),
    /recipe.layers\[0\]/,
  );
  [a, b].forEach((x) => x.dispose());
});
