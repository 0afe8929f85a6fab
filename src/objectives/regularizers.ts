/**
 * The critic regulariser table (REFERENCE.md §3): penalties added to the
 * critic's loss inside its gradient scope, and constraints applied after
 * each critic update. Listed under `regularizers:` in an experiment file.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { bool, type Field, type InferShape, num, type Shape } from "../fields.ts";
import type { Network } from "../nn/network.ts";
import type { Rng } from "../rng.ts";
import { type Tensor, tfjs } from "../tensor.ts";

/** What a penalty sees: the critic and this update's batches. */
export interface PenaltyContext {
  /** The critic, raw outputs. */
  readonly critic: (x: Tensor) => Tensor;
  /** The real batch `[n, ...shape]`. */
  readonly real: Tensor;
  /** The generated batch, same shape. */
  readonly fake: Tensor;
  /** The `penalty` random stream (interpolation weights, perturbations). */
  readonly rng: Rng;
}

/** One record of the regulariser table. */
export interface RegularizerKind<S extends Shape> {
  /** One line for the README reference. */
  readonly doc: string;
  /** Keys besides `name`. */
  readonly params: S;
  /** A penalty added to the critic's loss (differentiated with it). */
  penalty?(ctx: PenaltyContext, p: InferShape<S>): Tensor;
  /** A constraint applied to the critic after each of its updates. */
  afterCriticUpdate?(critic: Network, p: InferShape<S>): void;
}

function defineRegularizer<S extends Shape>(kind: RegularizerKind<S>): RegularizerKind<S> {
  return kind;
}

/**
 * `every` of a penalty: lazy regularisation (Karras et al. 2020, StyleGAN2):
 * the penalty is computed on every k-th critic update only, weighted k, so it
 * costs 1/k as much with the same expected weight.
 */
const every = num(
  "apply the penalty on every k-th critic update only, weighted k (lazy regularisation)",
  { int: true, min: 1, default: 1 },
);

/** Per-example L2 norms of the critic's input gradient at `x`, shape `[n]`. */
function gradNorms(critic: (x: Tensor) => Tensor, x: tf.Tensor): tf.Tensor {
  const g = tf.grad((input: tf.Tensor) => tf.sum(tfjs(critic(input))))(x);
  const axes = Array.from({ length: x.shape.length - 1 }, (_, i) => i + 1);
  // The epsilon keeps sqrt's gradient finite where the gradient vanishes.
  return tf.sqrt(tf.add(tf.sum(tf.square(g), axes), 1e-12));
}

/** `n` draws of U[0, 1), shaped `[n, 1, 1, ...]` to broadcast over an example. */
function perExample(rng: Rng, like: Tensor): tf.Tensor {
  const n = like.shape[0];
  const shape = [n, ...like.shape.slice(1).map(() => 1)];
  return tf.tensor(rng.fillUniform(new Float32Array(n)), shape);
}

/** The type of {@link REGULARIZERS}: each regulariser with its keys (a new entry is listed here too). */
export type Regularizers = {
  readonly gradient_penalty: RegularizerKind<
    {
      weight: Field<number>;
      target: Field<number>;
      one_sided: Field<boolean>;
      every: Field<number>;
    }
  >;
  readonly r1: RegularizerKind<{ gamma: Field<number>; every: Field<number> }>;
  readonly dragan: RegularizerKind<
    { weight: Field<number>; c: Field<number>; every: Field<number> }
  >;
  readonly weight_clipping: RegularizerKind<{ c: Field<number> }>;
};

/** Every regulariser, by the name used in experiment files. */
export const REGULARIZERS: Regularizers = {
  gradient_penalty: defineRegularizer({
    doc: "WGAN-GP (Gulrajani et al. 2017): weight E[(||grad D(x^)|| - target)^2] at x^ = e x_r + " +
      "(1 - e) x_f, e ~ U[0, 1] per example; one_sided penalises only norms above target",
    params: {
      weight: num("lambda", { min: 0, default: 10 }),
      target: num("the gradient norm aimed at", { min: 0, default: 1 }),
      one_sided: bool("penalise only norms above target", false),
      every,
    },
    penalty(ctx, p) {
      const eps = perExample(ctx.rng, ctx.real);
      const [real, fake] = [tfjs(ctx.real), tfjs(ctx.fake)];
      const xhat = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
      const gap = tf.sub(gradNorms(ctx.critic, xhat), p.target);
      return tf.mul(p.weight, tf.mean(tf.square(p.one_sided ? tf.relu(gap) : gap)));
    },
  }),
  r1: defineRegularizer({
    doc: "R1 (Mescheder et al. 2018): gamma/2 E_real[||grad D(x)||^2]",
    params: { gamma: num("gamma", { min: 0, default: 10 }), every },
    penalty(ctx, p) {
      return tf.mul(p.gamma / 2, tf.mean(tf.square(gradNorms(ctx.critic, tfjs(ctx.real)))));
    },
  }),
  dragan: defineRegularizer({
    doc:
      "DRAGAN (Kodali et al. 2017): weight E[(||grad D(x^)|| - 1)^2] at x^ = x_r + a c std(x_r) u, " +
      "u ~ U[0, 1] per coordinate, a ~ U[0, 1] per example",
    params: {
      weight: num("lambda", { min: 0, default: 10 }),
      c: num("perturbation scale, in batch standard deviations", { gt: 0, default: 0.5 }),
      every,
    },
    penalty(ctx, p) {
      const real = tfjs(ctx.real);
      const u = tf.tensor(ctx.rng.fillUniform(new Float32Array(real.size)), real.shape);
      const std = tf.sqrt(tf.moments(real, 0).variance);
      const xhat = tf.add(real, tf.mul(perExample(ctx.rng, real), tf.mul(tf.mul(p.c, std), u)));
      return tf.mul(p.weight, tf.mean(tf.square(tf.sub(gradNorms(ctx.critic, xhat), 1))));
    },
  }),
  weight_clipping: defineRegularizer({
    doc:
      "WGAN (Arjovsky et al. 2017): clip every critic weight to [-c, c] after each critic update",
    params: { c: num("clipping bound", { gt: 0, default: 0.01 }) },
    afterCriticUpdate(critic, p) {
      tf.tidy(() => {
        for (const { variable } of critic.params) {
          const v = tfjs(variable);
          v.assign(tf.clipByValue(v, -p.c, p.c));
        }
      });
    },
  }),
};

/** A regulariser name from {@link REGULARIZERS}. */
export type RegularizerName = keyof Regularizers;
