/**
 * Builds a player (generator or critic) from its layer list.
 * @module
 */
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import { type LayerName, LAYERS, type Param } from "./layers.ts";

/** One entry of a layer list, as validated from the experiment file. */
export type LayerSpec = { readonly type: LayerName } & Record<string, unknown>;

/** A built network: a function of a batch plus its parameters. */
export interface Network {
  /** Maps a batch `[n, ...inShape]` to `[n, ...outShape]`. */
  apply(x: Tensor): Tensor;
  /** All trainable parameters, in layer order. */
  readonly params: readonly Param[];
  /** Non-trainable state (spectral norm vectors), in layer order. */
  readonly state: readonly Param[];
  /** Shape of one output example. */
  readonly outShape: readonly number[];
}

type AnyKind = (typeof LAYERS)["dense"];

function split(spec: LayerSpec): [AnyKind, Parameters<AnyKind["build"]>[0]] {
  const { type, ...params } = spec;
  return [LAYERS[type] as AnyKind, params as Parameters<AnyKind["build"]>[0]];
}

/**
 * The shape after each layer, checking that they chain; throws a
 * `ConfigError` at `path[i]` for the first layer that does not fit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerShapes } from "./network.ts";
 * const shapes = layerShapes([{ type: "dense", units: 4 }, { type: "relu" }], [2], "generator.layers");
 * assert.ok(shapes[1][0] === 4);
 * ```
 */
export function layerShapes(
  layers: readonly LayerSpec[],
  inShape: readonly number[],
  path: string,
): (readonly number[])[] {
  let shape = inShape;
  return layers.map((spec, i) => {
    const [kind, params] = split(spec);
    shape = kind.outShape(params, shape, `${path}[${i}]`);
    return shape;
  });
}

/**
 * Builds the layers in order with initial weights drawn from `rng`.
 * Check shapes first with {@link layerShapes}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { useBackend } from "../backend/tfjs.ts";
 * import { buildNetwork } from "./network.ts";
 * await useBackend("cpu");
 * import { Rng } from "../rng.ts";
 * const net = buildNetwork(
 *   [{ type: "dense", units: 4 }, { type: "relu" }, { type: "dense", units: 1 }],
 *   [2],
 *   Rng.derive(0, "init/discriminator"),
 * );
 * assert.ok(net.params.length === 4 && net.outShape[0] === 1);
 * ```
 */
export function buildNetwork(
  layers: readonly LayerSpec[],
  inShape: readonly number[],
  rng: Rng,
): Network {
  let shape = inShape;
  const built = layers.map((spec, i) => {
    const [kind, params] = split(spec);
    const layer = kind.build(params, shape, { rng, prefix: `${i}.${spec.type}` });
    shape = layer.outShape;
    return layer;
  });
  return {
    apply: (x) => built.reduce((h, layer) => layer.apply(h), x),
    params: built.flatMap((l) => l.params),
    state: built.flatMap((l) => l.state ?? []),
    outShape: shape,
  };
}
