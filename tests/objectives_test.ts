import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { OBJECTIVES } from "../src/objectives/objectives.ts";
import { tfjs } from "../src/tensor.ts";

await useBackend("wasm");

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const mean = (xs: number[], f: (x: number) => number) =>
  xs.reduce((s, x) => s + f(x), 0) / xs.length;

/** Closed forms in float64, straight from REFERENCE.md §1. */
const REFERENCE = {
  minimax: {
    d: (r: number[], f: number[]) => mean(r, (l) => softplus(-l)) + mean(f, (l) => softplus(l)),
    g: (f: number[]) => -mean(f, (l) => softplus(l)),
  },
  non_saturating: {
    d: (r: number[], f: number[]) => mean(r, (l) => softplus(-l)) + mean(f, (l) => softplus(l)),
    g: (f: number[]) => mean(f, (l) => softplus(-l)),
  },
} satisfies Record<keyof typeof OBJECTIVES, unknown>;

const real = [0.5, -1.25, 3, 0];
const fake = [2, 0, -0.75, -4];
const value = (t: unknown) => tfjs(t as tf.Tensor).dataSync()[0];

for (const [name, ref] of Object.entries(REFERENCE)) {
  const objective = OBJECTIVES[name as keyof typeof OBJECTIVES];
  Deno.test(`${name}: losses match the closed form at known logits`, () => {
    const [r, f] = [tf.tensor1d(real), tf.tensor1d(fake)];
    assert.ok(Math.abs(value(objective.discriminator(r, f, {})) - ref.d(real, fake)) < 1e-6);
    assert.ok(Math.abs(value(objective.generator(f, r, {})) - ref.g(fake)) < 1e-6);
    tf.dispose([r, f]);
  });

  Deno.test(`${name}: gradients match central finite differences of the closed form`, () => {
    const h = 1e-5;
    const fd = (loss: (x: number[]) => number, x: number[]) =>
      x.map((_, i) => {
        const up = [...x], down = [...x];
        up[i] += h;
        down[i] -= h;
        return (loss(up) - loss(down)) / (2 * h);
      });
    const [gReal, gFake] = tf.grads((r: tf.Tensor, f: tf.Tensor) =>
      tfjs(objective.discriminator(r, f, {}))
    )(
      [tf.tensor1d(real), tf.tensor1d(fake)],
    ).map((t) => Array.from(t.dataSync()));
    const expectReal = fd((x) => ref.d(x, fake), real);
    const expectFake = fd((x) => ref.d(real, x), fake);
    const gG = Array.from(
      tf.grad((f: tf.Tensor) => tfjs(objective.generator(f, f, {})))(tf.tensor1d(fake)).dataSync(),
    );
    const expectG = fd((x) => ref.g(x), fake);
    [[gReal, expectReal], [gFake, expectFake], [gG, expectG]].forEach(([got, want]) =>
      got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-5, `${g} vs ${want[i]}`))
    );
  });
}

Deno.test("GAN critic loss at the optimum D = 1/2 (logits 0) is log 4, i.e. V = -log 4", () => {
  const z = tf.zeros([8]);
  assert.ok(Math.abs(value(OBJECTIVES.minimax.discriminator(z, z, {})) - Math.log(4)) < 1e-6);
});

Deno.test("GAN losses stay finite for extreme logits (softplus, not log of sigmoid)", () => {
  const big = tf.tensor1d([-200, 200, 88, -88]);
  for (const objective of Object.values(OBJECTIVES)) {
    assert.ok(Number.isFinite(value(objective.discriminator(big, big, {}))));
    assert.ok(Number.isFinite(value(objective.generator(big, big, {}))));
  }
});
