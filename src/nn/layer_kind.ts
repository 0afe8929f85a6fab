/**
 * What a layer is: the record type of the layer table, the built layer, the
 * training/evaluation mode it is applied in, and helpers the records share
 * (PyTorch's default initialiser, shape errors).
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { ConfigError, type InferShape, type Shape } from "../fields.ts";
import type { Rng } from "../rng.ts";
import type { Tensor, Variable } from "../tensor.ts";

/**
 * A variable that takes over `init`'s memory and disposes `init`:
 * `tf.variable(t)` shares `t`'s memory and leaves `t` alive, so a disposed
 * network or optimiser would otherwise leave every initial tensor behind
 * (a process running many trials would grow by a trainer's size each;
 * tests/run_leak_test.ts).
 */
export function ownedVariable(init: tf.Tensor, trainable = true): tf.Variable {
  const variable = tf.variable(init, trainable);
  init.dispose();
  return variable;
}

/**
 * How a network is applied. Training: batch norm normalises with the batch's
 * statistics and updates its running averages, dropout drops (masks drawn
 * from `rng`), spectral norm advances its power iteration. Evaluation: none
 * of that, and nothing the network holds changes.
 */
export interface ApplyMode {
  /** True in training steps; false for sampling and measurements. */
  readonly training: boolean;
  /** The stream dropout draws its masks from (needed when training with dropout). */
  readonly rng?: Rng;
}

/**
 * The evaluation mode: running statistics, no dropout, no state changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EVAL_MODE } from "../../mod.ts";
 * assert.equal(EVAL_MODE.training, false);
 * ```
 */
export const EVAL_MODE: ApplyMode = Object.freeze({ training: false });

/** A built layer: a function of its input plus the variables it owns. */
export interface Layer {
  /** Applies the layer (call inside `tf.tidy` or a gradient scope). */
  apply(x: Tensor, mode: ApplyMode): Tensor;
  /** Trainable variables, in a fixed order, with stable names. */
  readonly params: readonly Param[];
  /**
   * Non-trainable state that checkpoints must keep (spectral norm's u, batch
   * norm's running averages); changed only in training mode.
   */
  readonly state?: readonly Param[];
  /** Shape of one output example (without the batch axis). */
  readonly outShape: readonly number[];
  /**
   * Its part in a dense chain (runs of dense layers, each optionally followed
   * by an activation, computed as one op where the backend has it); absent:
   * the layer ends a chain.
   */
  readonly chain?: ChainPart;
}

/** What a dense chain needs of a layer: a dense layer's weights, or an activation. */
export interface ChainPart {
  /** `dense` (`x W + b`), or the activation after a dense layer. */
  readonly kind: "dense" | "linear" | "relu" | "leaky_relu";
  /** The dense layer's `W`, `[in, out]`. */
  readonly kernel?: Variable;
  /** The dense layer's `b`, `[out]`. */
  readonly bias?: Variable;
  /** Leaky ReLU's slope. */
  readonly alpha?: number;
}

/** A named variable. Names look like `3.dense.kernel`. */
export interface Param {
  /** Stable name, e.g. `0.dense.kernel`; checkpoints use it. */
  readonly name: string;
  /** The tfjs variable holding the values. */
  readonly variable: Variable;
}

/** What a layer builder receives besides its own keys. */
export interface BuildContext {
  /** Stream used for this network's initial weights. */
  readonly rng: Rng;
  /** Name prefix for the layer's parameters, e.g. `3.dense`. */
  readonly prefix: string;
}

/** One record of the layer table. */
export interface LayerKind<S extends Shape> {
  /** One line for the README reference. */
  readonly doc: string;
  /** Keys besides `type`. */
  readonly params: S;
  /**
   * Shape of one output example; throws {@link ConfigError} at `path` when
   * `inShape` does not fit. `from` names where the input comes from, for the
   * message (e.g. `generator.layers[3] (conv2d_transpose)`).
   */
  outShape(
    p: InferShape<S>,
    inShape: readonly number[],
    path: string,
    from: string,
  ): readonly number[];
  /** Builds the layer for one example of shape `inShape` (already checked by `outShape`). */
  build(p: InferShape<S>, inShape: readonly number[], ctx: BuildContext): Layer;
}

/**
 * Types a record of the layer table.
 */
export function defineLayer<S extends Shape>(kind: LayerKind<S>): LayerKind<S> {
  return kind;
}

/**
 * A shape as written in messages and tables: `14x14x64`.
 */
export function shapeText(shape: readonly number[]): string {
  return shape.join("x");
}

/**
 * The error of a layer that cannot take its input: what it needs, what it
 * got and from where, and what would fix it.
 */
export function shapeError(
  path: string,
  needs: string,
  from: string,
  inShape: readonly number[],
  valid?: string,
): ConfigError {
  return new ConfigError(path, `${needs}, but ${from} gives ${shapeText(inShape)}`, valid);
}

/**
 * PyTorch's default initialiser for linear and convolution layers (weights:
 * kaiming-uniform with a = sqrt(5); biases alike): U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
 */
export function uniformInit(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillUniform(new Float32Array(size), -bound, bound), shape, "float32");
}

/**
 * `{ name: prefix.key, variable }` for each entry (for `params` and `state`).
 */
export function named(prefix: string, vars: Record<string, tf.Variable>): Param[] {
  return Object.entries(vars).map(([key, variable]) => ({ name: `${prefix}.${key}`, variable }));
}
