import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { buildPlayers } from "../src/train/players.ts";
import { directPlayers } from "../src/train/direct_grads.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

/** `steps` steps of `yaml`, with or without the direct gradients: every row and every weight. */
async function train(yaml: string, overrides: string[], directGrads: boolean, steps = 6) {
  const { config } = parseExperiment(yaml, { overrides });
  const trainer = Trainer.create(config, { directGrads });
  const rows = [];
  for await (const m of trainer.run(steps)) rows.push(m);
  const state = trainer.state().tensors.map((t) => [t.name, Array.from(t.data)]);
  trainer.dispose();
  return { rows, state };
}

/** Each case: what it adds to the tiny experiment, and its overrides. */
const CASES: Record<string, [string, string[]]> = {
  "the non-saturating GAN (logit gradients in closed form)": ["", []],
  "the minimax GAN (closed form)": ["objective: { name: minimax }", []],
  "label smoothing (the critic's logit gradients by autodiff)": [
    "objective: { name: non_saturating, real_label: 0.9 }",
    [],
  ],
  "a relativistic generator (it reads real logits)": ["objective: { name: relativistic }", []],
  "an f-GAN": ["objective: { name: pearson }", []],
  "the hinge loss (closed form)": ["objective: { name: hinge }", []],
  "least squares, Pearson's targets (closed form)": [
    "objective: { name: least_squares, a: -1, b: 1, c: 0 }",
    [],
  ],
  "weight clipping after each critic update": [
    "objective: { name: wasserstein }\nregularizers: [{ name: weight_clipping, c: 0.05 }]",
    [],
  ],
  "a lazy R1 penalty (the tape on every other update)": [
    "regularizers: [{ name: r1, gamma: 1, every: 2 }]",
    [],
  ],
  "gradient norms every step, two critic updates a step": [
    "",
    ["eval.health_every=1", "train.discriminator_steps=2"],
  ],
};

for (const [what, [extra, overrides]] of Object.entries(CASES)) {
  Deno.test(`gradients without the tape give the tape's bits: ${what}`, async () => {
    const yaml = tinyExperiment("/nonexistent", extra);
    const { config } = parseExperiment(yaml, { overrides });
    const players = buildPlayers(config, [2]);
    assert.ok(
      directPlayers(players.generator, players.discriminator, 1),
      "the direct path applies",
    );
    const direct = await train(yaml, overrides, true);
    const tape = await train(yaml, overrides, false);
    assert.equal(direct.rows.length, 6);
    assert.deepEqual(direct, tape);
  });
}

Deno.test("the direct path applies only to whole dense chains, unpacked", () => {
  const players = (generator: string, critic: string) => {
    const { config } = parseExperiment(`name: t
data: { name: ring8 }
generator: { layers: [${generator}] }
discriminator: { layers: [${critic}] }`);
    return buildPlayers(config, [2]);
  };
  const dense = "{ type: dense, units: 8 }, { type: relu }, { type: dense, units: 2 }";
  const critic =
    "{ type: dense, units: 8 }, { type: leaky_relu, alpha: 0.2 }, { type: dense, units: 1 }";
  const ok = players(dense, critic);
  assert.ok(directPlayers(ok.generator, ok.discriminator, 1));
  assert.equal(directPlayers(ok.generator, ok.discriminator, 2), undefined, "packs of 2");
  const cases = [
    players(`${dense}, { type: tanh }`, critic), // an activation no chain has
    players(
      `{ type: dense, units: 8 }, { type: batch_norm }, { type: relu }, { type: dense, units: 2 }`,
      critic,
    ),
    players(dense, "{ type: dense, units: 8, spectral_norm: true }, { type: dense, units: 1 }"),
  ];
  for (const p of cases) assert.equal(directPlayers(p.generator, p.discriminator, 1), undefined);
});

Deno.test("the direct path is the one taken: fewer kernels a step than the tape's", async () => {
  const { config } = parseExperiment(tinyExperiment("/nonexistent"));
  const kernels = async (directGrads: boolean) => {
    const trainer = Trainer.create(config, { directGrads });
    const steps = trainer.run(3);
    await steps.next();
    const info = await tf.profile(async () => void await steps.next());
    trainer.dispose();
    return info.kernels.map((k) => k.name);
  };
  const [direct, tape] = [await kernels(true), await kernels(false)];
  assert.ok(direct.length < tape.length, `${direct.length} kernels, the tape's ${tape.length}`);
  // The tape's chain kernels are each network's passes; the direct path stacks the critic's
  // real and fake batches into one pass each way, and runs a generator update's generator and
  // critic as one chain: two calls fewer each way. The tape adds its wrappers and clones.
  const count = (names: string[], kernel: string) => names.filter((n) => n === kernel).length;
  for (const [kernel, tapeCalls] of [["DuelDenseChain", 5], ["DuelDenseChainGrad", 4]] as const) {
    assert.equal(count(tape, kernel), tapeCalls, `the tape's ${kernel}`);
    assert.equal(count(direct, kernel), tapeCalls - 2, kernel);
  }
});
