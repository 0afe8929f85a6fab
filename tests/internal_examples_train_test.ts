/**
 * Examples of src/train/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { criticAt, generatorPull } from "../src/train/probes.ts";
import { buildPlayers } from "../src/train/players.ts";
import { directPlayers } from "../src/train/direct_grads.ts";
import { Trainer } from "../src/train/trainer.ts";

Deno.test("src/train/probes.ts: criticAt", async () => {
  await useBackend("cpu");
  const { config } = parseExperiment(`name: t
data: { name: ring8 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
`);
  const trainer = Trainer.create(config);
  assert.equal(criticAt(trainer, new Float32Array([0, 0, 1, 1, 2, 2])).length, 3);
  trainer.dispose();
});

Deno.test("src/train/probes.ts: generatorPull", async () => {
  await useBackend("cpu");
  const { config } = parseExperiment(`name: t
data: { name: ring8 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
`);
  const trainer = Trainer.create(config);
  const pull = generatorPull(trainer, new Float32Array([0, 0, 1, 1]));
  // A linear critic pulls every sample in the same direction (by different amounts).
  assert.ok(Math.abs(pull[0] * pull[3] - pull[1] * pull[2]) < 1e-6);
  assert.ok(Math.hypot(pull[0], pull[1]) > 0);
  trainer.dispose();
});

Deno.test("src/train/direct_grads.ts: directPlayers", async () => {
  await useBackend("cpu"); // no chain kernels on the cpu backend: the tape
  const players = buildPlayers({
    seed: 0,
    noise: { distribution: "normal", dim: 2 },
    generator: { layers: [{ type: "dense", units: 2, spectral_norm: false }] },
    discriminator: { layers: [{ type: "dense", units: 1, spectral_norm: false }] },
    train: { ema: 0 },
  }, [2]);
  assert.equal(directPlayers(players.generator, players.discriminator, 1), undefined);
  await useBackend("wasm"); // Duel's chain kernels: both players are one chain each
  assert.ok(directPlayers(players.generator, players.discriminator, 1));
  assert.equal(directPlayers(players.generator, players.discriminator, 2), undefined);
});
