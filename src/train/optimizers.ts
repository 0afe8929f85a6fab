/**
 * The optimiser table. Updates follow PyTorch's formulas, so settings carry
 * over from papers and the peer benchmark; all state is held in named tfjs
 * variables so a checkpoint can save and restore it exactly. On the wasm
 * backends Adam and RMSProp run as one fused Rust kernel per player
 * (`src/backend/rust/optimizers.ts`, switch `adam_rust` / `rmsprop_rust`),
 * with the same bits as the tfjs code below.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { hasFusedUpdate, runFusedUpdate } from "../backend/rust/optimizers.ts";
import type { Experiment } from "../config/schema.ts";
import { type Field, type InferShape, list, num, type Shape } from "../fields.ts";
import type { Param } from "../nn/layers.ts";
import { ownedVariable } from "../nn/layer_kind.ts";
import { type Tensor, tfjs } from "../tensor.ts";

/** A live optimiser bound to one player's parameters. */
export interface Optimizer {
  /**
   * Applies one update; `grads` maps each parameter's variable name to its gradient, and
   * `lrFactor` (default 1) scales the configured learning rate (a schedule's factor).
   */
  apply(grads: Readonly<Record<string, Tensor>>, lrFactor?: number): void;
  /** Every state variable (moments, step counter), with stable names. */
  readonly slots: readonly Param[];
}

/** One record of the optimiser table. */
export interface OptimizerKind<S extends Shape> {
  /** One line for the README reference. */
  readonly doc: string;
  /** Keys besides `name`. */
  readonly params: S;
  /** Binds the optimiser to `params`, with zeroed state. */
  create(params: readonly Param[], p: InferShape<S>): Optimizer;
}

function defineOptimizer<S extends Shape>(kind: OptimizerKind<S>): OptimizerKind<S> {
  return kind;
}

/** Zeroed state variables shaped like `params`, named `<prefix>/<param name>`. */
function slotsLike(
  prefix: string,
  params: readonly Param[],
): { vars: tf.Variable[]; named: Param[] } {
  const vars = params.map((p) => ownedVariable(tf.zerosLike(tfjs(p.variable)), false));
  return {
    vars,
    named: vars.map((variable, i) => ({ name: `${prefix}/${params[i].name}`, variable })),
  };
}

/** Runs `fn(weight, gradient, index)` for every parameter inside one `tf.tidy`. */
function eachParam(
  params: readonly Param[],
  grads: Readonly<Record<string, Tensor>>,
  fn: (w: tf.Variable, g: tf.Tensor, i: number) => void,
): void {
  tf.tidy(() => params.forEach((p, i) => fn(tfjs(p.variable), tfjs(grads[p.variable.name]), i)));
}

/** The parameters' variables and their gradients, in order (for the fused updates). */
function unzip(
  params: readonly Param[],
  grads: Readonly<Record<string, Tensor>>,
): [tf.Variable[], tf.Tensor[]] {
  return [params.map((p) => tfjs(p.variable)), params.map((p) => tfjs(grads[p.variable.name]))];
}

const lr = (fallback: number) => num("learning rate", { gt: 0, default: fallback });
const eps = num("added to the denominator", { gt: 0, default: 1e-8 });

/** The type of {@link OPTIMIZERS}: each optimiser with its keys (a new entry is listed here too). */
export type Optimizers = {
  readonly adam: OptimizerKind<{ lr: Field<number>; betas: Field<number[]>; eps: Field<number> }>;
  readonly rmsprop: OptimizerKind<
    { lr: Field<number>; alpha: Field<number>; eps: Field<number>; momentum: Field<number> }
  >;
  readonly sgd: OptimizerKind<{ lr: Field<number>; momentum: Field<number> }>;
};

/** Every optimiser, by the name used in experiment files. */
export const OPTIMIZERS: Optimizers = {
  adam: defineOptimizer({
    doc: "Adam with bias correction: p -= lr m^ / (sqrt(v^) + eps)",
    params: {
      lr: lr(2e-4),
      betas: list("(beta1, beta2) moment decay rates", num("beta", { min: 0, lt: 1 }), {
        minItems: 2,
        maxItems: 2,
        default: [0.5, 0.999],
      }),
      eps,
    },
    create(params, p) {
      const [b1, b2] = p.betas;
      const m = slotsLike("m", params), v = slotsLike("v", params);
      const t = ownedVariable(tf.scalar(0), false);
      return {
        slots: [{ name: "t", variable: t }, ...m.named, ...v.named],
        apply(grads, lrFactor = 1) {
          const lr = p.lr * lrFactor;
          if (hasFusedUpdate("adam")) {
            const [ws, gs] = unzip(params, grads);
            const update = { params: ws, grads: gs, a: m.vars, b: v.vars, t };
            return runFusedUpdate("adam", update, { lr, b1, b2, eps: p.eps });
          }
          // Bias corrections in float64, as PyTorch computes them (1 - 0.999^t loses
          // digits in float32); the step count lives in a slot for checkpoints.
          const step = t.dataSync()[0] + 1;
          tf.tidy(() => t.assign(tf.scalar(step)));
          const stepSize = lr / (1 - b1 ** step), rootC2 = Math.sqrt(1 - b2 ** step);
          eachParam(params, grads, (w, g, i) => {
            const mi = tf.add(tf.mul(b1, m.vars[i]), tf.mul(1 - b1, g));
            const vi = tf.add(tf.mul(b2, v.vars[i]), tf.mul(1 - b2, tf.square(g)));
            m.vars[i].assign(mi);
            v.vars[i].assign(vi);
            const denom = tf.add(tf.div(tf.sqrt(vi), rootC2), p.eps);
            w.assign(tf.sub(w, tf.mul(stepSize, tf.div(mi, denom))));
          });
        },
      };
    },
  }),
  rmsprop: defineOptimizer({
    doc:
      "RMSProp (PyTorch form): v = alpha v + (1 - alpha) g^2; p -= lr g / (sqrt(v) + eps), with optional momentum",
    params: {
      lr: lr(5e-5),
      alpha: num("smoothing constant of the squared-gradient average", {
        min: 0,
        lt: 1,
        default: 0.99,
      }),
      eps,
      momentum: num("momentum factor", { min: 0, lt: 1, default: 0 }),
    },
    create(params, p) {
      const v = slotsLike("v", params);
      const buf = slotsLike("buf", p.momentum > 0 ? params : []);
      return {
        slots: [...v.named, ...buf.named],
        apply(grads, lrFactor = 1) {
          const lr = p.lr * lrFactor;
          if (hasFusedUpdate("rmsprop")) {
            const [ws, gs] = unzip(params, grads);
            const { alpha, eps, momentum } = p;
            const update = { params: ws, grads: gs, a: v.vars, b: buf.vars };
            return runFusedUpdate("rmsprop", update, { lr, alpha, eps, momentum });
          }
          eachParam(params, grads, (w, g, i) => {
            const vi = tf.add(tf.mul(p.alpha, v.vars[i]), tf.mul(1 - p.alpha, tf.square(g)));
            v.vars[i].assign(vi);
            let update = tf.div(g, tf.add(tf.sqrt(vi), p.eps));
            if (p.momentum > 0) {
              update = tf.add(tf.mul(p.momentum, buf.vars[i]), update);
              buf.vars[i].assign(update);
            }
            w.assign(tf.sub(w, tf.mul(lr, update)));
          });
        },
      };
    },
  }),
  sgd: defineOptimizer({
    doc:
      "stochastic gradient descent with optional momentum (PyTorch form): b = momentum b + g; p -= lr b",
    params: { lr: lr(1e-2), momentum: num("momentum factor", { min: 0, lt: 1, default: 0 }) },
    create(params, p) {
      const buf = slotsLike("buf", p.momentum > 0 ? params : []);
      return {
        slots: buf.named,
        apply(grads, lrFactor = 1) {
          const lr = p.lr * lrFactor;
          eachParam(params, grads, (w, g, i) => {
            let update = g;
            if (p.momentum > 0) {
              update = tf.add(tf.mul(p.momentum, buf.vars[i]), g);
              buf.vars[i].assign(update);
            }
            w.assign(tf.sub(w, tf.mul(lr, update)));
          });
        },
      };
    },
  }),
};

type AnyOptimizerKind = (typeof OPTIMIZERS)["adam"];

/**
 * The optimiser an experiment's `optimizer.generator` or
 * `optimizer.discriminator` entry names, over `params`.
 *
 * Inside Duel it is used as `createOptimizer(config.optimizer.generator, generator.params)`.
 */
export function createOptimizer(
  spec: Experiment["optimizer"]["generator"],
  params: readonly Param[],
): Optimizer {
  const { name, ...p } = spec;
  return (OPTIMIZERS[name] as AnyOptimizerKind).create(
    params,
    p as Parameters<AnyOptimizerKind["create"]>[1],
  );
}
