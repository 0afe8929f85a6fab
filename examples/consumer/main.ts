/**
 * A project of its own that uses Duel as a library: it trains a small GAN on
 * the 8-Gaussian ring from typed code, evaluates it, and writes its samples.
 *
 *   deno task start            (from this folder)
 */
import { defineExperiment, samplesCsv, samplesSvg, train, useBackend } from "@duel/duel";

const steps = Number(Deno.args[0] ?? 300);
const experiment = defineExperiment({
  name: "consumer-ring8",
  seed: 0,
  data: { name: "ring8" },
  noise: { distribution: "normal", dim: 2 },
  generator: {
    layers: [{ type: "dense", units: 64 }, { type: "relu" }, { type: "dense", units: 2 }],
  },
  discriminator: {
    layers: [
      { type: "dense", units: 64 },
      { type: "leaky_relu", alpha: 0.2 },
      { type: "dense", units: 1 },
    ],
  },
  optimizer: {
    generator: { name: "adam", lr: 1e-3, betas: [0.5, 0.999] },
    discriminator: { name: "adam", lr: 1e-3, betas: [0.5, 0.999] },
  },
  train: { steps, batch_size: 128 },
  eval: { every: Math.max(1, Math.floor(steps / 3)), samples: 1000 },
});

const backend = await useBackend("wasm");
console.log(`Rust kernels active: ${backend.kernels.length}`);
const result = await train(experiment, {
  onEval: ({ step, metrics }) =>
    console.log(`step ${step}: modes ${metrics["eval/modes"]}, hq ${metrics["eval/hq"]}`),
});
await Deno.mkdir("out", { recursive: true });
await Deno.writeTextFile(
  "out/samples.csv",
  samplesCsv(result.samples.values, result.samples.shape),
);
await Deno.writeTextFile("out/samples.svg", samplesSvg(result.samples));
console.log(
  `trained ${result.steps} steps; wrote out/samples.csv and out/samples.svg (${result.samples.count} samples)`,
);
