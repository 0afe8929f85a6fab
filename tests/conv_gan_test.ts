import assert from "node:assert/strict";
import { type BackendName, useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { type StepMetrics, Trainer } from "../src/train/trainer.ts";

/** A tiny conv GAN on 16-D mixture data seen as 4x4 images: every image layer, both players. */
const CONV_GAN = `name: conv-tiny
seed: 3
data:
  name: mixture
  components:
    - { mean: [${Array.from({ length: 16 }, (_, i) => (i % 5) / 5).join(", ")}], std: 0.1 }
    - { mean: [${Array.from({ length: 16 }, (_, i) => -(i % 3) / 3).join(", ")}], std: 0.1 }
noise: { dim: 8 }
generator:
  layers:
    - { type: dense, units: 32 }
    - { type: reshape, shape: [2, 2, 8] }
    - { type: conv2d_transpose, filters: 4, kernel: 4, stride: 2, padding: 1 }
    - { type: batch_norm }
    - { type: relu }
    - { type: upsample, factor: 2 }
    - { type: conv2d, filters: 1, kernel: 3, stride: 2, padding: 1 }
    - { type: tanh }
    - { type: flatten }
discriminator:
  layers:
    - { type: reshape, shape: [4, 4, 1] }
    - { type: conv2d, filters: 8, kernel: 3, stride: 2, padding: 1, spectral_norm: true }
    - { type: batch_norm }
    - { type: leaky_relu, alpha: 0.2 }
    - { type: dropout, rate: 0.2 }
    - { type: flatten }
    - { type: layer_norm }
    - { type: dense, units: 1 }
train: { steps: 6, batch_size: 8, ema: 0.9 }
`;

async function train(backend: BackendName, steps = 6): Promise<StepMetrics[]> {
  await useBackend(backend);
  const trainer = Trainer.create(parseExperiment(CONV_GAN).config);
  const rows: StepMetrics[] = [];
  for await (const m of trainer.run(steps)) rows.push(m);
  trainer.dispose();
  return rows;
}

Deno.test("a conv GAN trains on wasm like on cpu, and twice identically", async () => {
  const cpu = await train("cpu");
  const wasm = await train("wasm");
  assert.deepEqual(await train("wasm"), wasm, "wasm runs are bit-reproducible");
  for (const [i, row] of wasm.entries()) {
    for (const key of ["d/loss", "g/loss", "d/real_score", "d/fake_score"] as const) {
      const [got, want] = [row[key]!, cpu[i][key]!];
      assert.ok(Number.isFinite(got), `${key} at step ${i + 1}`);
      assert.ok(
        Math.abs(got - want) < 1e-5 * (1 + Math.abs(want)),
        `${key} ${i + 1}: ${got} vs ${want}`,
      );
    }
  }
});

Deno.test("a conv GAN's checkpoint holds running averages and the dropout stream; resuming is exact", async () => {
  await useBackend("wasm");
  const config = parseExperiment(CONV_GAN).config;
  const a = Trainer.create(config);
  for await (const _ of a.run(3));
  const state = a.state();
  const names = state.tensors.map((t) => t.name);
  for (
    const name of [
      "generator.state/3.batch_norm.running_mean",
      "generator.state/3.batch_norm.running_var",
      "discriminator.state/1.conv2d.sn_u",
      "discriminator.state/2.batch_norm.running_var",
    ]
  ) assert.ok(names.includes(name), name);
  assert.ok(state.rng.dropout);
  const rest: StepMetrics[] = [];
  for await (const m of a.run(6)) rest.push(m);
  const samples = a.sample(16, (await import("../src/rng.ts")).Rng.derive(0, "s"));
  const b = Trainer.create(config);
  b.load(state);
  const again: StepMetrics[] = [];
  for await (const m of b.run(6)) again.push(m);
  assert.deepEqual(again, rest);
  assert.deepEqual(b.sample(16, (await import("../src/rng.ts")).Rng.derive(0, "s")), samples);
  [a, b].forEach((t) => t.dispose());
});
