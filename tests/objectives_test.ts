import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { F_DIVERGENCES } from "../src/objectives/f_divergences.ts";
import { OBJECTIVES } from "../src/objectives/objectives.ts";
import { tfjs } from "../src/tensor.ts";

await useBackend("wasm");

const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const avg = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const mean = (xs: number[], f: (x: number, i: number) => number) => avg(xs.map(f));

type Ref = {
  d(r: number[], f: number[]): number;
  g(f: number[], r: number[]): number;
  params?: object;
};
const gan = (r: number[], f: number[]) =>
  mean(r, (l) => softplus(-l)) + mean(f, (l) => softplus(l));
function fgan(name: keyof typeof F_DIVERGENCES): Ref {
  const d = F_DIVERGENCES[name];
  const star = (v: number) => d.conjugate(d.activation(v));
  return { d: (r, f) => mean(f, star) - mean(r, d.activation), g: (f) => -mean(f, star) };
}
const ra = (a: number[], b: number[]) =>
  mean(a, (x) => softplus(-(x - avg(b)))) + mean(b, (x) => softplus(x - avg(a)));

/** Closed forms in float64, from REFERENCE.md §1-3 (f-GANs: the table's f* composed with g_f). */
const REFERENCE = {
  minimax: { params: { real_label: 1 }, d: gan, g: (f) => -mean(f, (l) => softplus(l)) },
  non_saturating: {
    params: { real_label: 0.9 }, // one-sided label smoothing
    d: (r, f) =>
      mean(r, (l) => 0.9 * softplus(-l) + 0.1 * softplus(l)) + mean(f, (l) => softplus(l)),
    g: (f) => mean(f, (l) => softplus(-l)),
  },
  kl: fgan("kl"),
  reverse_kl: fgan("reverse_kl"),
  pearson: fgan("pearson"),
  neyman: fgan("neyman"),
  squared_hellinger: fgan("squared_hellinger"),
  jeffrey: fgan("jeffrey"),
  jensen_shannon: fgan("jensen_shannon"),
  gan: fgan("gan"),
  total_variation: fgan("total_variation"),
  wasserstein: { d: (r, f) => avg(f) - avg(r), g: (f) => -avg(f) },
  least_squares: {
    params: { a: -1, b: 1, c: 0 },
    d: (r, f) => mean(r, (l) => (l - 1) ** 2 / 2) + mean(f, (l) => (l + 1) ** 2 / 2),
    g: (f) => mean(f, (l) => l * l / 2),
  },
  hinge: {
    d: (r, f) => mean(r, (l) => Math.max(0, 1 - l)) + mean(f, (l) => Math.max(0, 1 + l)),
    g: (f) => -avg(f),
  },
  relativistic: {
    d: (r, f) => mean(r, (l, i) => softplus(f[i] - l)),
    g: (f, r) => mean(f, (l, i) => softplus(r[i] - l)),
  },
  relativistic_average: { d: (r, f) => ra(r, f), g: (f, r) => ra(f, r) },
} satisfies Record<keyof typeof OBJECTIVES, Ref>;

const real = [0.5, -1.25, 1.5, 0.1];
const fake = [1.2, 0.3, -0.75, -1.5];
const value = (t: unknown) => tfjs(t as tf.Tensor).dataSync()[0];
type AnyObjective = (typeof OBJECTIVES)["least_squares"] & (typeof OBJECTIVES)["minimax"];

for (const [name, ref] of Object.entries(REFERENCE) as [string, Ref][]) {
  const objective = OBJECTIVES[name as keyof typeof OBJECTIVES] as unknown as AnyObjective;
  const p = (ref.params ?? {}) as { a: number; b: number; c: number; real_label: number };
  const d = (r: tf.Tensor, f: tf.Tensor) => tfjs(objective.discriminator(r, f, p));
  const g = (f: tf.Tensor, r: tf.Tensor) => tfjs(objective.generator(f, r, p));

  Deno.test(`${name}: losses match the closed form at known logits`, () => {
    const [r, f] = [tf.tensor1d(real), tf.tensor1d(fake)];
    const [dl, gl] = [value(d(r, f)), value(g(f, r))];
    assert.ok(
      Math.abs(dl - ref.d(real, fake)) < 2e-6 * (1 + Math.abs(dl)),
      `L_D ${dl} vs ${ref.d(real, fake)}`,
    );
    assert.ok(
      Math.abs(gl - ref.g(fake, real)) < 2e-6 * (1 + Math.abs(gl)),
      `L_G ${gl} vs ${ref.g(fake, real)}`,
    );
    tf.dispose([r, f]);
  });

  Deno.test(`${name}: gradients match central finite differences of the closed form`, () => {
    const h = 1e-6;
    const fd = (loss: (x: number[]) => number, x: number[]) =>
      x.map((_, i) => {
        const up = [...x], down = [...x];
        up[i] += h;
        down[i] -= h;
        return (loss(up) - loss(down)) / (2 * h);
      });
    const t = (x: number[]) => tf.tensor1d(x);
    const [dReal, dFake] = tf.grads((r: tf.Tensor, f: tf.Tensor) => d(r, f))([t(real), t(fake)]);
    const checks: [tf.Tensor, number[]][] = [
      [dReal, fd((x) => ref.d(x, fake), real)],
      [dFake, fd((x) => ref.d(real, x), fake)],
    ];
    if (objective.generatorUsesReal) {
      const [gFake, gReal] = tf.grads((f: tf.Tensor, r: tf.Tensor) => g(f, r))([t(fake), t(real)]);
      checks.push([gFake, fd((x) => ref.g(x, real), fake)], [
        gReal,
        fd((x) => ref.g(fake, x), real),
      ]);
    } else {
      const gFake = tf.grad((f: tf.Tensor) => g(f, t(real)))(t(fake));
      checks.push([gFake, fd((x) => ref.g(x, real), fake)]);
      assert.equal(
        ref.g(fake, real),
        ref.g(fake, real.map((x) => x + 1)),
        "L_G ignores real logits",
      );
    }
    for (const [got, want] of checks) {
      Array.from(got.dataSync()).forEach((v, i) =>
        assert.ok(Math.abs(v - want[i]) < 1e-5 * (1 + Math.abs(want[i])), `${v} vs ${want[i]}`)
      );
    }
  });
}

Deno.test("GAN critic loss at the optimum D = 1/2 (logits 0) is log 4: V = -log 4, JSD estimate 0", () => {
  const z = tf.zeros([8]);
  const loss = value(OBJECTIVES.minimax.discriminator(z, z, { real_label: 1 }));
  assert.ok(Math.abs(loss - Math.log(4)) < 1e-6);
  assert.ok(Math.abs(OBJECTIVES.minimax.divergence!.fromCriticLoss(loss)) < 1e-6);
});

Deno.test("every objective stays finite for large logits (stable forms, no log of a sigmoid)", () => {
  const big = tf.tensor1d([-60, 60, 30, -30]);
  for (const [name, objective] of Object.entries(OBJECTIVES)) {
    if (name === "kl" || name === "squared_hellinger" || name === "jeffrey") continue; // f* grows like e^v
    const o = objective as unknown as AnyObjective;
    const p = { a: 0, b: 1, c: 1, real_label: 0.9 };
    assert.ok(Number.isFinite(value(o.discriminator(big, big, p))), name);
    assert.ok(Number.isFinite(value(o.generator(big, big, p))), name);
  }
});
