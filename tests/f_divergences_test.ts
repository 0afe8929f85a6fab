import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { F_DIVERGENCES } from "../src/objectives/f_divergences.ts";
import { lambertWExp, lambertWExpTf } from "../src/objectives/lambert_w.ts";
import { tfjs } from "../src/tensor.ts";

await useBackend("wasm");

/** Where a unimodal `h` peaks in [lo, hi], by 200 steps of golden-section search. */
function argmax(h: (x: number) => number, lo: number, hi: number): number {
  const phi = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 200; i++) {
    const a = hi - phi * (hi - lo), b = lo + phi * (hi - lo);
    if (h(a) < h(b)) lo = a;
    else hi = b;
  }
  return (lo + hi) / 2;
}

/** sup_u { u t - f(u) } by golden-section search on log u (f convex, so u t - f(u) is concave). */
function numericConjugate(f: (u: number) => number, t: number): number {
  const h = (s: number) => Math.exp(s) * t - f(Math.exp(s));
  return h(argmax(h, -30, 12));
}

const V = [-2, -0.7, -0.1, 0, 0.3, 1.1, 2.5];

for (const [name, d] of Object.entries(F_DIVERGENCES)) {
  Deno.test(`${name}: f* is the Fenchel conjugate of f (numerically, at points of g_f's range)`, () => {
    for (const v of V) {
      const t = d.activation(v);
      const want = numericConjugate(d.f, t);
      if (name === "total_variation" && Math.abs(t) > 0.49) continue; // sup is at u -> 0 or inf
      assert.ok(
        Math.abs(d.conjugate(t) - want) < 1e-6 * (1 + Math.abs(want)),
        `v=${v}: ${d.conjugate(t)} vs ${want}`,
      );
    }
  });

  Deno.test(`${name}: tensor forms of g_f and f*(g_f) match the scalar formulas`, () => {
    const v = tf.tensor1d(V);
    const act = tf.tidy(() => tfjs(d.activationTf(v)).dataSync());
    const star = tf.tidy(() => tfjs(d.conjugateOfActivationTf(v)).dataSync());
    V.forEach((x, i) => {
      const want = d.conjugate(d.activation(x));
      assert.ok(Math.abs(act[i] - d.activation(x)) < 1e-6 * (1 + Math.abs(d.activation(x))));
      assert.ok(
        Math.abs(star[i] - want) < 2e-6 * (1 + Math.abs(want)),
        `v=${x}: ${star[i]} vs ${want}`,
      );
    });
    v.dispose();
  });

  Deno.test(`${name}: f(1) = 0, so D_f(P || P) = 0 (gan: f(1) = -log 4)`, () => {
    assert.ok(Math.abs(d.f(1) - (name === "gan" ? -Math.log(4) : 0)) < 1e-15);
  });
}

Deno.test("jensen_shannon's f gives 2·JSD: N(0,1) vs N(1,1) is 0.222843 (REFERENCE.md §2)", () => {
  const p = (x: number) => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
  const q = (x: number) => p(x - 1);
  let js = 0, gan = 0;
  const dx = 1e-3;
  for (let x = -12; x <= 13; x += dx) {
    js += q(x) * F_DIVERGENCES.jensen_shannon.f(p(x) / q(x)) * dx;
    gan += q(x) * F_DIVERGENCES.gan.f(p(x) / q(x)) * dx;
  }
  assert.ok(Math.abs(js - 0.222843) < 1e-6, `${js}`);
  assert.ok(Math.abs(gan - (0.222843 - Math.log(4))) < 1e-6, `${gan}`);
});

Deno.test("Lambert W: w e^w = e^c over a wide range, in float64 and float32", () => {
  const cs = [-80, -20, -3, -0.5, 0, 1, 2, 10, 80];
  const tfW = tf.tidy(() => lambertWExpTf(tf.tensor1d(cs)).dataSync());
  cs.forEach((c, i) => {
    const w = lambertWExp(c);
    assert.ok(Math.abs(w + Math.log(w) - c) < 1e-12 * (1 + Math.abs(c)), `c=${c}: ${w}`);
    assert.ok(Math.abs(tfW[i] - w) < 2e-6 * w, `c=${c}: ${tfW[i]} vs ${w}`);
  });
});

Deno.test("neyman: the critic's optimum is h(v) = q/p, and a real sample's gradient in v grows as (q/p)^(5/3), not (q/p)^2", () => {
  const d = F_DIVERGENCES.neyman;
  for (const r of [1e-3, 0.2, 1, 3, 100, 1e4]) {
    // r = q/p; the critic maximises p g_f(v) - q f*(g_f(v)) pointwise (p = 1 here).
    const value = (v: number) => d.activation(v) - r * d.conjugate(d.activation(v));
    const v = argmax(value, -1000, 60);
    const h = Math.sqrt(1 - d.activation(v));
    assert.ok(Math.abs(h - r) < 1e-6 * (1 + r), `r=${r}: h(v*) = ${h}`);
    // The real sample's loss is -g_f(v); its derivative in v, by central differences.
    const e = 1e-5 * (1 + Math.abs(v));
    const slope = (d.activation(v + e) - d.activation(v - e)) / (2 * e);
    const want = r <= 1 ? r * r : r ** (5 / 3);
    assert.ok(Math.abs(slope - want) < 1e-4 * want, `r=${r}: slope ${slope} vs ${want}`);
  }
});
