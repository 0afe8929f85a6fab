/**
 * Layers that only change how each example's values are arranged.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { type Field, list, num } from "../fields.ts";
import { defineLayer, type LayerKind, shapeError, shapeText } from "./layer_kind.ts";

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The type of {@link SHAPE_LAYERS}: each layer with its keys (a new entry is listed here too). */
export type ShapeLayers = {
  readonly reshape: LayerKind<{ shape: Field<number[]> }>;
  readonly flatten: LayerKind<Record<never, never>>;
};

/**
 * The reshaping layers, by name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LAYERS } from "../../mod.ts";
 * // LAYERS, the public table of every layer, holds these entries.
 * assert.ok(LAYERS.flatten.doc.length > 0);
 * ```
 */
export const SHAPE_LAYERS: ShapeLayers = {
  reshape: defineLayer({
    doc: "rearranges each example's values (row-major) into `shape`, e.g. [7, 7, 128] " +
      "(height, width, channels) after a dense layer",
    params: {
      shape: list("the new shape of one example", num("size", { int: true, min: 1 }), {
        minItems: 1,
      }),
    },
    outShape(p, inShape, path, from) {
      if (size(p.shape) !== size(inShape)) {
        throw shapeError(
          path,
          `reshape to ${shapeText(p.shape)} needs ${size(p.shape)} values per example`,
          from,
          inShape,
          `a shape with ${size(inShape)} values`,
        );
      }
      return p.shape;
    },
    build: (p) => ({
      apply: (x) => tf.reshape(x as tf.Tensor, [x.shape[0], ...p.shape]),
      params: [],
      outShape: p.shape,
    }),
  }),
  flatten: defineLayer({
    doc: "flattens each example to one axis (row-major: height, width, channels)",
    params: {},
    outShape: (_p, inShape) => [size(inShape)],
    build: (_p, inShape) => ({
      apply: (x) => tf.reshape(x as tf.Tensor, [x.shape[0], size(inShape)]),
      params: [],
      outShape: [size(inShape)],
    }),
  }),
};
