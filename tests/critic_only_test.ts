import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { evaluate } from "../src/metrics/evaluate.ts";
import { tfjs } from "../src/tensor.ts";
import { Trainer } from "../src/train/trainer.ts";
import { ROOT } from "./_fixtures.ts";

await useBackend("wasm");

Deno.test("critic-only, original objective, N(0,1) vs frozen N(1,1): V ends within 5% of -log 4 + 2 JSD", async () => {
  const { config } = await loadExperiment(`${ROOT}experiments/divergences/critic-only-jsd.yaml`, [
    "train.steps=1000",
  ]);
  const trainer = Trainer.create(config);
  const frozen = trainer.generator.params.map((p) => Array.from(tfjs(p.variable).dataSync()));
  for await (const m of trainer.run()) assert.equal(m["g/loss"], undefined);
  const { metrics } = evaluate(trainer);
  const jsd = metrics["eval/divergence"];
  const value = 2 * jsd - Math.log(4); // V = -L_D
  const want = -Math.log(4) + 2 * 0.111421;
  assert.ok(Math.abs(value - want) <= 0.05 * Math.abs(want), `V = ${value}, want ${want}`);
  assert.ok(Math.abs(metrics["eval/true_divergence"] - 0.111421) < 1e-5);
  assert.deepEqual(
    trainer.generator.params.map((p) => Array.from(tfjs(p.variable).dataSync())),
    frozen,
    "G is frozen",
  );
  trainer.dispose();
});
