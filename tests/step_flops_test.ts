import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { setKernelFix } from "../src/backend/kernels.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { meterKernels, meterSteps } from "../bench/peer/step_flops.ts";

await useBackend("wasm");

/**
 * A GAN step's multiply-adds by hand, per example of the batch, from F_G and F_D (one example
 * through G's and D's products forward; a layer's dW and its input gradient cost as much as its
 * forward product) and the first layers' own G_1, D_1:
 *
 * - critic update: G forward (F_G); D forward on real and fake (2 F_D); D backward for its weights,
 *   on both: every dW (2 F_D) and every layer's input gradient but the first's (2 (F_D − D_1));
 * - generator update: G forward (F_G), D forward (F_D), D backward to its input, no dW (F_D); G
 *   backward for its weights: every dW (F_G), every input gradient but the first's (F_G − G_1).
 *
 * In all 4 F_G + 8 F_D − 2 D_1 − G_1.
 */
const ganMacs = (fG: number, fD: number, g1: number, d1: number) => 4 * fG + 8 * fD - 2 * d1 - g1;

/** toy2d (experiments/bench/toy2d.yaml): batch 256, G 8-128-128-2, D 2-128-128-1. */
const TOY2D_MACS = 256 *
  ganMacs(8 * 128 + 128 * 128 + 128 * 2, 2 * 128 + 128 * 128 + 128 * 1, 8 * 128, 2 * 128);

/**
 * dcgan_mnist (experiments/bench/dcgan-mnist.yaml) per example: G dense 64 → 6272, conv
 * transposes 128 → 64 (7 → 14) and 64 → 1 (14 → 28); D convs 1 → 64 (28 → 14) and 64 → 128 (14 →
 * 7), dense 6272 → 1; 4 × 4 kernels: each output element of a convolution (or input element of a
 * transpose) meets 16 × the channels on the other side.
 */
const DCGAN_MACS_PER_EXAMPLE = ganMacs(
  64 * 6272 + 49 * 128 * 64 * 16 + 196 * 64 * 16,
  196 * 64 * 16 + 49 * 128 * 64 * 16 + 6272,
  64 * 6272,
  196 * 64 * 16,
);

/** One metered step's product flop of `file` (after one warm-up step), with `overrides`. */
async function productFlop(file: string, overrides: string[] = []): Promise<number> {
  const path = new URL(`../experiments/${file}`, import.meta.url).pathname;
  const { config, data } = await loadExperiment(path, overrides);
  const trainer = Trainer.create(config, data ? { data } : {});
  try {
    for await (const _ of trainer.run(1)); // warm-up
    const step = await meterSteps(trainer, 2);
    assert.ok(step.productMs > 0 && step.productMs <= step.kernelMs, JSON.stringify(step));
    assert.ok(step.otherFlop > 0 && step.otherFlop < step.productFlop / 10);
    return step.productFlop;
  } finally {
    trainer.dispose();
  }
}

Deno.test("step flops: toy2d's product flop per step match the hand count, dense chains or not", async () => {
  assert.equal(TOY2D_MACS, 52_035_584);
  assert.equal(await productFlop("bench/toy2d.yaml"), 2 * TOY2D_MACS); // Duel's dense chains
  setKernelFix("dense_chain_rust", false);
  try {
    // tfjs's per-op matMul and its gradients
    assert.equal(await productFlop("bench/toy2d.yaml"), 2 * TOY2D_MACS);
  } finally {
    setKernelFix("dense_chain_rust", true);
  }
});

Deno.test("step flops: a convolution and its two gradients, each kh·kw·cin per output element", async () => {
  const before = tf.getKernel("Conv2D", tf.getBackend())!.kernelFunc;
  const x = tf.ones([2, 8, 8, 3]) as tf.Tensor4D, w = tf.ones([4, 4, 3, 5]) as tf.Tensor4D;
  const counts = await meterKernels(() => {
    tf.tidy(() => {
      const f = (a: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, "same"));
      tf.grads(f)([x, w]); // y = dy: [2, 4, 4, 5]
    });
  });
  const macs = (k: string) => counts.get(k)?.macs;
  const each = 2 * 4 * 4 * 5 * (4 * 4 * 3);
  assert.equal(macs("Conv2D"), each);
  assert.equal(macs("Conv2DBackpropInput"), each);
  assert.equal(macs("Conv2DBackpropFilter"), each);
  assert.equal(counts.get("Reshape")?.other ?? 0, 0); // data movement costs nothing
  tf.dispose([x, w]);
  assert.equal(tf.getKernel("Conv2D", tf.getBackend())!.kernelFunc, before); // restored
});

Deno.test("step flops: dcgan_mnist's product flop per step match the hand count", async () => {
  assert.equal(64 * DCGAN_MACS_PER_EXAMPLE, 5_141_233_664); // the benchmark's batch of 64
  // A batch of 8 keeps the test short: every product scales with the batch.
  const flop = await productFlop("bench/dcgan-mnist.yaml", ["train.batch_size=8"]);
  assert.equal(flop, 2 * 8 * DCGAN_MACS_PER_EXAMPLE);
});
