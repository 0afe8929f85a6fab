import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import type { Network } from "../src/nn/network.ts";
import { REGULARIZERS } from "../src/objectives/regularizers.ts";
import { Rng } from "../src/rng.ts";
import { type Tensor, tfjs } from "../src/tensor.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

/** A linear critic x·w + b: its input gradient is w everywhere, so penalties have closed forms. */
const w = [0.6, -0.8, 1.2];
const linear = (x: Tensor) =>
  tf.add(tf.matMul(tfjs(x) as tf.Tensor2D, tf.tensor2d(w, [3, 1])), 0.5);
const norm = Math.hypot(...w);
const batch = (seed: number) =>
  tf.tensor2d(Rng.derive(seed, "x").fillNormal(new Float32Array(12)), [4, 3]);
const ctx = () => ({
  critic: linear,
  real: batch(1),
  fake: batch(2),
  rng: Rng.derive(0, "penalty"),
});
const value = (t: Tensor) => tfjs(t).dataSync()[0];
const close = (a: number, b: number) =>
  assert.ok(Math.abs(a - b) < 1e-5 * (1 + Math.abs(b)), `${a} vs ${b}`);

Deno.test("gradient_penalty of a linear critic is weight (||w|| - target)^2; one-sided is 0 below target", () => {
  const gp = REGULARIZERS.gradient_penalty;
  close(
    value(gp.penalty!(ctx(), { weight: 10, target: 1, one_sided: false, every: 1 })),
    10 * (norm - 1) ** 2,
  );
  close(
    value(gp.penalty!(ctx(), { weight: 2, target: 3, one_sided: false, every: 1 })),
    2 * (norm - 3) ** 2,
  );
  close(value(gp.penalty!(ctx(), { weight: 2, target: 3, one_sided: true, every: 1 })), 0);
  close(
    value(gp.penalty!(ctx(), { weight: 2, target: 1, one_sided: true, every: 1 })),
    2 * (norm - 1) ** 2,
  );
});

Deno.test("r1 of a linear critic is gamma/2 ||w||^2; dragan is weight (||w|| - 1)^2", () => {
  close(value(REGULARIZERS.r1.penalty!(ctx(), { gamma: 4, every: 1 })), 2 * norm ** 2);
  close(
    value(REGULARIZERS.dragan.penalty!(ctx(), { weight: 3, c: 0.5, every: 1 })),
    3 * (norm - 1) ** 2,
  );
});

Deno.test("gradient penalties differentiate through a leaky-ReLU critic (second order) like finite differences", () => {
  const W1 = tf.variable(tf.tensor2d([[0.3, -0.5, 0.8], [0.1, 0.4, -0.2]]));
  const W2 = tf.variable(tf.tensor2d([[0.7], [-0.3], [0.5]]));
  const critic = (x: Tensor) =>
    tf.matMul(tf.leakyRelu(tf.matMul(tfjs(x) as tf.Tensor2D, W1), 0.2) as tf.Tensor2D, W2);
  const real = tf.tensor2d([[0.2, -0.4], [1.0, 0.5]]), fake = tf.tensor2d([[-1, 0.3], [0.4, 0.9]]);
  const loss = () =>
    tfjs(REGULARIZERS.gradient_penalty.penalty!(
      { critic, real, fake, rng: Rng.derive(3, "penalty") },
      { weight: 1, target: 1, one_sided: false, every: 1 },
    )) as tf.Scalar;
  const got = Array.from(tf.variableGrads(loss, [W1]).grads[W1.name].dataSync());
  const base = W1.dataSync().slice();
  const h = 1e-3;
  got.forEach((g, i) => {
    const at = (d: number) => {
      const v = base.slice();
      v[i] += d;
      W1.assign(tf.tensor2d(v, [2, 3]));
      return loss().dataSync()[0];
    };
    const fd = (at(h) - at(-h)) / (2 * h);
    assert.ok(Math.abs(g - fd) < 2e-3 * (1 + Math.abs(fd)), `[${i}] ${g} vs ${fd}`);
  });
});

Deno.test("weight_clipping clips every critic weight into [-c, c] and leaves smaller ones alone", () => {
  const v = tf.variable(tf.tensor1d([-0.5, 0.005, 0.02, -0.001]));
  const critic = { params: [{ name: "w", variable: v }] } as unknown as Network;
  REGULARIZERS.weight_clipping.afterCriticUpdate!(critic, { c: 0.01 });
  assert.deepEqual(Array.from(v.dataSync()), [-0.01, 0.005, 0.01, -0.001].map(Math.fround));
});

Deno.test("training with weight_clipping keeps the critic within bounds; penalties are logged", async () => {
  const { config } = parseExperiment(tinyExperiment("/nonexistent"), {
    overrides: [
      "objective.name=wasserstein",
      "regularizers=[{name: weight_clipping, c: 0.02}, {name: gradient_penalty}]",
    ],
  });
  const t = Trainer.create(config);
  let last;
  for await (const m of t.run(5)) last = m;
  assert.ok(last!["d/penalty"]! > 0);
  for (const p of t.discriminator.params) {
    assert.ok(Array.from(tfjs(p.variable).dataSync()).every((x) => Math.abs(x) <= 0.02 + 1e-9));
  }
  t.dispose();
});

Deno.test("a lazy penalty (every: 3) applies on critic updates 0, 3, 6, ... weighted 3", async () => {
  const rows = async (every: number) => {
    const { config } = parseExperiment(tinyExperiment("/nonexistent"), {
      overrides: [`regularizers=[{name: r1, gamma: 1, every: ${every}}]`],
    });
    const t = Trainer.create(config);
    const out = [];
    for await (const m of t.run(6)) out.push(m["d/penalty"]!);
    t.dispose();
    return out;
  };
  const [eager, lazy] = [await rows(1), await rows(3)];
  assert.deepEqual(lazy.map((p) => p > 0), [true, false, false, true, false, false]);
  // Step 1 is the same state and batch in both runs: 3 times the eager penalty.
  assert.ok(Math.abs(lazy[0] - 3 * eager[0]) <= 1e-6 * lazy[0], `${lazy[0]} vs 3 x ${eager[0]}`);
});
