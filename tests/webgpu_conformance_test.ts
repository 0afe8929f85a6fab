/**
 * The webgpu conformance table: every layer type (forward and gradients),
 * every objective's two halves, gradient-penalty steps and optimiser steps,
 * on cpu and on webgpu (llvmpipe in CI), compared within float32 tolerance.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { enterHost } from "../src/backend/host.ts";
import { type BackendName, useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { LAYERS } from "../src/nn/layers.ts";
import { buildNetwork, layerShapes } from "../src/nn/network.ts";
import { OBJECTIVES } from "../src/objectives/objectives.ts";
import { Rng } from "../src/rng.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tfjs } from "../src/tensor.ts";
import { assertAgree, NO_GPU, valuesOn } from "./_webgpu.ts";

/** float32 agreement asked of one op or one step (values and gradients). */
const TOL = 1e-4;

/** Every layer type appears in these two networks pairs (resolved, so defaults are filled in). */
const IMAGE_NETS = parseExperiment(`name: conformance-image
data:
  name: mixture
  components: [{ mean: [${new Array(16).fill(0.1).join(", ")}], std: 0.5 }]
noise: { dim: 6 }
generator:
  layers:
    - { type: dense, units: 16 }
    - { type: reshape, shape: [2, 2, 4] }
    - { type: conv2d_transpose, filters: 3, kernel: 4, stride: 2, padding: 1 }
    - { type: batch_norm }
    - { type: relu }
    - { type: upsample, factor: 2 }
    - { type: conv2d, filters: 1, kernel: 3, stride: 2, padding: 1 }
    - { type: tanh }
    - { type: flatten }
discriminator:
  layers:
    - { type: reshape, shape: [4, 4, 1] }
    - { type: conv2d, filters: 4, kernel: 3, stride: 2, padding: same, spectral_norm: true }
    - { type: leaky_relu, alpha: 0.2 }
    - { type: dropout, rate: 0.3 }
    - { type: flatten }
    - { type: layer_norm }
    - { type: dense, units: 1 }
`).config;
const FLAT_NETS = parseExperiment(`name: conformance-flat
data: { name: ring8 }
noise: { dim: 3 }
generator:
  layers:
    - { type: dense, units: 6 }
    - { type: maxout, pieces: 2 }
    - { type: sigmoid }
    - { type: linear }
    - { type: dense, units: 2 }
    - { type: location_scale, mu: [0.5, -1], sigma: [2, 0.5] }
discriminator: { layers: [{ type: dense, units: 1 }] }
`).config;

/** One layer with the shape it is fed, from the networks above. */
const LAYER_CASES = [
  [IMAGE_NETS.generator.layers, [IMAGE_NETS.noise.dim]],
  [IMAGE_NETS.discriminator.layers, [16]],
  [FLAT_NETS.generator.layers, [FLAT_NETS.noise.dim]],
].flatMap(([layers, inShape]) => {
  const list = layers as typeof IMAGE_NETS.generator.layers;
  const shapes = [inShape as number[], ...layerShapes(list, inShape as number[], "case")];
  return list.map((spec, i) => ({ spec, inShape: shapes[i] }));
});

/** Forward values, input gradient and weight gradients of one layer in training mode. */
function layerValues(i: number): tf.Tensor[] {
  const { spec, inShape } = LAYER_CASES[i];
  const net = buildNetwork([spec], inShape, Rng.derive(11, `layer ${i}`));
  const batch = 4;
  const xs = new Float32Array(batch * inShape.reduce((a, b) => a * b, 1));
  Rng.derive(12, `x ${i}`).fillNormal(xs);
  const x = tf.variable(tf.tensor(xs, [batch, ...inShape]));
  const mode = { training: true, rng: Rng.derive(13, `dropout ${i}`) };
  let y: tf.Tensor | undefined;
  const vars = [x, ...net.params.map((p) => tfjs(p.variable))];
  const { grads } = tf.variableGrads(() => {
    y = tf.keep(tf.clone(tfjs(net.apply(x, mode)))); // a copy: linear returns x itself
    // A weighted sum, so every output's gradient differs.
    const w = tf.tensor(
      Float32Array.from({ length: y.size }, (_, k) => 1 + 0.1 * (k % 7)),
      y.shape,
    );
    return tf.sum(tf.mul(w, tf.sin(y))) as tf.Scalar;
  }, vars);
  const out = [y!, ...vars.map((v) => grads[v.name])];
  tf.dispose(vars);
  return out;
}

Deno.test({
  name: "webgpu conformance: every layer type's forward pass and gradients agree with cpu",
  ignore: NO_GPU,
  async fn() {
    const types = new Set(LAYER_CASES.map((c) => c.spec.type));
    assert.deepEqual([...types].sort(), Object.keys(LAYERS).sort(), "the table covers LAYERS");
    let worst = 0;
    for (const [i, c] of LAYER_CASES.entries()) {
      const cpu = await valuesOn("cpu", () => layerValues(i));
      const gpu = await valuesOn("webgpu", () => layerValues(i));
      worst = Math.max(worst, assertAgree(gpu, cpu, TOL, `${c.spec.type} (case ${i})`));
    }
    console.log(`layers: largest relative difference ${worst.toExponential(2)}`);
  },
});

/** Both halves of `name`, with the gradients of each with respect to the logits. */
function objectiveValues(name: keyof typeof OBJECTIVES): tf.Tensor[] {
  const { objective } = parseExperiment(`name: o
data: { name: ring8 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
objective: { name: ${name} }
`).config;
  const { name: _name, ...params } = objective;
  const kind = OBJECTIVES[name] as (typeof OBJECTIVES)["least_squares"];
  const logits = (stream: string) => {
    const v = new Float32Array(8);
    Rng.derive(21, stream).fillNormal(v);
    return tf.tensor2d(v, [8, 1]);
  };
  const [real, fake] = [logits("real"), logits("fake")];
  const p = params as Parameters<typeof kind.generator>[2];
  const d = tf.grads((r: tf.Tensor, f: tf.Tensor) => tfjs(kind.discriminator(r, f, p)));
  const g = kind.generatorUsesReal
    ? tf.grads((f: tf.Tensor, r: tf.Tensor) => tfjs(kind.generator(f, r, p)))([fake, real])
    : [tf.grad((f: tf.Tensor) => tfjs(kind.generator(f, real, p)))(fake)];
  return [
    tfjs(kind.discriminator(real, fake, p)),
    ...d([real, fake]),
    tfjs(kind.generator(fake, real, p)),
    ...g,
  ];
}

Deno.test({
  name: "webgpu conformance: every objective's critic and generator halves agree with cpu",
  ignore: NO_GPU,
  async fn() {
    let worst = 0;
    for (const name of Object.keys(OBJECTIVES) as (keyof typeof OBJECTIVES)[]) {
      const cpu = await valuesOn("cpu", () => objectiveValues(name));
      const gpu = await valuesOn("webgpu", () => objectiveValues(name));
      worst = Math.max(worst, assertAgree(gpu, cpu, TOL, `objective ${name}`));
    }
    console.log(`objectives: largest relative difference ${worst.toExponential(2)}`);
  },
});

/** Training steps: a penalty (double backprop) or an optimiser each, on a tiny MLP GAN. */
const STEP_CASES = {
  "gradient_penalty + adam": "regularizers: [{ name: gradient_penalty, weight: 10 }]",
  "r1 + adam + ema":
    "regularizers: [{ name: r1, gamma: 1 }]\ntrain: { steps: 2, batch_size: 8, ema: 0.9 }",
  "dragan + rmsprop": "regularizers: [{ name: dragan }]\n" +
    "optimizer: { discriminator: { name: rmsprop, lr: 1.0e-3 } }",
  "sgd + weight_clipping": "objective: { name: wasserstein }\n" +
    "regularizers: [{ name: weight_clipping }]\n" +
    "optimizer: { generator: { name: sgd, lr: 0.01 }, discriminator: { name: sgd, lr: 0.01 } }",
};

/** Step losses and every tensor of the trainer's state after 2 steps of `extra` on `backend`. */
async function stepsOn(backend: BackendName, extra: string): Promise<Float32Array[]> {
  await useBackend(backend);
  const base = `name: steps
seed: 5
data: { name: ring8 }
noise: { dim: 2 }
generator: { layers: [{ type: dense, units: 8 }, { type: relu }, { type: dense, units: 2 }] }
discriminator:
  layers: [{ type: dense, units: 8 }, { type: leaky_relu }, { type: dense, units: 1 }]
`;
  const text = base + extra +
    (extra.includes("train:") ? "" : "\ntrain: { steps: 2, batch_size: 8 }");
  const trainer = Trainer.create(parseExperiment(text).config);
  const losses: number[] = [];
  for await (const m of trainer.run()) losses.push(m["d/loss"], m["g/loss"] ?? NaN);
  const leave = await enterHost(trainer.tensors());
  const state = trainer.state().tensors.map((t) => t.data);
  await leave();
  trainer.dispose();
  return [new Float32Array(losses), ...state];
}

Deno.test({
  name: "webgpu conformance: penalty (GP, R1, DRAGAN) and optimiser (Adam, RMSProp, SGD) steps " +
    "agree with cpu",
  ignore: NO_GPU,
  async fn() {
    let worst = 0;
    for (const [what, extra] of Object.entries(STEP_CASES)) {
      const cpu = await stepsOn("cpu", extra);
      const gpu = await stepsOn("webgpu", extra);
      worst = Math.max(worst, assertAgree(gpu, cpu, TOL, what));
    }
    console.log(`steps: largest relative difference ${worst.toExponential(2)}`);
  },
});
