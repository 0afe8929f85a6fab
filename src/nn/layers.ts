/**
 * The layer table: every layer an experiment file can name under
 * `generator.layers` / `discriminator.layers`, with its keys and how it is
 * built. Adding a layer is adding one record here.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { bool, ConfigError, type InferShape, num, type Shape, vec } from "../config/fields.ts";
import type { Rng } from "../rng.ts";
import type { Tensor, Variable } from "../tensor.ts";
import { powerIterationVector, spectralNormalize } from "./spectral_norm.ts";

/** A built layer: a pure function of its input plus the variables it owns. */
export interface Layer {
  /** Applies the layer (call inside `tf.tidy` or a gradient scope). */
  apply(x: Tensor): Tensor;
  /** Trainable variables, in a fixed order, with stable names. */
  readonly params: readonly Param[];
  /** Non-trainable state that checkpoints must keep (e.g. spectral norm's u). */
  readonly state?: readonly Param[];
  /** Shape of one output example (without the batch axis). */
  readonly outShape: readonly number[];
}

/** A named trainable variable. Names look like `3.dense.kernel`. */
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
  /** Shape of one output example; throws {@link ConfigError} when `inShape` does not fit. */
  outShape(p: InferShape<S>, inShape: readonly number[], path: string): readonly number[];
  /** Builds the layer for one example of shape `inShape` (already checked by `outShape`). */
  build(p: InferShape<S>, inShape: readonly number[], ctx: BuildContext): Layer;
}

function defineLayer<S extends Shape>(kind: LayerKind<S>): LayerKind<S> {
  return kind;
}

function elementwise(doc: string, fn: (x: tf.Tensor) => tf.Tensor): LayerKind<Shape> {
  return defineLayer({
    doc,
    params: {},
    outShape: (_p, inShape) => inShape,
    build: (_p, inShape) => ({ apply: fn, params: [], outShape: inShape }),
  });
}

/** PyTorch's default initialiser for linear layers: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
function uniformInit(rng: Rng, shape: number[], fanIn: number): tf.Tensor {
  const bound = 1 / Math.sqrt(fanIn);
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(rng.fillUniform(new Float32Array(size), -bound, bound), shape, "float32");
}

/** Every layer kind, by the name used in experiment files. */
export const LAYERS = {
  dense: defineLayer({
    doc: "fully connected: y = x W + b (PyTorch's default uniform initialisation); " +
      "spectral_norm: true uses W / sigma(W) (Miyato et al. 2018)",
    params: {
      units: num("output width", { int: true, min: 1 }),
      spectral_norm: bool(
        "divide W by its largest singular value (one power iteration per use)",
        false,
      ),
    },
    outShape(p, inShape, path) {
      if (inShape.length !== 1) {
        throw new ConfigError(
          path,
          `dense needs a flat input, got ${inShape.join("x")}`,
          "flatten first",
        );
      }
      return [p.units];
    },
    build(p, inShape, ctx) {
      const fanIn = inShape[0];
      const kernel = tf.variable(uniformInit(ctx.rng, [fanIn, p.units], fanIn));
      const bias = tf.variable(uniformInit(ctx.rng, [p.units], fanIn));
      const u = p.spectral_norm ? powerIterationVector(ctx.rng, p.units) : undefined;
      const weight = () => (u ? spectralNormalize(kernel, u) : kernel) as tf.Tensor2D;
      return {
        apply: (x: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, weight()), bias),
        params: [
          { name: `${ctx.prefix}.kernel`, variable: kernel },
          { name: `${ctx.prefix}.bias`, variable: bias },
        ],
        state: u ? [{ name: `${ctx.prefix}.sn_u`, variable: u }] : [],
        outShape: [p.units],
      };
    },
  }),
  location_scale: defineLayer({
    doc: "y = mu + sigma * x elementwise, mu and sigma trainable: as the only generator layer, " +
      "G(z) = mu + sigma z is a Gaussian with known density (divergences can be computed exactly)",
    params: {
      mu: vec("initial mu, one value or one per coordinate", num("mu"), [0]),
      sigma: vec("initial sigma, one value or one per coordinate", num("sigma"), [1]),
    },
    outShape(p, inShape, path) {
      const d = inShape[0];
      if (inShape.length !== 1) {
        throw new ConfigError(path, `needs a flat input, got ${inShape.join("x")}`);
      }
      for (const key of ["mu", "sigma"] as const) {
        if (p[key].length !== 1 && p[key].length !== d) {
          throw new ConfigError(`${path}.${key}`, `has ${p[key].length} values`, `1 or ${d}`);
        }
      }
      return inShape;
    },
    build(p, inShape, ctx) {
      const d = inShape[0];
      const full = (v: number[]) =>
        tf.tensor1d(Array.from({ length: d }, (_, i) => v[v.length === 1 ? 0 : i]));
      const mu = tf.variable(full(p.mu)), sigma = tf.variable(full(p.sigma));
      return {
        apply: (x: tf.Tensor) => tf.add(tf.mul(x, sigma), mu),
        params: [{ name: `${ctx.prefix}.mu`, variable: mu }, {
          name: `${ctx.prefix}.sigma`,
          variable: sigma,
        }],
        outShape: inShape,
      };
    },
  }),
  relu: elementwise("max(x, 0)", (x) => tf.relu(x)),
  leaky_relu: defineLayer({
    doc: "max(x, alpha x)",
    params: { alpha: num("slope for x < 0", { min: 0, max: 1, default: 0.2 }) },
    outShape: (_p, inShape) => inShape,
    build: (p, inShape) => ({
      apply: (x: tf.Tensor) => tf.leakyRelu(x, p.alpha),
      params: [],
      outShape: inShape,
    }),
  }),
  tanh: elementwise("tanh(x)", (x) => tf.tanh(x)),
  sigmoid: elementwise("1 / (1 + exp(-x))", (x) => tf.sigmoid(x)),
  linear: elementwise("identity (a no-op, for readability)", (x) => x),
} satisfies Record<string, LayerKind<Shape>>;

/** A layer name from {@link LAYERS}. */
export type LayerName = keyof typeof LAYERS;
