/**
 * PacGAN's protocol (issue #22): its data geometry, the packing critic, the
 * maxout layer, which generator is measured and the mode rule.
 */
import assert from "node:assert/strict";
import * as tf from "../src/deps/tfjs_core.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { configHash } from "../src/config/hash.ts";
import { dataSourceOf } from "../src/data/factory.ts";
import { LAYERS } from "../src/nn/layers.ts";
import { pack, packedShape } from "../src/nn/packing.ts";
import { buildNetwork } from "../src/nn/network.ts";
import { modeMetrics } from "../src/metrics/modes.ts";
import { evaluate } from "../src/metrics/evaluate.ts";
import { OBJECTIVES } from "../src/objectives/objectives.ts";
import { Rng } from "../src/rng.ts";
import { tfjs } from "../src/tensor.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

const config = (overrides: string[] = [], extra = "") =>
  parseExperiment(tinyExperiment("/nonexistent", extra), { overrides }).config;

const weights = (t: Trainer) =>
  [...t.generator.params, ...t.discriminator.params].map((p) =>
    Array.from(tfjs(p.variable).dataSync())
  );

async function steps(t: Trainer, until: number) {
  const out = [];
  for await (const m of t.run(until)) out.push(m);
  return out;
}

Deno.test("geometry: pacgan gives PacGAN's ring and grid; absent keeps the config hash", () => {
  const ring = dataSourceOf({ name: "ring8", geometry: "pacgan" }).modes!;
  assert.equal(ring.length, 8);
  ring.forEach((m, k) => {
    assert.ok(Math.abs(m.centre[0] - Math.cos((2 * Math.PI * k) / 8)) < 1e-12);
    assert.ok(Math.abs(m.centre[1] - Math.sin((2 * Math.PI * k) / 8)) < 1e-12);
    assert.deepEqual(m.std, [0.01, 0.01]);
  });
  const grid = dataSourceOf({ name: "grid25", geometry: "pacgan" }).modes!;
  const at = new Set(grid.map((m) => m.centre.join(",")));
  for (const x of [-4, -2, 0, 2, 4]) {
    for (const y of [-4, -2, 0, 2, 4]) assert.ok(at.has(`${x},${y}`));
  }
  assert.ok(grid.every((m) => m.std[0] === 0.05 && m.std[1] === 0.05));
  // Absent geometry: the WGAN-GP recipe, and no new key in the resolved config.
  const plain = config();
  assert.deepEqual(plain.data, { name: "ring8" });
  assert.equal(dataSourceOf(plain.data).modes![0].centre[0], 2 / 1.414);
  const pac = config(["data.geometry=pacgan"]);
  assert.notEqual(configHash(pac), configHash(plain));
  assert.throws(() => config(["data.geometry=round"]), /wgan_gp, pacgan/);
});

Deno.test("maxout equals tf.max over groups, and its gradient goes to the group's maximum", () => {
  const x = tf.tensor2d(Rng.derive(3, "x").fillNormal(new Float32Array(4 * 15)), [4, 15]);
  const net = buildNetwork([{ type: "maxout", pieces: 5 }], [15], Rng.derive(0, "n"));
  const y = tfjs(net.apply(x, { training: true }));
  const want = tf.max(tf.reshape(x, [4, 3, 5]), 2);
  assert.deepEqual(Array.from(y.dataSync()), Array.from(want.dataSync()));
  const w = tf.tensor2d(Rng.derive(4, "w").fillNormal(new Float32Array(4 * 3)), [4, 3]);
  const got = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tfjs(net.apply(v, { training: true })), w)))(
    x,
  );
  const ref = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.max(tf.reshape(v, [4, 3, 5]), 2), w)))(x);
  // (+ 0: tf.max's gradient writes -0 where the mask is off and the weight negative)
  const values = (t: tf.Tensor) => Array.from(t.dataSync()).map((v) => v + 0);
  assert.deepEqual(values(got), values(ref));
  assert.throws(
    () =>
      parseExperiment(tinyExperiment("/x"), {
        overrides: ["discriminator.layers[1]={type: maxout, pieces: 3}"],
      }),
    /multiple of 3/,
  );
  assert.ok(LAYERS.maxout.doc.includes("maxout"));
});

Deno.test("pack concatenates m consecutive examples along the feature (channel) axis", () => {
  const rows = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
  assert.deepEqual(pack(rows, 2).arraySync(), [[1, 2, 3, 4], [5, 6, 7, 8]]);
  assert.equal(pack(rows, 1), rows);
  // Images [n, h, w, c]: pack i's channels are example 2i's then example 2i+1's.
  const img = tf.tensor4d(Float32Array.from({ length: 4 * 2 * 2 * 3 }, (_, i) => i), [4, 2, 2, 3]);
  const packed = pack(img, 2);
  assert.deepEqual(packed.shape, [2, 2, 2, 6]);
  const manual = tf.concat([tf.slice(img, [0], [1]), tf.slice(img, [1], [1])], 3);
  assert.deepEqual(tf.slice(packed, [0], [1]).arraySync(), manual.arraySync());
  assert.deepEqual(packedShape([28, 28, 1], 4), [28, 28, 4]);
  assert.throws(() => pack(tf.zeros([3, 2]), 2), /not packs of 2/);
});

Deno.test("packing 1 trains bit for bit like no packing", async () => {
  const a = Trainer.create(config());
  const b = Trainer.create(config(["discriminator.packing=1"]));
  assert.deepEqual(await steps(b, 5), await steps(a, 5));
  assert.deepEqual(weights(b), weights(a));
  a.dispose();
  b.dispose();
});

Deno.test("a packing critic's input is m examples wide; the loss sees the packed batches", () => {
  const c = config(["discriminator.packing=3"]);
  const t = Trainer.create(c);
  const kernel = tfjs(t.discriminator.params[0].variable);
  assert.deepEqual(kernel.shape, [6, 16]); // 3 examples of 2 values
  // The critic's value of a pack is the critic applied to the concatenated examples.
  const x = tf.tensor2d(Rng.derive(1, "x").fillNormal(new Float32Array(6 * 2)), [6, 2]);
  const viaPack = tfjs(t.discriminator.apply(pack(x, 3), { training: false })).dataSync();
  const rows = x.arraySync();
  const concat = tf.tensor2d([rows.slice(0, 3).flat(), rows.slice(3, 6).flat()]);
  const direct = tfjs(t.discriminator.apply(concat, { training: false })).dataSync();
  assert.deepEqual(Array.from(viaPack), Array.from(direct));
  assert.throws(
    () => config(["discriminator.packing=2", "discriminator.layers[0]={type: maxout, pieces: 3}"]),
    /in packs of 2/,
  );
  t.dispose();
});

Deno.test("every objective and regulariser trains with a packing critic", async () => {
  const regs = [
    "[{name: gradient_penalty, weight: 1}]",
    "[{name: r1, gamma: 1}]",
    "[{name: dragan, weight: 1}]",
    "[{name: weight_clipping, c: 0.1}]",
  ];
  for (const name of Object.keys(OBJECTIVES)) {
    for (const r of name === "non_saturating" ? regs : ["[]"]) {
      const t = Trainer.create(
        config([
          "discriminator.packing=2",
          `objective={name: ${name}}`,
          `regularizers=${r}`,
          "train.batch_size=8",
        ]),
      );
      const [m] = await steps(t, 1);
      assert.ok(Number.isFinite(m["d/loss"]) && Number.isFinite(m["g/loss"]!), `${name} ${r}`);
      const { metrics } = evaluate(t);
      assert.ok(
        Object.values(metrics).every(Number.isFinite),
        `${name}: ${JSON.stringify(metrics)}`,
      );
      t.dispose();
    }
  }
});

Deno.test("a packing trainer restored from state() continues exactly", async () => {
  const c = config([
    "discriminator.packing=2",
    "regularizers=[{name: gradient_penalty, weight: 1}]",
  ]);
  const a = Trainer.create(c);
  await steps(a, 3);
  const state = a.state();
  const rest = await steps(a, 6);
  const b = Trainer.create(c);
  b.load(state);
  assert.deepEqual(await steps(b, 6), rest);
  assert.deepEqual(weights(b), weights(a));
  a.dispose();
  b.dispose();
});

Deno.test("eval.generator chooses the measured generator; ema needs train.ema", () => {
  const ema = Trainer.create(config());
  assert.notEqual(ema.evalGenerator, ema.generator);
  const raw = Trainer.create(config(["eval.generator=raw"]));
  assert.equal(raw.evalGenerator, raw.generator);
  const asked = Trainer.create(config(["eval.generator=ema"]));
  assert.notEqual(asked.evalGenerator, asked.generator);
  assert.equal(
    configHash(config()),
    configHash(parseExperiment(tinyExperiment("/nonexistent")).config),
  );
  assert.throws(() => config(["eval.generator=ema", "train.ema=0"]), /train.ema is 0/);
  [ema, raw, asked].forEach((t) => t.dispose());
});

Deno.test("eval.modes: the threshold and the samples a mode needs", () => {
  const modes = [{ centre: [0], std: [1] }, { centre: [10], std: [1] }, { centre: [20], std: [1] }];
  // Mode 0: 3 samples within 3 std; mode 1: one at 2.5 std; mode 2: one at 3.5 std.
  const x = new Float32Array([0, 0.5, -1, 12.5, 23.5]);
  assert.equal(modeMetrics(x, modes).modes, 2);
  assert.equal(modeMetrics(x, modes, 3, 2).modes, 1);
  assert.equal(modeMetrics(x, modes, 4).modes, 3);
  assert.equal(modeMetrics(x, modes, 3, 2).hq, 4 / 5); // the share does not depend on the count
  const c = config(["eval.modes={threshold: 2, min_samples: 3}"]);
  assert.deepEqual(c.eval.modes, { threshold: 2, min_samples: 3 });
  assert.equal(config().eval.modes, undefined);
});
