import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { powerIterationVector, spectralNormalize } from "../src/nn/spectral_norm.ts";
import { Rng } from "../src/rng.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

/** Largest singular value in float64, by power iteration on W^T W. */
function sigmaMax(w: Float32Array, rows: number, cols: number): number {
  let v = new Float64Array(cols).fill(1);
  let s = 0;
  for (let it = 0; it < 500; it++) {
    const wv = new Float64Array(rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) wv[i] += w[i * cols + j] * v[j];
    const next = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) next[j] += w[i * cols + j] * wv[i];
    }
    const n = Math.hypot(...next);
    s = Math.sqrt(n);
    v = next.map((x) => x / n);
  }
  return s;
}

Deno.test("spectral_normalize: the normalised kernel's largest singular value converges to 1", () => {
  const [rows, cols] = [7, 5];
  const w = tf.tensor2d(Rng.derive(1, "w").fillNormal(new Float32Array(rows * cols)), [rows, cols]);
  const u = powerIterationVector(Rng.derive(2, "u"), cols);
  let out = w as tf.Tensor;
  for (let i = 0; i < 50; i++) out = tf.tidy(() => spectralNormalize(w, u));
  assert.ok(Math.abs(sigmaMax(out.dataSync() as Float32Array, rows, cols) - 1) < 1e-4);
  const sigma = sigmaMax(w.dataSync() as Float32Array, rows, cols);
  assert.ok(Math.abs(out.dataSync()[3] - w.dataSync()[3] / sigma) < 1e-5);
});

Deno.test("a spectrally normalised critic trains, and its u vectors are checkpointed and restored", async () => {
  const sn = [
    "discriminator.layers[0].spectral_norm=true",
    "discriminator.layers[2].spectral_norm=true",
  ];
  const config = parseExperiment(tinyExperiment("/nonexistent"), { overrides: sn }).config;
  const a = Trainer.create(config);
  for await (const _ of a.run(10));
  const state = a.state();
  const names = state.tensors.map((t) => t.name).filter((n) => n.includes("sn_u"));
  assert.deepEqual(names, ["discriminator.state/0.dense.sn_u", "discriminator.state/2.dense.sn_u"]);
  const rest = [];
  for await (const m of a.run(20)) rest.push(m);
  const b = Trainer.create(config);
  b.load(state);
  const again = [];
  for await (const m of b.run(20)) again.push(m);
  assert.deepEqual(again, rest);
  [a, b].forEach((t) => t.dispose());
});
