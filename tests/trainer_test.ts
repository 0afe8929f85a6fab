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

Deno.test("train.lr_schedule scales both players' steps by the schedule's factor", async () => {
  // SGD, so a step's size is proportional to the learning rate. Over 2 steps a linear decay
  // from the start to 0 has factors 1 and 0.5: the first step equals the constant schedule's;
  // the critic's second, taken from the same weights with the same batches, is half as long
  // (the generator's second sees the changed critic, so it is only checked to differ).
  const sgd = [
    "optimizer.generator={name: sgd, lr: 0.05}",
    "optimizer.discriminator={name: sgd, lr: 0.05}",
  ];
  const run = async (schedule: string) => {
    const t = Trainer.create(
      config([...sgd, "train.ema=0", "train.steps=2", `train.lr_schedule=${schedule}`]),
    );
    const read = () =>
      [t.discriminator, t.generator].map((net) =>
        net.params.flatMap((p) => Array.from(tfjs(p.variable).dataSync()))
      );
    const weights = [read()];
    for await (const _ of t.run(2)) weights.push(read());
    t.dispose();
    return weights;
  };
  const constant = await run("{name: constant}");
  const decay = await run("{name: linear, start: 0, end: 0}");
  assert.deepEqual(decay[1], constant[1]);
  assert.notDeepEqual(decay[2][1], constant[2][1]);
  const step = (w: number[][][]) => w[2][0].map((x, i) => x - w[1][0][i]);
  const [full, half] = [step(constant), step(decay)];
  assert.ok(full.some((d) => Math.abs(d) > 1e-4), "the second step moves the weights");
  full.forEach((d, i) => assert.ok(Math.abs(half[i] - d / 2) <= 1e-6 + 1e-3 * Math.abs(d)));
});
