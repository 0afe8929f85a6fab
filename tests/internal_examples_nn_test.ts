/**
 * Examples of src/nn/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { defineLayer, named, shapeError, shapeText, uniformInit } from "../src/nn/layer_kind.ts";
import { powerIterationVector, spectralNormalize } from "../src/nn/spectral_norm.ts";
import { Rng } from "../src/rng.ts";

Deno.test("src/nn/layer_kind.ts: defineLayer", () => {
  const identity = defineLayer({
    doc: "identity",
    params: {},
    outShape: (_p, inShape) => inShape,
    build: (_p, inShape) => ({ apply: (x) => x, params: [], outShape: inShape }),
  });
  assert.equal(identity.doc, "identity");
});

Deno.test("src/nn/layer_kind.ts: shapeText", () => {
  assert.equal(shapeText([14, 14, 64]), "14x14x64");
});

Deno.test("src/nn/layer_kind.ts: shapeError", () => {
  const e = shapeError(
    "g[4]",
    "dense needs a flat input",
    "g[3] (conv2d)",
    [7, 7, 2],
    "flatten first",
  );
  assert.equal(
    e.message,
    "g[4]: dense needs a flat input, but g[3] (conv2d) gives 7x7x2 (valid: flatten first)",
  );
});

Deno.test("src/nn/layer_kind.ts: uniformInit", async () => {
  await useBackend("cpu");
  const w = uniformInit(Rng.derive(0, "w"), [3, 4], 16);
  assert.ok(Array.from(w.dataSync()).every((v) => Math.abs(v) <= 0.25));
});

Deno.test("src/nn/layer_kind.ts: named", async () => {
  await useBackend("cpu");
  assert.equal(
    named("2.conv2d", { kernel: tf.variable(tf.zeros([1])) })[0].name,
    "2.conv2d.kernel",
  );
});

Deno.test("src/nn/spectral_norm.ts: powerIterationVector, spectralNormalize", async () => {
  await useBackend("cpu");
  const w = tf.tensor2d([[3, 0], [0, 1]]);
  const u = powerIterationVector(Rng.derive(0, "sn"), 2);
  let normalized: tf.Tensor = w;
  for (let i = 0; i < 20; i++) normalized = spectralNormalize(w, u);
  assert.ok(Math.abs(normalized.dataSync()[0] - 1) < 1e-4); // sigma = 3
});
