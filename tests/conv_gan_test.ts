import assert from "node:assert/strict";
import { type BackendName, useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { type StepMetrics, Trainer } from "../src/train/trainer.ts";
import { CONV_GAN } from "./_fixtures.ts";

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
