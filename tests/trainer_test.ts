import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { tfjs } from "../src/tensor.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

const config = (overrides: string[] = []) =>
  parseExperiment(tinyExperiment("/nonexistent"), { overrides }).config;

Deno.test("a trainer restored from state() continues exactly like the original", async () => {
  const a = Trainer.create(config());
  for await (const _ of a.run(25));
  const state = a.state();
  const rest = [];
  for await (const m of a.run(40)) rest.push(m);

  const b = Trainer.create(config());
  b.load(state);
  const again = [];
  for await (const m of b.run(40)) again.push(m);
  assert.deepEqual(again, rest);
  assert.equal(rest[0].step, 26);
  a.dispose();
  b.dispose();
});

Deno.test("state() refuses to load into another architecture", () => {
  const a = Trainer.create(config());
  const b = Trainer.create(config(["generator.layers[0].units=8"]));
  assert.throws(() => b.load(a.state()), /another shape/);
  a.dispose();
  b.dispose();
});

Deno.test("the EMA generator follows ema = d ema + (1 - d) w after every generator step", async () => {
  const t = Trainer.create(config(["train.ema=0.5"]));
  const read = (net: typeof t.generator) =>
    net.params.map((p) => Array.from(tfjs(p.variable).dataSync()));
  let ema = read(t.generator);
  assert.deepEqual(read(t.evalGenerator), ema, "starts as a copy");
  for await (const _ of t.run(4)) {
    const w = read(t.generator);
    ema = ema.map((e, i) => e.map((x, j) => 0.5 * x + 0.5 * w[i][j]));
    read(t.evalGenerator).forEach((got, i) =>
      got.forEach((v, j) => assert.ok(Math.abs(v - ema[i][j]) < 1e-6 * (1 + Math.abs(ema[i][j]))))
    );
  }
  assert.notDeepEqual(read(t.evalGenerator), read(t.generator));
  t.dispose();
  const off = Trainer.create(config(["train.ema=0"]));
  assert.equal(off.evalGenerator, off.generator);
  off.dispose();
});

Deno.test("critic steps per generator step: k critic updates, each drawing its own batches", async () => {
  const one = Trainer.create(config(["train.discriminator_steps=1"]));
  const three = Trainer.create(config(["train.discriminator_steps=3"]));
  const [a, b] = [(await one.run(1).next()).value!, (await three.run(1).next()).value!];
  assert.notEqual(a["d/loss"], b["d/loss"]);
  // Both start from the same weights: the first critic update is the same in both.
  const first = Trainer.create(config(["train.discriminator_steps=1"]));
  assert.deepEqual((await first.run(1).next()).value, a);
  [one, three, first].forEach((t) => t.dispose());
});
