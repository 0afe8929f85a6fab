/**
 * Builds a player (generator or critic) from its layer list.
 * @module
 */
import type { Rng } from "../rng.ts";
import type { Tensor } from "../tensor.ts";
import { chainedApply, wholeChain } from "./chains.ts";
import type { ChainLayer } from "../backend/rust/dense_chain_op.ts";
import { type ApplyMode, shapeText } from "./layer_kind.ts";
import { type LayerName, LAYERS, type Param } from "./layers.ts";

/** One entry of a layer list, as validated from the experiment file. */
export type LayerSpec = { readonly type: LayerName } & Record<string, unknown>;

/** One layer of a built network, for the shape table. */
export interface LayerSummary {
  /** The layer's `type`. */
  readonly type: LayerName;
  /** Shape of one output example. */
  readonly outShape: readonly number[];
  /** Trainable values. */
  readonly params: number;
}

/** A built network: a function of a batch plus its parameters. */
export interface Network {
  /**
   * Maps a batch `[n, ...inShape]` to `[n, ...outShape]`, in training mode
   * (batch statistics, dropout; updates running averages) or evaluation mode
   * (`EVAL_MODE`: changes nothing).
   */
  apply(x: Tensor, mode: ApplyMode): Tensor;
  /** All trainable parameters, in layer order. */
  readonly params: readonly Param[];
  /** Non-trainable state (spectral norm vectors, batch norm running averages), in layer order. */
  readonly state: readonly Param[];
  /** Shape of one input example. */
  readonly inShape: readonly number[];
  /** Shape of one output example. */
  readonly outShape: readonly number[];
  /** The layers, in order: type, output shape, parameter count. */
  readonly layers: readonly LayerSummary[];
}

type AnyKind = (typeof LAYERS)["dense"];

/** The networks built here that are one dense chain each, and their chains. */
const chains = new WeakMap<Network, readonly ChainLayer[]>();

/**
 * The whole network as one dense chain, when {@link buildNetwork} built it
 * and it is one (dense layers and their ReLU / leaky ReLU / linear
 * activations only, no spectral norm, no state): what a training step
 * without tfjs's tape needs (`train/direct_grads.ts`).
 *
 * Inside Duel it is used as `const chain = networkChain(player);`.
 */
export function networkChain(net: Network): readonly ChainLayer[] | undefined {
  return chains.get(net);
}

function split(spec: LayerSpec): [AnyKind, Parameters<AnyKind["build"]>[0]] {
  const { type, ...params } = spec;
  return [LAYERS[type] as AnyKind, params as Parameters<AnyKind["build"]>[0]];
}

/**
 * The shape after each layer, checking that they chain; throws a
 * `ConfigError` at `path[i]` for the first layer that does not fit, naming
 * what it got and from which layer (`input` names the network's input).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerShapes } from "../../mod.ts";
 * const shapes = layerShapes([{ type: "dense", units: 4 }, { type: "relu" }], [2], "generator.layers");
 * assert.ok(shapes[1][0] === 4);
 * assert.throws(
 *   () => layerShapes([{ type: "reshape", shape: [2, 2, 1] }, { type: "dense", units: 1 }], [4], "g"),
 *   /g\[1\]: dense needs a flat input, but g\[0\] \(reshape\) gives 2x2x1/,
 * );
 * ```
 */
export function layerShapes(
  layers: readonly LayerSpec[],
  inShape: readonly number[],
  path: string,
  input = "the input",
): (readonly number[])[] {
  let shape = inShape;
  return layers.map((spec, i) => {
    const [kind, params] = split(spec);
    const from = i === 0 ? input : `${path}[${i - 1}] (${layers[i - 1].type})`;
    shape = kind.outShape(params, shape, `${path}[${i}]`, from);
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
 * import { buildNetwork, Rng, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
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
  const net: Network = {
    apply: chainedApply(built),
    params: built.flatMap((l) => l.params),
    state: built.flatMap((l) => l.state ?? []),
    inShape,
    outShape: shape,
    layers: built.map((l, i) => ({
      type: layers[i].type,
      outShape: l.outShape,
      params: l.params.reduce((n, p) => n + p.variable.size, 0),
    })),
  };
  const chain = wholeChain(built);
  if (chain) chains.set(net, chain);
  return net;
}

/**
 * A network's layers as a text table: index, layer, output shape, trainable
 * values; then the total.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildNetwork, networkTable, Rng, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * const net = buildNetwork([{ type: "dense", units: 4 }, { type: "relu" }], [2], Rng.derive(0, "g"));
 * const table = networkTable("generator", net);
 * assert.match(table, /dense +4 +12/);
 * assert.match(table, /total +12/);
 * ```
 */
export function networkTable(name: string, net: Network): string {
  const rows = [
    ["", "input", shapeText(net.inShape), ""],
    ...net.layers.map((l, i) => [`${i}`, l.type, shapeText(l.outShape), `${l.params}`]),
    ["", "total", "", `${net.layers.reduce((n, l) => n + l.params, 0)}`],
  ];
  const header = ["#", "layer", "output", "params"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) =>
    r.map((v, c) => (c === 3 ? v.padStart(widths[c]) : v.padEnd(widths[c]))).join("  ").trimEnd();
  return [`${name}:`, line(header), ...rows.map(line)].map((l) => `  ${l}`).join("\n").slice(2);
}
