import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { EVAL_MODE } from "../src/nn/layers.ts";
import { buildNetwork, layerShapes, type LayerSpec, networkTable } from "../src/nn/network.ts";
import { Rng } from "../src/rng.ts";
import { EXPERIMENT } from "../src/config/schema.ts";

/** A layer as the loader validates it (defaults filled in). */
const LAYER = EXPERIMENT.children!.generator.children!.layers.children!["[]"];
const layer = (spec: Record<string, unknown>) => LAYER.parse(spec, "layer") as LayerSpec;

await useBackend("cpu");

const TRAINING = { training: true, rng: Rng.derive(0, "dropout") };

function run(specs: LayerSpec[], inShape: number[], x: Float32Array, training = false) {
  const net = buildNetwork(specs, inShape, Rng.derive(0, "init"));
  const mode = training ? TRAINING : EVAL_MODE;
  const n = x.length / inShape.reduce((a, b) => a * b);
  const out = tf.tidy(() => net.apply(tf.tensor(x, [n, ...inShape]), mode) as tf.Tensor);
  return { net, out: out.dataSync() as Float32Array, shape: out.shape };
}

Deno.test("conv2d and conv2d_transpose output sizes: same, valid and PyTorch integer padding", () => {
  const cases: [LayerSpec, number[], number[]][] = [
    [{ type: "conv2d", filters: 3, kernel: 4, stride: 2, padding: 1 }, [28, 28, 1], [14, 14, 3]],
    [{ type: "conv2d", filters: 2, kernel: 3, stride: 2, padding: "same" }, [7, 7, 2], [4, 4, 2]],
    [{ type: "conv2d", filters: 2, kernel: [3, 1], stride: 1, padding: "valid" }, [5, 4, 1], [
      3,
      4,
      2,
    ]],
    [{ type: "conv2d_transpose", filters: 4, kernel: 4, stride: 2, padding: 1 }, [7, 7, 8], [
      14,
      14,
      4,
    ]],
    [
      { type: "conv2d_transpose", filters: 1, kernel: 3, stride: 2, padding: 1, output_padding: 1 },
      [5, 5, 2],
      [10, 10, 1],
    ],
    [{ type: "conv2d_transpose", filters: 2, kernel: 3, stride: 2, padding: "same" }, [3, 3, 1], [
      6,
      6,
      2,
    ]],
    [{ type: "conv2d_transpose", filters: 2, kernel: 3, stride: 2, padding: "valid" }, [3, 3, 1], [
      7,
      7,
      2,
    ]],
    [{ type: "upsample", factor: 2 }, [3, 2, 5], [6, 4, 5]],
  ];
  for (const [spec, inShape, want] of cases) {
    const full = layer(spec);
    const shape = layerShapes([full], inShape, "g")[0];
    assert.deepEqual(shape, want, `${JSON.stringify(spec)}: ${shape}`);
    const size = inShape.reduce((a, b) => a * b, 1);
    const { shape: actual } = run(
      [full as LayerSpec],
      inShape,
      new Float32Array(2 * size).fill(0.5),
    );
    assert.deepEqual(actual, [2, ...want], `built ${JSON.stringify(spec)}`);
  }
});

function loadError(layers: string, extra = ""): string {
  try {
    parseExperiment(
      `name: t
data: { name: mixture, components: [{ mean: [${Array(16).fill(0).join(", ")}], std: 1 }] }
noise: { dim: 8 }
generator: { layers: ${layers} }
discriminator: { layers: [{ type: dense, units: 1 }] }
${extra}`,
      { file: "e.yaml" },
    );
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

Deno.test("shape errors name the layer that cannot take its input, what it got and from where", () => {
  assert.equal(
    loadError(
      "[{ type: dense, units: 32 }, { type: reshape, shape: [2, 2, 8] }, { type: conv2d_transpose, filters: 4, kernel: 4, stride: 2, padding: 1 }, { type: dense, units: 16 }]",
    ),
    "e.yaml:4:162: generator.layers[3]: dense needs a flat input, but generator.layers[2] " +
      "(conv2d_transpose) gives 4x4x4 (valid: add { type: flatten } before it)",
  );
  assert.match(
    loadError("[{ type: conv2d, filters: 4, kernel: 3 }]"),
    /generator\.layers\[0\]: conv2d needs an image input \(height x width x channels\), but the noise \(noise\.dim\) gives 8 \(valid: add \{ type: reshape/,
  );
  assert.match(
    loadError("[{ type: reshape, shape: [3, 3, 1] }]"),
    /generator\.layers\[0\]: reshape to 3x3x1 needs 9 values per example, but the noise \(noise\.dim\) gives 8/,
  );
  assert.match(
    loadError(
      "[{ type: dense, units: 16 }, { type: reshape, shape: [4, 4, 1] }]",
    ),
    /the generator ends with 4x4x1 values per example but mixture has 16 \(valid: end with \{ type: reshape, shape: \[16\] \}\)/,
  );
  assert.match(
    loadError("[{ type: reshape, shape: [2, 2, 2] }, { type: conv2d, filters: 1, kernel: 3 }]"),
    /generator\.layers\[1\]: conv2d with kernel 3x3 and padding valid needs at least 3x3 pixels, but generator\.layers\[0\] \(reshape\) gives 2x2x2/,
  );
  assert.match(
    loadError(
      "[{ type: reshape, shape: [2, 2, 2] }, { type: conv2d_transpose, filters: 1, kernel: 3, stride: 2, output_padding: 1 }]",
    ),
    /generator\.layers\[1\]\.output_padding: is 1 with padding valid/,
  );
});

Deno.test("batch_norm: batch statistics and running averages in training, running averages in evaluation", () => {
  const x = Rng.derive(1, "x").fillNormal(new Float32Array(4 * 2 * 2 * 3), 3, 2);
  const spec = {
    type: "batch_norm",
    momentum: 0.1,
    epsilon: 1e-5,
    eval_stats: "running",
  } as LayerSpec;
  const { net, out } = run([spec], [2, 2, 3], x, true);
  for (let c = 0; c < 3; c++) {
    const vals = Array.from(out).filter((_, i) => i % 3 === c);
    const mean = vals.reduce((a, b) => a + b) / vals.length;
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
    assert.ok(Math.abs(mean) < 1e-5 && Math.abs(variance - 1) < 1e-3, `channel ${c}`);
  }
  const [runningMean, runningVar] = net.state.map((s) =>
    (s.variable as unknown as tf.Tensor).dataSync()
  );
  for (let c = 0; c < 3; c++) {
    const vals = Array.from(x).filter((_, i) => i % 3 === c);
    const mean = vals.reduce((a, b) => a + b) / vals.length;
    const unbiased = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1);
    assert.ok(Math.abs(runningMean[c] - 0.1 * mean) < 1e-5);
    assert.ok(Math.abs(runningVar[c] - (0.9 + 0.1 * unbiased)) < 1e-4);
  }
  assert.deepEqual(net.state.map((s) => s.name), [
    "0.batch_norm.running_mean",
    "0.batch_norm.running_var",
  ]);
  // Evaluation: (x - running mean) / sqrt(running var + eps), and no state change.
  const before = net.state.map((s) => Array.from((s.variable as unknown as tf.Tensor).dataSync()));
  const evalOut = tf.tidy(() => net.apply(tf.tensor(x, [4, 2, 2, 3]), EVAL_MODE) as tf.Tensor)
    .dataSync();
  evalOut.forEach((v, i) => {
    const c = i % 3;
    const want = (x[i] - runningMean[c]) / Math.sqrt(runningVar[c] + 1e-5);
    assert.ok(Math.abs(v - want) < 1e-4, `${i}: ${v} vs ${want}`);
  });
  assert.deepEqual(
    net.state.map((s) => Array.from((s.variable as unknown as tf.Tensor).dataSync())),
    before,
  );
});

Deno.test("layer_norm normalises each example; dropout drops only in training, from its stream", () => {
  const x = Rng.derive(2, "x").fillNormal(new Float32Array(3 * 20), 5, 3);
  const { out } = run([{ type: "layer_norm", epsilon: 1e-5 }], [20], x);
  for (let n = 0; n < 3; n++) {
    const row = out.slice(20 * n, 20 * n + 20);
    assert.ok(Math.abs(row.reduce((a, b) => a + b) / 20) < 1e-5);
  }
  const drop = { type: "dropout", rate: 0.25 } as LayerSpec;
  const ones = new Float32Array(4000).fill(1);
  assert.deepEqual(run([drop], [40], ones).out, ones);
  const a = run([drop], [40], ones, true).out;
  const zeros = a.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 4000 - 0.25) < 0.03, `${zeros} zeros`);
  assert.ok(a.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
});

Deno.test("upsample repeats pixels; the network table counts parameters per layer", () => {
  const { out } = run(
    [layer({ type: "upsample", factor: 2 })],
    [1, 2, 1],
    new Float32Array([1, 2]),
  );
  assert.deepEqual(Array.from(out), [1, 1, 2, 2, 1, 1, 2, 2]);
  const net = buildNetwork(
    [
      { type: "reshape", shape: [4, 4, 1] },
      layer({ type: "conv2d", filters: 8, kernel: 3, padding: 1 }),
      layer({ type: "batch_norm" }),
      { type: "flatten" },
      layer({ type: "dense", units: 1 }),
    ],
    [16],
    Rng.derive(0, "t"),
  );
  const table = networkTable("discriminator", net);
  assert.match(table, /^discriminator:/);
  assert.match(table, /1 +conv2d +4x4x8 +80\n/);
  assert.match(table, /2 +batch_norm +4x4x8 +16\n/);
  assert.match(table, /4 +dense +1 +129\n/);
  assert.match(table, /total +225$/);
});

Deno.test("upsample's gradient sums each block, for every example of a batch", () => {
  const net = buildNetwork([layer({ type: "upsample", factor: 2 })], [2, 2, 3], Rng.derive(0, "u"));
  const w = tf.tensor(Array.from({ length: 96 }, (_, i) => i), [2, 4, 4, 3]);
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(net.apply(x, EVAL_MODE) as tf.Tensor, w)))(
    tf.zeros([2, 2, 2, 3]),
  );
  const want = [];
  for (let n = 0; n < 2; n++) {
    for (let r = 0; r < 2; r++) {
      for (let c = 0; c < 2; c++) {
        for (let ch = 0; ch < 3; ch++) {
          const at = (dr: number, dc: number) => ((n * 4 + 2 * r + dr) * 4 + 2 * c + dc) * 3 + ch;
          want.push(at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1));
        }
      }
    }
  }
  assert.deepEqual(Array.from(g.dataSync()), want);
});
