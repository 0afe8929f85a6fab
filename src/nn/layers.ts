/**
 * The layer table: every layer an experiment file can name under
 * `generator.layers` / `discriminator.layers`, with its keys and how it is
 * built. Adding a layer is adding one record here and its line in `Layers` (the compiler
 * checks that the two agree).
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { bool, ConfigError, type Field, num, optional, type Shape, vec } from "../fields.ts";
import { CONV_LAYERS, type ConvLayers } from "./conv_layers.ts";
import {
  type ChainPart,
  defineLayer,
  type LayerKind,
  ownedVariable,
  shapeError,
  uniformInit,
} from "./layer_kind.ts";
import { NORM_LAYERS, type NormLayers } from "./norm_layers.ts";
import { SHAPE_LAYERS, type ShapeLayers } from "./shape_layers.ts";
import { powerIterationVector, spectralNormalize } from "./spectral_norm.ts";

export type { ApplyMode, BuildContext, ChainPart, Layer, LayerKind, Param } from "./layer_kind.ts";
export { EVAL_MODE } from "./layer_kind.ts";

function elementwise(
  doc: string,
  fn: (x: tf.Tensor) => tf.Tensor,
  chain?: ChainPart,
): LayerKind<Shape> {
  return defineLayer({
    doc,
    params: {},
    outShape: (_p, inShape) => inShape,
    build: (_p, inShape) => ({
      apply: (x) => fn(x as tf.Tensor),
      params: [],
      outShape: inShape,
      ...(chain ? { chain } : {}),
    }),
  });
}

/**
 * Maxout of `[n, w]` into `w / pieces` units, unit j the max of values
 * j pieces .. j pieces + pieces - 1 (Blocks' Maxout), with its gradient routed
 * to the first maximal piece. Computed on the host in one pass each way: tfjs'
 * `max` gradient needs a broadcast `Equal`, and slicing costs as much, each
 * most of a maxout critic's step in tfjs-wasm.
 */
function maxout(x: tf.Tensor, pieces: number): tf.Tensor {
  const [n, w] = x.shape;
  // webgpu cannot read tensors synchronously: there, tfjs' own max (its gradient goes to every
  // maximal piece, which differs from the host's only on exact ties).
  if (tf.getBackend() === "webgpu") return tf.max(tf.reshape(x, [n, w / pieces, pieces]), 2);
  const units = n * (w / pieces);
  const fn = tf.customGrad(
    ((input: tf.Tensor) => {
      const values = input.dataSync();
      const y = new Float32Array(units), at = new Int32Array(units);
      for (let i = 0; i < units; i++) {
        let best = i * pieces;
        for (let k = best + 1; k < (i + 1) * pieces; k++) if (values[k] > values[best]) best = k;
        y[i] = values[best];
        at[i] = best;
      }
      return {
        value: tf.tensor2d(y, [n, w / pieces]),
        gradFunc: (dy: tf.Tensor) => {
          const g = dy.dataSync(), dx = new Float32Array(n * w);
          for (let i = 0; i < units; i++) dx[at[i]] = g[i];
          return tf.tensor2d(dx, [n, w]);
        },
      };
    }) as Parameters<typeof tf.customGrad>[0],
  );
  return fn(x);
}

/**
 * The type of {@link LAYERS}: each layer with its keys (a new entry is listed here too; the
 * image, normalisation and reshaping layers are listed with their own tables).
 */
export type Layers =
  & {
    readonly dense: LayerKind<{
      units: Field<number>;
      spectral_norm: Field<boolean>;
      init_std: Field<number | undefined>;
    }>;
    readonly location_scale: LayerKind<{ mu: Field<number[]>; sigma: Field<number[]> }>;
    readonly relu: LayerKind<Shape>;
    readonly leaky_relu: LayerKind<{ alpha: Field<number> }>;
    readonly tanh: LayerKind<Shape>;
    readonly sigmoid: LayerKind<Shape>;
    readonly linear: LayerKind<Shape>;
    readonly maxout: LayerKind<{ pieces: Field<number> }>;
  }
  & ConvLayers
  & NormLayers
  & ShapeLayers;

/** Every layer kind, by the name used in experiment files. */
export const LAYERS: Layers = {
  dense: defineLayer({
    doc: "fully connected: y = x W + b (PyTorch's default uniform initialisation); " +
      "spectral_norm: true uses W / sigma(W) (Miyato et al. 2018)",
    params: {
      units: num("output width", { int: true, min: 1 }),
      spectral_norm: bool(
        "divide W by its largest singular value (one power iteration per use)",
        false,
      ),
      init_std: optional(num(
        "initialise W from N(0, init_std^2) and b at 0 (Blocks' IsotropicGaussian, as in " +
          "PacGAN's code); absent: PyTorch's default uniform",
        { gt: 0 },
      )),
    },
    outShape(p, inShape, path, from) {
      if (inShape.length !== 1) {
        throw shapeError(
          path,
          "dense needs a flat input",
          from,
          inShape,
          "add { type: flatten } before it",
        );
      }
      return [p.units];
    },
    build(p, inShape, ctx) {
      const fanIn = inShape[0];
      const std = p.init_std;
      const kernel = ownedVariable(
        std === undefined
          ? uniformInit(ctx.rng, [fanIn, p.units], fanIn)
          : tf.tensor2d(ctx.rng.fillNormal(new Float32Array(fanIn * p.units), 0, std), [
            fanIn,
            p.units,
          ]),
      );
      const bias = ownedVariable(
        std === undefined ? uniformInit(ctx.rng, [p.units], fanIn) : tf.zeros([p.units]),
      );
      const u = p.spectral_norm ? powerIterationVector(ctx.rng, p.units) : undefined;
      const weight = (training: boolean) =>
        (u ? spectralNormalize(kernel, u, training) : kernel) as tf.Tensor2D;
      return {
        apply: (x, mode) => tf.add(tf.matMul(x as tf.Tensor2D, weight(mode.training)), bias),
        params: [
          { name: `${ctx.prefix}.kernel`, variable: kernel },
          { name: `${ctx.prefix}.bias`, variable: bias },
        ],
        state: u ? [{ name: `${ctx.prefix}.sn_u`, variable: u }] : [],
        outShape: [p.units],
        ...(u ? {} : { chain: { kind: "dense", kernel, bias } as const }),
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
    outShape(p, inShape, path, from) {
      const d = inShape[0];
      if (inShape.length !== 1) {
        throw shapeError(path, "location_scale needs a flat input", from, inShape, "flatten first");
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
      const mu = ownedVariable(full(p.mu)), sigma = ownedVariable(full(p.sigma));
      return {
        apply: (x) => tf.add(tf.mul(x as tf.Tensor, sigma), mu),
        params: [{ name: `${ctx.prefix}.mu`, variable: mu }, {
          name: `${ctx.prefix}.sigma`,
          variable: sigma,
        }],
        outShape: inShape,
      };
    },
  }),
  relu: elementwise("max(x, 0)", (x) => tf.relu(x), { kind: "relu" }),
  leaky_relu: defineLayer({
    doc: "max(x, alpha x)",
    params: { alpha: num("slope for x < 0", { min: 0, max: 1, default: 0.2 }) },
    outShape: (_p, inShape) => inShape,
    build: (p, inShape) => ({
      apply: (x) => tf.leakyRelu(x as tf.Tensor, p.alpha),
      params: [],
      outShape: inShape,
      chain: { kind: "leaky_relu", alpha: p.alpha },
    }),
  }),
  tanh: elementwise("tanh(x)", (x) => tf.tanh(x)),
  sigmoid: elementwise("1 / (1 + exp(-x))", (x) => tf.sigmoid(x)),
  linear: elementwise("identity (a no-op, for readability)", (x) => x, { kind: "linear" }),
  maxout: defineLayer({
    doc: "maxout (Goodfellow et al. 2013): the max of each group of `pieces` consecutive " +
      "values, so width w gives w / pieces (after `dense` with pieces x units: a maxout unit)",
    params: { pieces: num("values per group", { int: true, min: 1, default: 2 }) },
    outShape(p, inShape, path, from) {
      if (inShape.length !== 1 || inShape[0] % p.pieces !== 0) {
        throw shapeError(
          path,
          `maxout needs a flat input whose width is a multiple of ${p.pieces}`,
          from,
          inShape,
          `a dense layer of ${p.pieces} x units before it`,
        );
      }
      return [inShape[0] / p.pieces];
    },
    build: (p, inShape) => ({
      apply: (x) => maxout(x as tf.Tensor, p.pieces),
      params: [],
      outShape: [inShape[0] / p.pieces],
    }),
  }),
  ...CONV_LAYERS,
  ...NORM_LAYERS,
  ...SHAPE_LAYERS,
};

/** A layer name from {@link LAYERS}. */
export type LayerName = keyof Layers;
