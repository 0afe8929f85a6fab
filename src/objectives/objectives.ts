/**
 * The objective table: each record holds the critic's loss and the
 * generator's loss as pure functions of the critic's raw outputs (logits).
 * Both losses are minimised. REFERENCE.md §1 gives the formulas.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { type Field, type InferShape, num, type Shape } from "../fields.ts";
import { type Tensor, tfjs } from "../tensor.ts";
import {
  type ExactDivergence,
  fDivergenceExact,
  JSD_EXACT,
  W1_EXACT,
} from "./exact_divergences.ts";
import { F_DIVERGENCES, type FDivergence, type FDivergenceName } from "./f_divergences.ts";

/** How the critic's loss translates into an estimate of a divergence. */
export interface DivergenceEstimate {
  /** What the estimate is, e.g. `JSD (nats)` or `lower bound on KL`. */
  readonly doc: string;
  /** The estimate from the critic's (objective-only) loss. */
  fromCriticLoss(loss: number): number;
  /** The same divergence computed exactly between 1-D densities (ground truth), where known. */
  readonly exact?: ExactDivergence;
}

/** One record of the objective table. */
export interface ObjectiveKind<S extends Shape> {
  /** One line for the README reference. */
  readonly doc: string;
  /** The losses as formulas, for the README reference. */
  readonly formula: string;
  /** Keys besides `name`. */
  readonly params: S;
  /** Critic loss from logits on a real batch and a fake batch (minimised). */
  discriminator(real: Tensor, fake: Tensor, p: InferShape<S>): Tensor;
  /** Generator loss from logits on a fake batch and a real one (minimised). */
  generator(fake: Tensor, real: Tensor, p: InferShape<S>): Tensor;
  /** True when the generator loss reads the real logits (relativistic forms). */
  readonly generatorUsesReal: boolean;
  /** The critic's per-example score reported as `d/real_score`, `d/fake_score`. */
  score(logits: Tensor): Tensor;
  /** The divergence the critic's loss estimates, where there is one (`d/divergence`). */
  readonly divergence?: DivergenceEstimate;
  /**
   * The losses with their gradients with respect to the logits in closed
   * form, where written: what tfjs's autodiff of `discriminator` and
   * `generator` gives, bit for bit (tests/objective_gradients_test.ts), in
   * fewer ops, for steps taken without the tape (`train/direct_grads.ts`).
   */
  readonly logitGradients?: LogitGradients<InferShape<S>>;
}

/** A loss and its gradient with respect to each logits tensor it reads (same shapes). */
export interface LossGradients {
  /** The loss (a scalar). */
  readonly loss: Tensor;
  /** The gradients, in the order of the loss's logits arguments. */
  readonly grads: readonly Tensor[];
}

/** An objective's losses with their logit gradients, in closed form. */
export interface LogitGradients<P> {
  /** The critic's loss and its gradients for the real and the fake logits; undefined for parameters not covered. */
  discriminator?(real: Tensor, fake: Tensor, p: P): LossGradients | undefined;
  /**
   * The same on both batches' logits stacked (`[real; fake]`, `2n × 1`): the loss and one
   * gradient for the stack, `discriminator`'s two gradients concatenated, in their bits, in
   * fewer ops (no split, no concatenation); undefined for parameters not covered.
   */
  discriminatorStacked?(logits: Tensor, p: P): StackedGradients | undefined;
  /** The generator's loss and its gradient for the fake logits (a generator that reads no real logits). */
  generator?(fake: Tensor, p: P): LossGradients;
}

/** A critic loss and its gradient with respect to the stacked logits `[real; fake]`. */
export interface StackedGradients {
  /** The loss (a scalar). */
  readonly loss: Tensor;
  /** The gradient, the logits' shape. */
  readonly grad: Tensor;
}

function defineObjective<S extends Shape>(kind: ObjectiveKind<S>): ObjectiveKind<S> {
  return kind;
}

const mean = (t: tf.Tensor) => tf.mean(t) as tf.Scalar;
/** `-log D(x) = softplus(-l)` for D = sigmoid(l), computed stably. */
const negLogD = (l: tf.Tensor) => mean(tf.softplus(tf.neg(l)));
/** `-log(1 - D(x)) = softplus(l)`. */
const negLog1mD = (l: tf.Tensor) => mean(tf.softplus(l));

/**
 * The original game's critic: maximise E log D(x) + E log(1 - D(G(z))); with
 * `real_label` s < 1, real examples are scored against s (one-sided label smoothing).
 */
const ganCritic = (real: tf.Tensor, fake: tf.Tensor, p: { real_label: number }) =>
  tf.add(
    p.real_label === 1
      ? negLogD(real)
      : tf.add(tf.mul(p.real_label, negLogD(real)), tf.mul(1 - p.real_label, negLog1mD(real))),
    negLog1mD(fake),
  ) as tf.Scalar;
/**
 * The gradient of `mean(softplus(sign · l))` with respect to `l`, scaled by
 * `dy` = ±1, as autodiff computes it: `mean`'s `(dy · 1) / n`, then
 * softplus's `· sigmoid(sign · l)`, then `neg`'s where `sign` is -1.
 */
function softplusMeanGrad(l: tf.Tensor, sign: 1 | -1, dy: 1 | -1): tf.Tensor {
  const arg = sign < 0 ? tf.neg(l) : l;
  const g = tf.mul(tf.sigmoid(arg), dy / l.size); // f32 of dy / n: autodiff's RealDiv
  return sign < 0 ? tf.neg(g) : g;
}

/**
 * The gradient of `dy · mean(l)` with respect to `l`: `dy / n` everywhere, the
 * f32 quotient autodiff's `div(mul(dy, ones), n)` computes.
 */
const meanGrad = (l: tf.Tensor, dy: 1 | -1) => tf.fill(l.shape, Math.fround(dy / l.size));

/** The least-squares critic's loss, `E (l_r - b)^2 / 2 + E (l_f - a)^2 / 2`. */
const leastSquaresCritic = (real: tf.Tensor, fake: tf.Tensor, p: { a: number; b: number }) =>
  tf.div(tf.add(mean(tf.square(tf.sub(real, p.b))), mean(tf.square(tf.sub(fake, p.a)))), 2);

/** The hinge critic's loss, `E relu(1 - l_r) + E relu(1 + l_f)`. */
const hingeCritic = (real: tf.Tensor, fake: tf.Tensor) =>
  tf.add(mean(relu(tf.sub(1, real))), mean(relu(tf.add(1, fake))));

/**
 * The gradient of `mean(relu(x))` with respect to the logits `l`, where `x = 1 - l`
 * (`sign` -1) or `1 + l` (`sign` 1), as autodiff computes it: `mean`'s f32 `1/n`, relu's
 * `· step(x)` (+0 where `x <= 0`, NaN where NaN), and `sub`'s sign flip (which turns +0
 * into -0, as `neg` does).
 */
const hingeGrad = (x: tf.Tensor, sign: 1 | -1) => tf.mul(tf.step(x), sign / x.size);

/**
 * The gradient of `mean((l - t)^2) / 2` with respect to `l`, as autodiff computes it: `div`'s
 * 1/2 and `mean`'s `/ n` give the f32 `0.5 / n` everywhere, then square's `dy · ((l - t) · 2)`.
 */
const squareMeanGrad = (l: tf.Tensor, t: number) =>
  tf.mul(tf.fill(l.shape, Math.fround(0.5 / l.size)), tf.mul(tf.sub(l, t), 2));

/** `-E l_f` and its logit gradient (the Wasserstein and hinge generators' loss). */
const negMeanGradients = (fake: tf.Tensor) => ({
  loss: tf.neg(mean(fake)),
  grads: [meanGrad(fake, -1)],
});

/** The Wasserstein critic's loss, `E l_f - E l_r`. */
const wassersteinCritic = (real: tf.Tensor, fake: tf.Tensor) => tf.sub(mean(fake), mean(real));

/**
 * Per row count `n`, the constant columns the stacked GAN critic multiplies by: the signs
 * `[-1 × n; +1 × n]` (`-l_r` and `l_f`, exactly `neg` and the identity) and the steps
 * `[-1/n × n; +1/n × n]` (autodiff's f32 `1/n`, negated for the real rows: the sign
 * flips exactly, as `neg` after `mul` does). The values are made once per size; the
 * tensors per call, so they belong to whatever backend is active and to the caller's `tidy`.
 */
const stackedColumns = new Map<number, { signs: Float32Array; steps: Float32Array }>();
function columnsFor(n: number): { signs: tf.Tensor; steps: tf.Tensor } {
  let c = stackedColumns.get(n);
  if (!c) {
    const step = Math.fround(1 / n);
    const col = (v: (i: number) => number) => Float32Array.from({ length: 2 * n }, (_, i) => v(i));
    c = { signs: col((i) => (i < n ? -1 : 1)), steps: col((i) => (i < n ? -step : step)) };
    stackedColumns.set(n, c);
  }
  return { signs: tf.tensor2d(c.signs, [2 * n, 1]), steps: tf.tensor2d(c.steps, [2 * n, 1]) };
}

/**
 * {@link ganCriticGradients} on the stacked logits (real_label 1 only): `a = [-l_r; l_f]`,
 * the loss `E softplus(a_r) + E softplus(a_f)` (each half's mean, then their sum: the
 * `add` of the two means) and the gradient `sigmoid(a) · [-1/n; 1/n]`.
 */
const ganCriticStacked = (logits: tf.Tensor, p: { real_label: number }) => {
  if (p.real_label !== 1) return undefined;
  const n = logits.shape[0] / 2;
  const { signs, steps } = columnsFor(n);
  const a = tf.mul(logits, signs);
  const halves = tf.mean(tf.reshape(tf.softplus(a), [2, n]), 1);
  return { loss: tf.sum(halves), grad: tf.mul(tf.sigmoid(a), steps) };
};

/** {@link ganCritic}'s loss and logit gradients (real_label 1 only). */
const ganCriticGradients = (real: tf.Tensor, fake: tf.Tensor, p: { real_label: number }) =>
  p.real_label === 1
    ? {
      loss: ganCritic(real, fake, p),
      grads: [softplusMeanGrad(real, -1, 1), softplusMeanGrad(fake, 1, 1)],
    }
    : undefined;
const ganParams = {
  real_label: num(
    "the critic's target for real examples; below 1 is one-sided label smoothing (Salimans et al. 2016)",
    {
      gt: 0.5,
      max: 1,
      default: 1,
    },
  ),
};
const jsdFromGanLoss: DivergenceEstimate = {
  doc: "JSD in nats: the critic's value V = -L_D estimates -log 4 + 2 JSD",
  fromCriticLoss: (loss) => (Math.log(4) - loss) / 2,
  exact: JSD_EXACT,
};

/** An f-GAN objective: the critic maximises F = E_P[g_f(v)] - E_Q[f*(g_f(v))]; G minimises F. */
function fgan(name: FDivergenceName): ObjectiveKind<Record<never, never>> {
  const d: FDivergence = F_DIVERGENCES[name];
  return defineObjective({
    doc: `f-GAN, ${d.doc}: ${d.formula}`,
    formula: "L_D = -(E g_f(l_r) - E f*(g_f(l_f))); L_G = -E f*(g_f(l_f))",
    params: {},
    discriminator: (real: tf.Tensor, fake: tf.Tensor) =>
      tf.sub(mean(tfjs(d.conjugateOfActivationTf(fake))), mean(tfjs(d.activationTf(real)))),
    generator: (fake: tf.Tensor) => tf.neg(mean(tfjs(d.conjugateOfActivationTf(fake)))),
    generatorUsesReal: false,
    score: (l: tf.Tensor) => d.activationTf(l),
    divergence: {
      doc: `lower bound on D_f (${name})`,
      fromCriticLoss: (loss) => -loss,
      exact: fDivergenceExact(d.f),
    },
  });
}

/** `relu`-based hinge, `max(0, x)`. */
const relu = (x: tf.Tensor) => tf.relu(x);

/** The type of {@link OBJECTIVES}: each objective with its keys (a new entry is listed here too). */
export type Objectives = {
  readonly minimax: ObjectiveKind<{ real_label: Field<number> }>;
  readonly non_saturating: ObjectiveKind<{ real_label: Field<number> }>;
  readonly kl: ObjectiveKind<Record<never, never>>;
  readonly reverse_kl: ObjectiveKind<Record<never, never>>;
  readonly pearson: ObjectiveKind<Record<never, never>>;
  readonly neyman: ObjectiveKind<Record<never, never>>;
  readonly squared_hellinger: ObjectiveKind<Record<never, never>>;
  readonly jeffrey: ObjectiveKind<Record<never, never>>;
  readonly jensen_shannon: ObjectiveKind<Record<never, never>>;
  readonly gan: ObjectiveKind<Record<never, never>>;
  readonly total_variation: ObjectiveKind<Record<never, never>>;
  readonly wasserstein: ObjectiveKind<Record<never, never>>;
  readonly least_squares: ObjectiveKind<{ a: Field<number>; b: Field<number>; c: Field<number> }>;
  readonly hinge: ObjectiveKind<Record<never, never>>;
  readonly relativistic: ObjectiveKind<Record<never, never>>;
  readonly relativistic_average: ObjectiveKind<Record<never, never>>;
};

/** Every objective, by the name used in experiment files. */
export const OBJECTIVES: Objectives = {
  minimax: defineObjective({
    doc:
      "the original (saturating) game of Goodfellow et al. 2014; critic optimum gives -log 4 + 2 JSD",
    formula:
      "L_D = E softplus(-l_r) + E softplus(l_f); L_G = -E softplus(l_f) (= E log(1 - D(G(z))))",
    params: ganParams,
    discriminator: ganCritic,
    generator: (fake: tf.Tensor) => tf.neg(negLog1mD(fake)) as tf.Scalar,
    generatorUsesReal: false,
    score: (l: tf.Tensor) => tf.sigmoid(l),
    divergence: jsdFromGanLoss,
    logitGradients: {
      discriminator: ganCriticGradients,
      discriminatorStacked: ganCriticStacked,
      generator: (fake: tf.Tensor) => ({
        loss: tf.neg(negLog1mD(fake)),
        grads: [softplusMeanGrad(fake, 1, -1)],
      }),
    },
  }),
  non_saturating: defineObjective({
    doc: "the original critic with the non-saturating generator loss -E log D(G(z))",
    formula: "L_D = E softplus(-l_r) + E softplus(l_f); L_G = E softplus(-l_f)",
    params: ganParams,
    discriminator: ganCritic,
    generator: (fake: tf.Tensor) => negLogD(fake),
    generatorUsesReal: false,
    score: (l: tf.Tensor) => tf.sigmoid(l),
    divergence: jsdFromGanLoss,
    logitGradients: {
      discriminator: ganCriticGradients,
      discriminatorStacked: ganCriticStacked,
      // `-l_f` once for both: the loss's softplus and the gradient's sigmoid read it.
      generator: (fake: tf.Tensor) => {
        const a = tf.neg(fake);
        return { loss: mean(tf.softplus(a)), grads: [tf.mul(tf.sigmoid(a), -1 / fake.size)] };
      },
    },
  }),
  kl: fgan("kl"),
  reverse_kl: fgan("reverse_kl"),
  pearson: fgan("pearson"),
  neyman: fgan("neyman"),
  squared_hellinger: fgan("squared_hellinger"),
  jeffrey: fgan("jeffrey"),
  jensen_shannon: fgan("jensen_shannon"),
  gan: fgan("gan"),
  total_variation: fgan("total_variation"),
  wasserstein: defineObjective({
    doc:
      "Wasserstein GAN (Arjovsky et al. 2017); needs a Lipschitz critic (clipping or a gradient penalty)",
    formula: "L_D = E l_f - E l_r; L_G = -E l_f",
    params: {},
    discriminator: wassersteinCritic,
    generator: (fake: tf.Tensor) => tf.neg(mean(fake)),
    generatorUsesReal: false,
    score: (l: tf.Tensor) => l,
    divergence: {
      doc: "Wasserstein-1 distance (if the critic is 1-Lipschitz)",
      fromCriticLoss: (l) => -l,
      exact: W1_EXACT,
    },
    logitGradients: {
      discriminator: (real: tf.Tensor, fake: tf.Tensor) => ({
        loss: wassersteinCritic(real, fake),
        grads: [meanGrad(real, -1), meanGrad(fake, 1)],
      }),
      generator: negMeanGradients,
    },
  }),
  least_squares: defineObjective({
    doc: "least squares GAN (Mao et al. 2017); a=-1, b=1, c=0 minimises Pearson chi^2",
    formula: "L_D = E (l_r - b)^2 / 2 + E (l_f - a)^2 / 2; L_G = E (l_f - c)^2 / 2",
    params: {
      a: num("critic's target for fake samples", { default: 0 }),
      b: num("critic's target for real samples", { default: 1 }),
      c: num("the value the generator wants the critic to give its samples", { default: 1 }),
    },
    discriminator: leastSquaresCritic,
    generator: (fake: tf.Tensor, _real: tf.Tensor, p) =>
      tf.div(mean(tf.square(tf.sub(fake, p.c))), 2),
    generatorUsesReal: false,
    score: (l: tf.Tensor) => l,
    logitGradients: {
      discriminator: (real: tf.Tensor, fake: tf.Tensor, p) => ({
        loss: leastSquaresCritic(real, fake, p),
        grads: [squareMeanGrad(real, p.b), squareMeanGrad(fake, p.a)],
      }),
      generator: (fake: tf.Tensor, p) => ({
        loss: tf.div(mean(tf.square(tf.sub(fake, p.c))), 2),
        grads: [squareMeanGrad(fake, p.c)],
      }),
    },
  }),
  hinge: defineObjective({
    doc: "hinge loss (Lim & Ye 2017; SN-GAN, BigGAN)",
    formula: "L_D = E relu(1 - l_r) + E relu(1 + l_f); L_G = -E l_f",
    params: {},
    discriminator: (real: tf.Tensor, fake: tf.Tensor) => hingeCritic(real, fake),
    generator: (fake: tf.Tensor) => tf.neg(mean(fake)),
    generatorUsesReal: false,
    score: (l: tf.Tensor) => l,
    logitGradients: {
      discriminator: (real: tf.Tensor, fake: tf.Tensor) => ({
        loss: hingeCritic(real, fake),
        grads: [hingeGrad(tf.sub(1, real), -1), hingeGrad(tf.add(1, fake), 1)],
      }),
      generator: negMeanGradients,
    },
  }),
  relativistic: defineObjective({
    doc:
      "relativistic standard GAN, RSGAN (Jolicoeur-Martineau 2018); pairs real and fake examples",
    formula: "L_D = E softplus(-(l_r - l_f)); L_G = E softplus(-(l_f - l_r))",
    params: {},
    discriminator: (real: tf.Tensor, fake: tf.Tensor) => mean(tf.softplus(tf.sub(fake, real))),
    generator: (fake: tf.Tensor, real: tf.Tensor) => mean(tf.softplus(tf.sub(real, fake))),
    generatorUsesReal: true,
    score: (l: tf.Tensor) => l,
  }),
  relativistic_average: defineObjective({
    doc: "relativistic average GAN, RaSGAN (Jolicoeur-Martineau 2018)",
    formula: "L_D = E softplus(-(l_r - E l_f)) + E softplus(l_f - E l_r); L_G swaps real and fake",
    params: {},
    discriminator: (real: tf.Tensor, fake: tf.Tensor) => relativisticAverage(real, fake),
    generator: (fake: tf.Tensor, real: tf.Tensor) => relativisticAverage(fake, real),
    generatorUsesReal: true,
    score: (l: tf.Tensor) => l,
  }),
};

/** RaSGAN's loss for the side that wants `a` judged more real than `b`. */
function relativisticAverage(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  return tf.add(
    mean(tf.softplus(tf.neg(tf.sub(a, mean(b))))),
    mean(tf.softplus(tf.sub(b, mean(a)))),
  ) as tf.Scalar;
}

/** An objective name from {@link OBJECTIVES}. */
export type ObjectiveName = keyof Objectives;
