import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { setBuiltinThreads, useBackend } from "../src/backend/tfjs.ts";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import { parseExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

async function train(threads: number, more: string[] = []) {
  const { config } = parseExperiment(tinyExperiment("/nonexistent"), {
    overrides: [
      `backend.threads=${threads}`,
      // Players of 16k and 28k weights: their Adam updates and the generator's moving average
      // split over the 2 threads (adam_f32_part, ema_f32_part).
      "generator.layers[0].units=4096",
      "discriminator.layers[0].units=4096",
      "train.batch_size=128",
      ...more,
    ],
  });
  const info = await useBackend(config.backend.name, config.backend.threads);
  const trainer = Trainer.create(config);
  const rows = [];
  for await (const m of trainer.run(15)) rows.push(m);
  const weights = trainer.state().tensors.map((t) => ({ name: t.name, data: Array.from(t.data) }));
  trainer.dispose();
  return { info, rows, weights };
}

/**
 * The first weight where two runs differ, or undefined: a short message where `deepEqual`'s
 * diff of ~50k numbers would take gigabytes to print.
 */
function firstDifference(
  a: readonly { name: string; data: number[] }[],
  b: readonly { name: string; data: number[] }[],
): string | undefined {
  if (a.length !== b.length) return `${a.length} tensors against ${b.length}`;
  for (const [i, t] of a.entries()) {
    const j = t.data.findIndex((v, k) => !Object.is(v, b[i].data[k]));
    if (t.name !== b[i].name || t.data.length !== b[i].data.length || j >= 0) {
      return `${t.name}[${j}]: ${t.data[j]} against ${b[i].data[j]}`;
    }
  }
  return undefined;
}

/** The active threaded backend's pthread pool and XNNPACK thread count (tfjs internals). */
function threadedBackend() {
  return tf.engine().backend as unknown as {
    wasm: {
      PThread: { unusedWorkers: unknown[]; runningWorkers: unknown[] };
      tfjs: { getThreadsCount(): number };
    };
  };
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
    assert.equal(firstDifference(two.weights, one.weights), undefined);
    const a = tf.randomNormal([300, 200], 0, 1, "float32", 1),
      b = tf.randomNormal([200, 100], 0, 1, "float32", 2);
    const threaded = tf.matMul(a, b).dataSync();
    // Duel's kernels split over 2 threads; tfjs's built-ins (XNNPACK) run on the caller, so
    // its pthread pool is one idle worker (tfjs's own init() starts 8).
    const backend = threadedBackend();
    assert.equal(rustKernelThreads(backend)?.threads, 2);
    assert.equal(backend.wasm.tfjs.getThreadsCount(), 1);
    const { PThread } = backend.wasm;
    assert.deepEqual([PThread.runningWorkers.length, PThread.unusedWorkers.length], [0, 1]);
    await useBackend("wasm");
    assert.deepEqual(tf.matMul(a, b).dataSync(), threaded, "matmul 300x200x100 bit-identical");
    assert.equal(tf.getBackend(), "wasm");
  },
});

Deno.test({
  name: "RMSProp on 2 wasm threads (rmsprop_f32_part) is bit-identical to 1 thread",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const rmsprop = [
      "optimizer.generator={ name: rmsprop, lr: 1.0e-3, momentum: 0.5 }",
      "optimizer.discriminator={ name: rmsprop, lr: 5.0e-4 }",
    ];
    const one = await train(1, rmsprop);
    const two = await train(2, rmsprop);
    assert.equal(two.info.backend, "wasm-threaded");
    assert.deepEqual(two.rows, one.rows);
    assert.equal(firstDifference(two.weights, one.weights), undefined);
    await useBackend("wasm");
  },
});

Deno.test({
  name: "setBuiltinThreads('all'): XNNPACK on every thread too, the same bits",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const one = await train(1);
    setBuiltinThreads("all");
    try {
      const two = await train(2);
      const backend = threadedBackend();
      assert.equal(backend.wasm.tfjs.getThreadsCount(), 2);
      assert.equal(rustKernelThreads(backend)?.threads, 2);
      // The pool's worker runs XNNPACK's second thread (started on its first parallel op).
      tf.tidy(() => tf.add(tf.ones([512, 512]), tf.ones([512, 512])).dataSync());
      assert.equal(backend.wasm.PThread.runningWorkers.length, 1);
      assert.deepEqual(two.rows, one.rows);
      assert.equal(firstDifference(two.weights, one.weights), undefined);
    } finally {
      setBuiltinThreads("one");
      await useBackend("wasm");
    }
  },
});
