/**
 * The DCGAN's convolutions (experiments/bench/dcgan-mnist.yaml, batch 64) on
 * wasm by kernel: tfjs-wasm's built-in kernel, the XNNPACK-based
 * replacement, Duel's Rust kernel, and the cpu backend, in one run; then one
 * DCGAN training step with each choice of conv kernels.
 */
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { type ConvChoice, useConv } from "./_kernel_choice.ts";

/** [label, x shape (NHWC), filter [kh, kw, cin, cout]]: conv 4x4, stride 2, pad 1. */
const LAYERS: [string, number[], number[]][] = [
  ["D conv1 28x28x1 -> 14x14x64 (G convT2)", [64, 28, 28, 1], [4, 4, 1, 64]],
  ["D conv2 14x14x64 -> 7x7x128 (G convT1)", [64, 14, 14, 64], [4, 4, 64, 128]],
];

/** The three kernels, as tfjs calls them for a conv layer with x, W and output gradient dy. */
const KERNELS = {
  Conv2D: (x: tf.Tensor, w: tf.Tensor, _dy: tf.Tensor) => ({
    inputs: { x, filter: w },
    attrs: { dilations: [1, 1] },
  }),
  Conv2DBackpropInput: (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => ({
    inputs: { dy, filter: w },
    attrs: { inputShape: x.shape },
  }),
  Conv2DBackpropFilter: (x: tf.Tensor, w: tf.Tensor, dy: tf.Tensor) => ({
    inputs: { x, dy },
    attrs: { filterShape: w.shape },
  }),
} as const;

type Impl = "builtin" | "xnnpack" | "rust" | "rust_fma" | "cpu";
const IMPLS: [Impl, string][] = [
  ["builtin", "tfjs-wasm built-in"],
  ["xnnpack", "XNNPACK-based replacement"],
  ["rust", "Rust kernel"],
  ["rust_fma", "Rust kernel, fused multiply-add"],
  ["cpu", "tfjs-cpu"],
];

for (const [layer, xShape, wShape] of LAYERS) {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    wShape as [number, number, number, number],
    2,
    1,
    1,
  );
  const inputs = new Map<string, tf.Tensor[]>();
  for (const [kernel, args] of Object.entries(KERNELS)) {
    const run = (impl: Impl) => async (ctx: Deno.BenchContext) => {
      const backend = impl === "cpu" ? "cpu" : "wasm";
      await useBackend(backend);
      if (impl !== "cpu") useConv(impl);
      if (!inputs.has(backend)) {
        inputs.set(backend, [
          tf.randomNormal(xShape, 0, 1, "float32", 1),
          tf.randomNormal(wShape, 0, 1, "float32", 2),
          tf.randomNormal(info.outShape, 0, 1, "float32", 3),
        ]);
      }
      const [x, w, dy] = inputs.get(backend)!;
      const call = args(x, w, dy);
      const attrs = { strides: [2, 2], pad: 1, dataFormat: "NHWC", ...call.attrs };
      ctx.start();
      const out = tf.engine().runKernel(
        kernel,
        call.inputs as unknown as tf.NamedTensorMap,
        attrs as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
      ctx.end(); // wasm and cpu kernels are done on return; no read-back (see conv_shapes_bench)
      out.dispose();
    };
    const group = `${layer}: ${kernel}`;
    for (const [impl, name] of IMPLS) {
      // tfjs-wasm has no Conv2DBackpropFilter of its own; tfjs-cpu's takes 3 s on conv1 (and
      // ~30x that on conv2).
      if (impl === "builtin" && kernel === "Conv2DBackpropFilter") continue;
      if (impl === "cpu" && kernel === "Conv2DBackpropFilter" && wShape[2] > 1) continue;
      const [baseline, n] = [impl === "xnnpack", impl === "cpu" ? 3 : 10];
      Deno.bench(
        `${group}: ${name}`,
        { group, baseline, n, warmup: impl === "cpu" ? 1 : 3 },
        run(impl),
      );
    }
  }
}

// One DCGAN training step (one critic update, one generator update) per choice of conv kernels.
const { config } = await loadExperiment(
  new URL("../experiments/bench/dcgan-mnist.yaml", import.meta.url).pathname,
);

async function stepper(backend: "wasm" | "cpu", choice: ConvChoice) {
  await useBackend(backend);
  if (backend === "wasm") useConv(choice);
  const steps = Trainer.create(config).run();
  return async (ctx: Deno.BenchContext) => {
    await useBackend(backend);
    if (backend === "wasm") useConv(choice);
    ctx.start();
    await steps.next();
    ctx.end();
  };
}

const STEPS: [ConvChoice, string][] = [
  ["xnnpack", "XNNPACK-based conv kernels"],
  ["rust", "Rust conv kernels"],
  ["rust_conv2d", "Rust Conv2D only"],
  ["rust_input", "Rust Conv2DBackpropInput only"],
  ["rust_filter", "Rust Conv2DBackpropFilter only"],
  ["builtin", "tfjs-wasm built-in conv kernels"],
];
for (const [choice, name] of STEPS) {
  Deno.bench(`dcgan step: wasm, ${name}`, {
    group: "dcgan step",
    baseline: choice === "xnnpack",
    n: 8,
    warmup: 2,
  }, await stepper("wasm", choice));
}
