/**
 * Chains of dense layers (`h = act(x W + b)`, layer after layer) on Duel's
 * Rust kernels (kernels/src/dense_chain.rs), one call per pass instead of
 * ~3 tfjs kernels per layer forward and ~5 backward: `DuelDenseChain` (the
 * forward pass: the output `y` and a cache of every layer's `z` and `h`),
 * `DuelDenseChainGrad` (every layer's `dz`, and room for `dW`, `db`) and
 * {@link fillChainWeights} (every `dW` and `db` from the `dz`). Each product is
 * the GEMM `matMul` runs, with its operands and flags, in the rounding of the
 * matmul in force (an attr), so the bits are the per-op path's.
 *
 * Inputs of both kernels are records: `x` (or `dy`, `x`, `cache`), then
 * `w0, b0, w1, b1, …`; attrs `acts` (0 linear, 1 relu, 4 leaky ReLU, per
 * layer), `alphas`, `rounding`. Large passes split over the kernel threads:
 * the forward pass and the `dz` by batch rows, the weights by `dW` rows (all
 * layers' stacked); same bits on any split.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import {
  type Info,
  type KernelArgs,
  offsetOf,
  type WasmBackend,
  wasmBackendOf,
} from "../wasm_backend.ts";
import { boundRustKernels } from "./bound.ts";
import { type ChainAttrs, type ChainShape, runChain, type TableRow } from "./dense_chain_table.ts";
import { inputKey } from "./input_keys.ts";

export type { ChainAttrs } from "./dense_chain_table.ts";

/** The forward kernel: inputs `x, w0, b0, …`; outputs `y` and the cache. */
export const DENSE_CHAIN_KERNEL = "DuelDenseChain";
/** The backward kernel: inputs `dy, x, cache, w0, …`; outputs every `dz`, then `dw0, db0, …`. */
export const DENSE_CHAIN_GRAD_KERNEL = "DuelDenseChainGrad";

/** An activation after a dense layer of a chain, by its kernel code (tfjs-wasm's numbers). */
export const CHAIN_ACTIVATIONS = { linear: 0, relu: 1, leaky_relu: 4 } as const;

/** A key of {@link CHAIN_ACTIVATIONS}. */
export type ChainActivation = keyof typeof CHAIN_ACTIVATIONS;

/** Where each layer's `z` and `h` are: a float offset into the cache, or `-1` for `y`. */
interface CacheLayout {
  readonly z: readonly number[];
  readonly h: readonly number[];
  /** Floats of the cache. */
  readonly size: number;
}

/**
 * The cache: per layer `z` then `h` (`batch × units` each); a linear layer's
 * `h` is its `z`, and the last layer's `h` (its `z` too when linear) is `y`.
 */
function cacheLayout(
  batch: number,
  units: readonly number[],
  acts: readonly number[],
): CacheLayout {
  const z: number[] = [], h: number[] = [];
  let at = 0;
  units.forEach((u, l) => {
    const last = l === units.length - 1, linear = acts[l] === CHAIN_ACTIVATIONS.linear;
    z.push(last && linear ? -1 : at);
    if (!(last && linear)) at += batch * u;
    h.push(last ? -1 : linear ? z[l] : at);
    if (!last && !linear) at += batch * u;
  });
  return { z, h, size: at };
}

/** Checks a chain's shapes: batch, and per layer fan-in and units. */
function chainShape(kernel: string, x: Info, ws: readonly Info[], bs: readonly Info[]): ChainShape {
  const fanIn = ws.map((w) => w.shape[0]), units = ws.map((w) => w.shape[1]);
  const ok = x.shape.length === 2 && [x, ...ws, ...bs].every((t) => t.dtype === "float32") &&
    ws.every((w, l) => w.shape.length === 2 && fanIn[l] === (l ? units[l - 1] : x.shape[1])) &&
    bs.every((b, l) => tf.util.sizeFromShape(b.shape) === units[l]);
  if (!ok || ws.length === 0) {
    throw new Error(`${kernel}: needs float32 [batch, in] x and chaining [in, out] kernels`);
  }
  return { batch: x.shape[0], fanIn, units };
}

/** The chain's kernels (`"w"`) or biases (`"b"`) among a kernel's inputs, in layer order. */
function weightsOf(inputs: Record<string, Info>, layers: number, p: "w" | "b"): Info[] {
  const out: Info[] = new Array(layers);
  for (let l = 0; l < layers; l++) out[l] = inputs[inputKey(p, l)];
  return out;
}

/** `DuelDenseChain` on the Rust kernel: outputs `y` and the cache. */
export function denseChainKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const inputs = args.inputs as Record<string, Info>;
  const attrs = args.attrs as unknown as ChainAttrs;
  const layers = attrs.acts.length;
  const ws = weightsOf(inputs, layers, "w"), bs = weightsOf(inputs, layers, "b");
  const shape = chainShape(DENSE_CHAIN_KERNEL, inputs.x, ws, bs);
  const layout = cacheLayout(shape.batch, shape.units, attrs.acts);
  const y = backend.makeOutput([shape.batch, shape.units[layers - 1]], "float32");
  const cache = backend.makeOutput([layout.size], "float32");
  const at = (t: Info) => offsetOf(backend, t);
  const inCache = (v: number) => (v < 0 ? at(y) : at(cache) + 4 * v);
  const rows = ws.map((w, l): TableRow => ({
    x: l === 0 ? at(inputs.x) : inCache(layout.h[l - 1]),
    w: at(w),
    b: at(bs[l]),
    z: inCache(layout.z[l]),
    h: inCache(layout.h[l]),
    dh: 0,
    dz: 0,
    dw: 0,
    db: 0,
  }));
  if (shape.batch > 0) runChain(backend, "dense_chain_f32", shape, attrs, [rows], shape.batch);
  return [y, cache];
}

/** What every table of a backward call shares: the whole batch's shape, its cache's layout, offsets. */
interface GradPlan {
  readonly whole: ChainShape;
  readonly layout: CacheLayout;
  /** Byte offsets of `x`, `dy`, the cache and each layer's kernel. */
  readonly x: number;
  readonly dy: number;
  readonly cache: number;
  readonly w: readonly number[];
}

/** {@link GradPlan} of a backward call's inputs, worked out once for all its tables. */
function gradPlan(
  backend: WasmBackend,
  inputs: Record<string, Info>,
  attrs: ChainAttrs,
): GradPlan {
  const layers = attrs.acts.length;
  const ws = weightsOf(inputs, layers, "w");
  const bs = ws.map((w) => ({ shape: [w.shape[1]], dtype: "float32" }) as Info);
  const whole = chainShape(DENSE_CHAIN_GRAD_KERNEL, inputs.x, ws, bs);
  const at = (t: Info | undefined) => (t ? offsetOf(backend, t) : 0);
  return {
    whole,
    layout: cacheLayout(whole.batch, whole.units, attrs.acts),
    x: at(inputs.x),
    dy: at(inputs.dy),
    cache: at(inputs.cache),
    w: ws.map(at),
  };
}

/**
 * The backward pass's table: `dy`, the saved `x` and cache, the kernels, and
 * the outputs (`dw`, `db` of stacked batch `set`; `outs` as byte offsets).
 * With `sets` > 1 the batch is that many stacked batches of equal size, and
 * the table is batch `set`'s rows alone (its shape's batch one set's).
 */
function gradRows(
  plan: GradPlan,
  outs: readonly number[],
  set = 0,
  sets = 1,
): { shape: ChainShape; rows: TableRow[] } {
  const { whole, layout } = plan;
  const layers = whole.units.length;
  const batch = whole.batch / sets;
  const inCache = (v: number) => (v < 0 ? 0 : plan.cache + 4 * v);
  // Batch `set`'s first row in a [whole batch, width] block.
  const row0 = (width: number) => 4 * set * batch * width;
  const weights = layers + 2 * layers * set;
  const rows: TableRow[] = new Array(layers);
  for (let l = 0; l < layers; l++) {
    const units = row0(whole.units[l]);
    rows[l] = {
      x: (l === 0 ? plan.x : inCache(layout.h[l - 1])) + row0(whole.fanIn[l]),
      w: plan.w[l],
      b: 0,
      z: inCache(layout.z[l]) + units,
      h: 0,
      dh: (l === layers - 1 ? plan.dy : outs[l]) + units,
      dz: outs[l] + units,
      dw: outs[weights + 2 * l],
      db: outs[weights + 2 * l + 1],
    };
  }
  return { shape: { ...whole, batch }, rows };
}

/** `DuelDenseChainGrad`'s attrs: the chain's, and how many stacked batches the weights are taken per. */
export interface ChainGradAttrs extends ChainAttrs {
  /**
   * The batch is this many stacked batches of equal size (default 1), e.g. a
   * critic's real and fake batches in one pass: the weights' gradients are
   * then one set per batch, each the sum over its own rows alone.
   */
  readonly sets?: number;
  /**
   * Only the first this many layers' weights get gradients (default all): a
   * generator's, when its chain runs on into the critic's.
   */
  readonly weighed?: number;
  /**
   * With `sets` > 1: one more set of weight gradients, the sets' sum (the
   * last set's plus … plus the first's, as tfjs's `add`), after theirs.
   */
  readonly sum?: boolean;
  /**
   * Set by the second call, which fills the weights' gradients: the first
   * call's outputs (see {@link denseChainGradKernel}).
   */
  readonly outputs?: readonly Info[];
}

/**
 * `DuelDenseChainGrad` on the Rust kernel: every layer's `dz` (computed), then
 * `dw0, db0, …` allocated, not computed (`sets` of them, one per stacked batch,
 * set after set). Called again by the op (through the registered kernel
 * function, not the engine, so profiles time it) with attr `outputs` (those
 * outputs, in order: `dz0, …, dw0, db0, …`), it computes every
 * `dW = xᵀ dz` and `db` (column sums of `dz`) into them and returns nothing:
 * only if a gradient of the weights is asked for.
 */
export function denseChainGradKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const inputs = args.inputs as Record<string, Info>;
  const attrs = args.attrs as unknown as ChainGradAttrs;
  const layers = attrs.acts.length, sets = attrs.sets ?? 1;
  const groups = sets + (attrs.sum && sets > 1 ? 1 : 0);
  if (attrs.outputs) {
    const outs = attrs.outputs.map((t) => offsetOf(backend, t));
    if (outs.length !== layers + 2 * layers * groups) {
      throw new Error(
        `${DENSE_CHAIN_GRAD_KERNEL}: the weights' call needs the first call's outputs`,
      );
    }
    const plan = gradPlan(backend, inputs, attrs);
    const each = Array.from({ length: sets }, (_, set) => gradRows(plan, outs, set, sets));
    const weighed = attrs.weighed ?? layers, shape = each[0].shape;
    let stacked = 0;
    for (let l = 0; l < weighed; l++) stacked += shape.fanIn[l];
    // A batch a thread where there are no more threads than batches, else each batch split by rows.
    const threads = boundRustKernels(backend).threads?.threads ?? 1;
    if (sets > 1 && threads <= sets && weighed === layers) {
      runChain(backend, "dense_chain_weight_sets_f32", shape, attrs, each.map((e) => e.rows), sets);
    } else {
      for (const { rows } of each) {
        runChain(backend, "dense_chain_weights_f32", shape, attrs, [rows], stacked);
      }
    }
    if (groups > sets) {
      // The sums' table: set 0's with the next group of outputs as its dw and db (all the sum reads).
      const at = layers + 2 * layers * sets;
      const sum = each[0].rows.map((r, l) => ({
        ...r,
        dw: outs[at + 2 * l],
        db: outs[at + 2 * l + 1],
      }));
      const tables = [...each.map((e) => e.rows), sum];
      runChain(
        backend,
        "dense_chain_sum_sets_f32",
        { ...shape, batch: sets },
        attrs,
        tables,
        stacked,
      );
    }
    return [];
  }
  const batch = inputs.x.shape[0];
  if (!Number.isInteger(sets) || sets < 1 || batch % sets !== 0) {
    throw new Error(`${DENSE_CHAIN_GRAD_KERNEL}: ${batch} rows are not ${sets} equal batches`);
  }
  const plan = gradPlan(backend, inputs, attrs);
  const { fanIn, units } = plan.whole;
  const outs: Info[] = units.map((u) => backend.makeOutput([batch, u], "float32"));
  for (let g = 0; g < groups; g++) {
    units.forEach((u, l) => {
      outs.push(backend.makeOutput([fanIn[l], u], "float32"));
      outs.push(backend.makeOutput([u], "float32"));
    });
  }
  const { shape, rows } = gradRows(plan, outs.map((t) => offsetOf(backend, t)));
  if (batch > 0) runChain(backend, "dense_chain_grad_f32", shape, attrs, [rows], batch);
  return outs;
}

/**
 * Computes the weights' gradients into `DuelDenseChainGrad`'s outputs `outs`
 * (fresh, not yet read by anyone): its kernel function called again with them.
 */
export function fillChainWeights(
  inputs: Record<string, Info>,
  attrs: ChainGradAttrs,
  outs: readonly Info[],
): void {
  const backend = tf.engine().backend;
  const grad = tf.getKernel(DENSE_CHAIN_GRAD_KERNEL, tf.getBackend())!.kernelFunc;
  const weights = { ...attrs, outputs: outs } as unknown as tf.NamedAttrMap;
  grad({ inputs: inputs as tf.NamedTensorInfoMap, attrs: weights, backend });
}
