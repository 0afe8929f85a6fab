import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

async function train(threads: number) {
  const { config } = parseExperiment(tinyExperiment("/nonexistent"), {
    overrides: [
      `backend.threads=${threads}`,
      "generator.layers[0].units=96",
      "train.batch_size=128",
    ],
  });
  const info = await useBackend(config.backend.name, config.backend.threads);
  const trainer = Trainer.create(config);
  const rows = [];
  for await (const m of trainer.run(15)) rows.push(m);
  const weights = trainer.state().tensors.map((t) => Array.from(t.data));
  trainer.dispose();
  return { info, rows, weights };
}

Deno.test({
  name: "training on 2 wasm threads is bit-identical to 1 thread",
  // The threaded backend keeps its pthread workers for the life of the process.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const one = await train(1);
    const two = await train(2);
    assert.equal(one.info.backend, "wasm");
    assert.equal(two.info.backend, "wasm-threaded");
    assert.equal(two.info.threads, 2);
    assert.deepEqual(two.rows, one.rows);
    assert.deepEqual(two.weights, one.weights);
    const a = tf.randomNormal([300, 200], 0, 1, "float32", 1),
      b = tf.randomNormal([200, 100], 0, 1, "float32", 2);
    const threaded = tf.matMul(a, b).dataSync();
    // Its pthread pool is the one worker XNNPACK's 2 threads use (tfjs's own init() starts 8).
    const { PThread } = (tf.engine().backend as unknown as {
      wasm: { PThread: { unusedWorkers: unknown[]; runningWorkers: unknown[] } };
    }).wasm;
    assert.deepEqual([PThread.runningWorkers.length, PThread.unusedWorkers.length], [1, 0]);
    await useBackend("wasm");
    assert.deepEqual(tf.matMul(a, b).dataSync(), threaded, "matmul 300x200x100 bit-identical");
    assert.equal(tf.getBackend(), "wasm");
  },
});
