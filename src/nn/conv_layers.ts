/**
 * Image layers (NHWC: one example is `[h, w, c]`): convolution, transposed
 * convolution and nearest-neighbour upsampling. Weights start as PyTorch's do.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { bool, ConfigError, type Field, num, vec } from "../fields.ts";
import {
  defineLayer,
  type LayerKind,
  named,
  ownedVariable,
  shapeError,
  shapeText,
  uniformInit,
} from "./layer_kind.ts";
import { powerIterationVector, spectralNormalize } from "./spectral_norm.ts";

/** `same`, `valid`, or PyTorch's integer padding (zeros on every side). */
export type Padding = "same" | "valid" | number;

const PADDING_TYPE = "`same`, `valid`, or an integer >= 0 (PyTorch's padding)";

const padding: Field<Padding> = {
  doc: "`same`: output = ceil(input / stride) (TensorFlow's rule); `valid`: no padding; an " +
    "integer p: p zeros on every side, as PyTorch's `padding=p`",
  type: PADDING_TYPE,
  fallback: { value: "valid" },
  parse(raw, path) {
    if (raw === "same" || raw === "valid") return raw;
    if (typeof raw === "number" && Number.isInteger(raw) && raw >= 0) return raw;
    throw new ConfigError(path, `got ${JSON.stringify(raw)}`, PADDING_TYPE);
  },
};

const pair = (v: number[]): [number, number] => [v[0], v[v.length === 1 ? 0 : 1]];

const convKeys = {
  filters: num("output channels", { int: true, min: 1 }),
  kernel: vec("kernel size: one integer, or [height, width]", num("size", { int: true, min: 1 })),
  stride: vec("stride: one integer, or [height, width]", num("stride", { int: true, min: 1 }), [
    1,
  ]),
  padding,
  bias: bool("add a trainable bias per output channel", true),
};

function checkPair(path: string, key: string, v: number[]): void {
  if (v.length > 2) throw new ConfigError(`${path}.${key}`, `has ${v.length} values`, "1 or 2");
}

/** Checks an image input `[h, w, c]` and the kernel/stride keys; returns [h, w, c]. */
function imageInput(
  type: string,
  p: { kernel?: number[]; stride?: number[] },
  inShape: readonly number[],
  path: string,
  from: string,
): [number, number, number] {
  if (inShape.length !== 3) {
    throw shapeError(
      path,
      `${type} needs an image input (height x width x channels)`,
      from,
      inShape,
      `add { type: reshape, shape: [h, w, c] } before it`,
    );
  }
  for (const key of ["kernel", "stride"] as const) if (p[key]) checkPair(path, key, p[key]!);
  return [inShape[0], inShape[1], inShape[2]];
}

/** Output size of a convolution along one axis (tfjs and PyTorch agree on these). */
function convSize(n: number, k: number, s: number, pad: Padding): number {
  if (pad === "same") return Math.ceil(n / s);
  const p = pad === "valid" ? 0 : pad;
  return Math.floor((n + 2 * p - k) / s) + 1;
}

/** Output size of a transposed convolution along one axis. */
function transposeSize(n: number, k: number, s: number, pad: Padding, extra: number): number {
  if (pad === "same") return n * s;
  const p = pad === "valid" ? 0 : pad;
  return (n - 1) * s - 2 * p + k + extra;
}

/** The tfjs `pad` argument (tfjs takes a number as symmetric zero padding, like PyTorch). */
const tfPad = (pad: Padding) => pad as "same";

/** The type of {@link CONV_LAYERS}: each layer with its keys (a new entry is listed here too). */
export type ConvLayers = {
  readonly conv2d: LayerKind<{
    filters: Field<number>;
    kernel: Field<number[]>;
    stride: Field<number[]>;
    padding: Field<Padding>;
    bias: Field<boolean>;
    spectral_norm: Field<boolean>;
  }>;
  readonly conv2d_transpose: LayerKind<{
    filters: Field<number>;
    kernel: Field<number[]>;
    stride: Field<number[]>;
    padding: Field<Padding>;
    bias: Field<boolean>;
    output_padding: Field<number>;
  }>;
  readonly upsample: LayerKind<{ factor: Field<number[]> }>;
};

/**
 * Every image layer, by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LAYERS } from "../../mod.ts";
 * // LAYERS, the public table of every layer, holds these entries.
 * assert.ok(LAYERS.conv2d.doc.length > 0);
 * ```
 */
export const CONV_LAYERS: ConvLayers = {
  conv2d: defineLayer({
    doc: "2-D convolution over [h, w, c] examples (NHWC), PyTorch's Conv2d initialisation; " +
      "spectral_norm: true divides the kernel by its largest singular value (as a " +
      "[kh kw cin, filters] matrix)",
    params: {
      ...convKeys,
      spectral_norm: bool("divide the kernel by its largest singular value", false),
    },
    outShape(p, inShape, path, from) {
      const [h, w] = imageInput("conv2d", p, inShape, path, from);
      const [kh, kw] = pair(p.kernel), [sh, sw] = pair(p.stride);
      const out = [convSize(h, kh, sh, p.padding), convSize(w, kw, sw, p.padding), p.filters];
      if (out[0] < 1 || out[1] < 1) {
        throw shapeError(
          path,
          `conv2d with kernel ${kh}x${kw} and padding ${p.padding} needs at least ${kh}x${kw} ` +
            "pixels",
          from,
          inShape,
          "a smaller kernel, more padding, or a larger input",
        );
      }
      return out;
    },
    build(p, inShape, ctx) {
      const [kh, kw] = pair(p.kernel), [sh, sw] = pair(p.stride);
      const cin = inShape[2], fanIn = kh * kw * cin;
      const kernel = ownedVariable(uniformInit(ctx.rng, [kh, kw, cin, p.filters], fanIn));
      const bias = p.bias ? ownedVariable(uniformInit(ctx.rng, [p.filters], fanIn)) : undefined;
      const u = p.spectral_norm ? powerIterationVector(ctx.rng, p.filters) : undefined;
      const weight = (training: boolean): tf.Tensor4D =>
        u
          ? tf.reshape(
            spectralNormalize(tf.reshape(kernel, [fanIn, p.filters]), u, training),
            kernel.shape as [number, number, number, number],
          )
          : kernel as tf.Tensor4D;
      return {
        apply(x, mode) {
          const y = tf.conv2d(x as tf.Tensor4D, weight(mode.training), [sh, sw], tfPad(p.padding));
          return bias ? tf.add(y, bias) : y;
        },
        params: named(ctx.prefix, bias ? { kernel, bias } : { kernel }),
        state: u ? named(ctx.prefix, { sn_u: u }) : [],
        outShape: [
          convSize(inShape[0], kh, sh, p.padding),
          convSize(inShape[1], kw, sw, p.padding),
          p.filters,
        ],
      };
    },
  }),
  conv2d_transpose: defineLayer({
    doc: "2-D transposed convolution (the generator's upsampling conv), PyTorch's " +
      "ConvTranspose2d initialisation; integer padding p and output_padding give PyTorch's " +
      "output size (h - 1) stride - 2p + kernel + output_padding",
    params: {
      ...convKeys,
      output_padding: num(
        "extra rows/columns at the bottom/right (integer padding only; < stride)",
        { int: true, min: 0, default: 0 },
      ),
    },
    outShape(p, inShape, path, from) {
      const [h, w] = imageInput("conv2d_transpose", p, inShape, path, from);
      const [kh, kw] = pair(p.kernel), [sh, sw] = pair(p.stride);
      if (
        p.output_padding > 0 &&
        (typeof p.padding !== "number" || p.output_padding >= Math.min(sh, sw))
      ) {
        throw new ConfigError(
          `${path}.output_padding`,
          `is ${p.output_padding} with padding ${p.padding} and stride ${sh}x${sw}`,
          "0, or less than the stride with an integer padding",
        );
      }
      const out = [
        transposeSize(h, kh, sh, p.padding, p.output_padding),
        transposeSize(w, kw, sw, p.padding, p.output_padding),
        p.filters,
      ];
      if (out[0] < 1 || out[1] < 1) {
        throw shapeError(
          path,
          `conv2d_transpose with padding ${p.padding} would give ${shapeText(out)}`,
          from,
          inShape,
          "less padding",
        );
      }
      return out;
    },
    build(p, inShape, ctx) {
      const [kh, kw] = pair(p.kernel), [sh, sw] = pair(p.stride);
      const cin = inShape[2];
      // PyTorch's ConvTranspose2d weight is [cin, filters, kh, kw]; its fan_in is filters kh kw.
      const fanIn = p.filters * kh * kw;
      const kernel = ownedVariable(uniformInit(ctx.rng, [kh, kw, p.filters, cin], fanIn));
      const bias = p.bias ? ownedVariable(uniformInit(ctx.rng, [p.filters], fanIn)) : undefined;
      const outShape = [
        transposeSize(inShape[0], kh, sh, p.padding, p.output_padding),
        transposeSize(inShape[1], kw, sw, p.padding, p.output_padding),
        p.filters,
      ];
      return {
        apply(x) {
          const n = x.shape[0];
          const y = tf.conv2dTranspose(
            x as tf.Tensor4D,
            kernel as tf.Tensor4D,
            [n, outShape[0], outShape[1], p.filters],
            [sh, sw],
            tfPad(p.padding),
          );
          return bias ? tf.add(y, bias) : y;
        },
        params: named(ctx.prefix, bias ? { kernel, bias } : { kernel }),
        outShape,
      };
    },
  }),
  upsample: defineLayer({
    doc: "nearest-neighbour upsampling of [h, w, c] examples by an integer factor",
    params: {
      factor: vec("factor: one integer, or [height, width]", num("factor", { int: true, min: 1 })),
    },
    outShape(p, inShape, path, from) {
      const [h, w, c] = imageInput("upsample", {}, inShape, path, from);
      checkPair(path, "factor", p.factor);
      const [fh, fw] = pair(p.factor);
      return [h * fh, w * fw, c];
    },
    build(p, inShape) {
      const [fh, fw] = pair(p.factor);
      const [h, w] = inShape;
      const c = inShape[2];
      // Each pixel times a block of ones: a broadcast, whose gradient is a sum. (tfjs-backend-cpu's
      // ResizeNearestNeighborGrad is wrong for batches > 1: it repeats the first example's.)
      return {
        apply: (x) =>
          tf.reshape(
            tf.mul(
              tf.reshape(x as tf.Tensor, [x.shape[0], h, 1, w, 1, c]),
              tf.ones([1, 1, fh, 1, fw, 1]),
            ),
            [x.shape[0], h * fh, w * fw, c],
          ),
        params: [],
        outShape: [h * fh, w * fw, inShape[2]],
      };
    },
  }),
};
