/**
 * The f-divergences of f-GAN (Nowozin, Cseke, Tomioka 2016; REFERENCE.md §2):
 * each with its generator function f, its Fenchel conjugate f*, and the
 * output activation g_f mapping the critic's raw output v into dom f*.
 * Scalar float64 forms serve tests and the divergence meter; tensor forms
 * compute `g_f(v)` and `f*(g_f(v))` stably straight from v.
 *
 * Convention: D_f(P||Q) = E_Q[f(p/q)] with the f below, so `jensen_shannon`
 * gives 2·JSD (and `gan` gives 2·JSD - log 4). Duel reports D_f as defined.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { Tensor } from "../tensor.ts";
import { lambertWExp } from "./lambert_w.ts";

/** One f-divergence. */
export interface FDivergence {
  /** Its name and what it measures. */
  readonly doc: string;
  /** f as a formula, for the README. */
  readonly formula: string;
  /** f(u), u > 0, float64. */
  f(u: number): number;
  /** The conjugate f*(t) = sup_u { u t - f(u) }, float64 (NaN outside dom f*). */
  conjugate(t: number): number;
  /** g_f(v), float64. */
  activation(v: number): number;
  /** g_f(v) on a tensor. */
  activationTf(v: Tensor): Tensor;
  /** f*(g_f(v)) on a tensor, computed stably from v. */
  conjugateOfActivationTf(v: Tensor): Tensor;
}

const LN2 = Math.LN2;
const softplus = (x: number) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
/** neyman's critic link h(v) = (1 + elu(-v/6))^3: e^{-v/2} for v >= 0, (1 - v/6)^3 below. */
const neymanH = (v: number) => (v >= 0 ? Math.exp(-v / 2) : (1 - v / 6) ** 3);
const neymanHTf = (v: tf.Tensor) =>
  tf.tidy(() => {
    const b = tf.add(1, tf.elu(tf.div(v, -6)));
    return tf.mul(tf.square(b), b);
  });

/** An f-divergence name from {@link F_DIVERGENCES} (a new entry is named here too). */
export type FDivergenceName =
  | "kl"
  | "reverse_kl"
  | "pearson"
  | "neyman"
  | "squared_hellinger"
  | "jeffrey"
  | "jensen_shannon"
  | "gan"
  | "total_variation";

/** Every f-divergence, by name. */
export const F_DIVERGENCES: Readonly<Record<FDivergenceName, FDivergence>> = {
  kl: {
    doc: "Kullback-Leibler KL(P || Q)",
    formula: "f(u) = u log u; f*(t) = exp(t - 1); g_f(v) = v",
    f: (u) => u * Math.log(u),
    conjugate: (t) => Math.exp(t - 1),
    activation: (v) => v,
    activationTf: (v: tf.Tensor) => v,
    conjugateOfActivationTf: (v: tf.Tensor) => tf.exp(tf.sub(v, 1)),
  },
  reverse_kl: {
    doc: "reverse Kullback-Leibler KL(Q || P)",
    formula: "f(u) = -log u; f*(t) = -1 - log(-t); g_f(v) = -exp(-v)",
    f: (u) => -Math.log(u),
    conjugate: (t) => (t < 0 ? -1 - Math.log(-t) : NaN),
    activation: (v) => -Math.exp(-v),
    activationTf: (v: tf.Tensor) => tf.neg(tf.exp(tf.neg(v))),
    conjugateOfActivationTf: (v: tf.Tensor) => tf.sub(v, 1),
  },
  pearson: {
    doc: "Pearson chi-squared",
    formula: "f(u) = (u - 1)^2; f*(t) = t^2/4 + t; g_f(v) = v",
    f: (u) => (u - 1) ** 2,
    conjugate: (t) => t * t / 4 + t,
    activation: (v) => v,
    activationTf: (v: tf.Tensor) => v,
    conjugateOfActivationTf: (v: tf.Tensor) => tf.add(tf.div(tf.square(v), 4), v),
  },
  neyman: {
    doc: "Neyman chi-squared",
    formula: "f(u) = (1 - u)^2 / u; f*(t) = 2 - 2 sqrt(1 - t); g_f(v) = 1 - h(v)^2, " +
      "h(v) = (1 + elu(-v/6))^3 (e^{-v/2} for v >= 0, (1 - v/6)^3 below)",
    // (1 - u) ((1 - u) / u), not (1 - u)^2 / u: the square overflows for u above 1e154, where a
    // narrow Q's far tails put p/q, and q f(p/q) read Infinity for a finite divergence.
    f: (u) => (1 - u) * ((1 - u) / u),
    conjugate: (t) => (t < 1 ? 2 - 2 * Math.sqrt(1 - t) : NaN),
    // The critic's optimum is h(v) = q/p, and its loss on a real sample is h(v)^2 - 1. With f-GAN's
    // h(v) = e^{-v/2} (g_f(v) = 1 - exp(-v)) that sample's gradient in v is (q/p)^2: its second
    // moment over P, the integral of q^4/p^3, is finite only while sigma < sqrt(4/3) x the std of
    // the component governing a tail, and at the optimum of tools/fit_check.ts's mixture b it is
    // 1.2e8 (2.9 on fit-neyman.yaml's own). A real sample in P's tail, or a fake one where the
    // critic's v is stale, then moved the critic or the generator 16 learning rates at once and
    // Adam's second moment all but froze the generator afterwards (issue 22; README, "Divergences
    // against ground truth"). Above q/p = 1, h is a cube in v instead: the gradient grows as
    // (q/p)^(5/3) (second moment the integral of q^(10/3)/p^(7/3): 160 on mixture b), and a
    // piecewise-linear critic still follows (q/p)^(1/3) into the tails (with a square, (q/p)^(1/2),
    // fits ended at the optimum of Q's +-3.5 sigma; with h linear, 0.08 off on mixture b).
    activation: (v) => 1 - neymanH(v) ** 2,
    activationTf: (v: tf.Tensor) => tf.sub(1, tf.square(neymanHTf(v))),
    conjugateOfActivationTf: (v: tf.Tensor) => tf.sub(2, tf.mul(2, neymanHTf(v))),
  },
  squared_hellinger: {
    doc: "squared Hellinger",
    formula: "f(u) = (sqrt(u) - 1)^2; f*(t) = t / (1 - t); g_f(v) = 1 - exp(-v)",
    f: (u) => (Math.sqrt(u) - 1) ** 2,
    conjugate: (t) => (t < 1 ? t / (1 - t) : NaN),
    activation: (v) => 1 - Math.exp(-v),
    activationTf: (v: tf.Tensor) => tf.sub(1, tf.exp(tf.neg(v))),
    conjugateOfActivationTf: (v: tf.Tensor) => tf.sub(tf.exp(v), 1),
  },
  jeffrey: {
    doc: "Jeffrey (symmetrised KL: KL(P || Q) + KL(Q || P))",
    formula:
      "f(u) = (u - 1) log u; f*(t) = W(e^{1-t}) + 1/W(e^{1-t}) + t - 2; g_f(v) = f'(e^v) = v + 1 - exp(-v)",
    f: (u) => (u - 1) * Math.log(u),
    conjugate: (t) => {
      const w = lambertWExp(1 - t);
      return w + 1 / w + t - 2;
    },
    // Not f-GAN's Table 6 (g_f(v) = v): there the critic must output T = log r + 1 - 1/r, which
    // falls like -1/r = -exp(quadratic) where the generator has mass and the data has little, and
    // a leaky-ReLU critic only falls linearly, so the generator under-feels its tails (sigma came
    // out 0.03-0.04 high). With g_f = f' o exp, as every other entry here has, the critic outputs
    // v = log(p/q), and f*(g_f(v)) = e^v + v - 1 exactly (u f'(u) - f(u) at u = e^v): no Lambert W.
    activation: (v) => v + 1 - Math.exp(-v),
    activationTf: (v: tf.Tensor) => tf.sub(tf.add(v, 1), tf.exp(tf.neg(v))),
    conjugateOfActivationTf: (v: tf.Tensor) => tf.sub(tf.add(tf.exp(v), v), 1),
  },
  jensen_shannon: {
    doc: "Jensen-Shannon, as 2·JSD (f-GAN's f; JSD itself is half of it)",
    formula:
      "f(u) = u log u - (u + 1) log((1 + u)/2); f*(t) = -log(2 - exp t); g_f(v) = log 2 - softplus(-v)",
    f: (u) => u * Math.log(u) - (u + 1) * Math.log((1 + u) / 2),
    conjugate: (t) => (t < LN2 ? -Math.log(2 - Math.exp(t)) : NaN),
    activation: (v) => LN2 - softplus(-v),
    activationTf: (v: tf.Tensor) => tf.sub(LN2, tf.softplus(tf.neg(v))),
    conjugateOfActivationTf: (v: tf.Tensor) => tf.sub(tf.softplus(v), LN2),
  },
  gan: {
    doc: "the original GAN's divergence, 2·JSD - log 4",
    formula: "f(u) = u log u - (u + 1) log(u + 1); f*(t) = -log(1 - exp t); g_f(v) = -softplus(-v)",
    f: (u) => u * Math.log(u) - (u + 1) * Math.log(u + 1),
    conjugate: (t) => (t < 0 ? -Math.log(1 - Math.exp(t)) : NaN),
    activation: (v) => -softplus(-v),
    activationTf: (v: tf.Tensor) => tf.neg(tf.softplus(tf.neg(v))),
    conjugateOfActivationTf: (v: tf.Tensor) => tf.softplus(v),
  },
  total_variation: {
    doc: "total variation distance",
    formula: "f(u) = |u - 1| / 2; f*(t) = t on |t| <= 1/2; g_f(v) = tanh(v) / 2",
    f: (u) => Math.abs(u - 1) / 2,
    conjugate: (t) => (Math.abs(t) <= 0.5 ? t : NaN),
    activation: (v) => Math.tanh(v) / 2,
    activationTf: (v: tf.Tensor) => tf.div(tf.tanh(v), 2),
    conjugateOfActivationTf: (v: tf.Tensor) => tf.div(tf.tanh(v), 2),
  },
};
