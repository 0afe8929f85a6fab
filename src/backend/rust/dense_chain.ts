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
  memoryOf,
  offsetOf,
  type WasmBackend,
} from "../wasm_backend.ts";
import { wasmBackendOf } from "../wasm_backend.ts";
import { boundRustKernels } from "./bound.ts";
import { gemmExport, type GemmRounding } from "./gemm.ts";
import { planRows } from "./split.ts";

/** The forward kernel: inputs `x, w0, b0, …`; outputs `y` and the cache. */
export const DENSE_CHAIN_KERNEL = "DuelDenseChain";
/** The backward kernel: inputs `dy, x, cache, w0, …`; outputs every `dz`, then `dw0, db0, …`. */
export const DENSE_CHAIN_GRAD_KERNEL = "DuelDenseChainGrad";

/** An activation after a dense layer of a chain, by its kernel code (tfjs-wasm's numbers). */
export const CHAIN_ACTIVATIONS = { linear: 0, relu: 1, leaky_relu: 4 } as const;

/** A key of {@link CHAIN_ACTIVATIONS}. */
export type ChainActivation = keyof typeof CHAIN_ACTIVATIONS;

/** A chain's attrs: per layer the activation code and leaky ReLU's slope; the GEMM rounding. */
export interface ChainAttrs {
  /** {@link CHAIN_ACTIVATIONS} codes, one per layer. */
  readonly acts: readonly number[];
  /** Leaky ReLU's slope per layer (unused by the others). */
  readonly alphas: readonly number[];
  /** The rounding of the matmul in force (`matmul_rust` plain, `matmul_rust_fma` fused). */
  readonly rounding: GemmRounding;
}

/** `u32`s per layer of the kernels' table (kernels/src/dense_chain.rs `ENTRY`). */
const ENTRY = 13;

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

/** A chain's shapes, checked: batch, and per layer fan-in and units. */
interface ChainShape {
  readonly batch: number;
  readonly fanIn: readonly number[];
  readonly units: readonly number[];
}

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

/** Per layer, the tensors and buffers of the table (byte offsets; 0 where a pass reads none). */
interface TableRow {
  readonly x: number;
  readonly w: number;
  readonly b: number;
  readonly z: number;
  readonly h: number;
  readonly dh: number;
  readonly dz: number;
  readonly dw: number;
  readonly db: number;
}

/**
 * Writes the table in scratch memory from the backend's allocator, runs
 * `name` (with `rounding`) over `rows` parts (split over the kernel threads
 * when large), frees the table.
 */
function runChain(
  backend: WasmBackend,
  name: "dense_chain_f32" | "dense_chain_grad_f32" | "dense_chain_weights_f32",
  shape: ChainShape,
  attrs: ChainAttrs,
  rows: readonly TableRow[],
  parts: number,
): void {
  const layers = rows.length;
  const table = backend.wasm._malloc(ENTRY * 4 * layers) >>> 0;
  try {
    const memory = memoryOf(backend).buffer;
    const u32 = new Uint32Array(memory, table, ENTRY * layers);
    const f32 = new Float32Array(memory, table, ENTRY * layers);
    rows.forEach((r, l) => {
      const e = l * ENTRY;
      u32.set([shape.fanIn[l], shape.units[l], attrs.acts[l], 0], e);
      f32[e + 3] = attrs.alphas[l];
      u32.set([r.x, r.w, r.b, r.z, r.h, r.dh, r.dz, r.dw, r.db], e + 4);
    });
    const { kernels, work, threads } = boundRustKernels(backend);
    const fn = gemmExport(name, attrs.rounding);
    const macs = shape.batch * shape.fanIn.reduce((n, f, l) => n + f * shape.units[l], 0);
    // The weights pass's stacked dW rows cost their layer's units each; a pass over the batch's rows, alike.
    const segments = name === "dense_chain_weights_f32"
      ? shape.fanIn.map((f, l) => [f, shape.units[l]] as const)
      : undefined;
    const bounds = threads && planRows(parts, macs, threads.threads, segments);
    if (bounds) threads.run(fn, [table, layers, shape.batch], bounds);
    else kernels[fn](table, layers, shape.batch, work[0], 0, parts);
  } finally {
    backend.wasm._free(table);
  }
}

const weightsOf = (inputs: Record<string, Info>, layers: number, p: "w" | "b") =>
  Array.from({ length: layers }, (_, l) => inputs[`${p}${l}`]);

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
  if (shape.batch > 0) runChain(backend, "dense_chain_f32", shape, attrs, rows, shape.batch);
  return [y, cache];
}

/** The backward pass's table: `dy`, the saved `x` and cache, the kernels, and the outputs. */
function gradRows(
  backend: WasmBackend,
  inputs: Record<string, Info>,
  attrs: ChainAttrs,
  outs: readonly Info[],
): { shape: ChainShape; rows: TableRow[] } {
  const layers = attrs.acts.length;
  const ws = weightsOf(inputs, layers, "w");
  const bs = ws.map((w) => ({ shape: [w.shape[1]], dtype: "float32" }) as Info);
  const shape = chainShape(DENSE_CHAIN_GRAD_KERNEL, inputs.x, ws, bs);
  const layout = cacheLayout(shape.batch, shape.units, attrs.acts);
  const at = (t: Info) => offsetOf(backend, t);
  const inCache = (v: number) => (v < 0 ? 0 : at(inputs.cache) + 4 * v);
  const rows = ws.map((w, l): TableRow => ({
    x: l === 0 ? at(inputs.x) : inCache(layout.h[l - 1]),
    w: at(w),
    b: 0,
    z: inCache(layout.z[l]),
    h: 0,
    dh: l === layers - 1 ? at(inputs.dy) : at(outs[l]),
    dz: at(outs[l]),
    dw: at(outs[layers + 2 * l]),
    db: at(outs[layers + 2 * l + 1]),
  }));
  return { shape, rows };
}

/** The outputs of `DuelDenseChainGrad`, in order, as inputs of its second call. */
const outName = (layers: number, i: number) =>
  i < layers ? `dz${i}` : `${(i - layers) % 2 ? "db" : "dw"}${(i - layers) >> 1}`;

/**
 * `DuelDenseChainGrad` on the Rust kernel: every layer's `dz` (computed), then
 * `dw0, db0, …` allocated, not computed. Called again by the op (through the
 * registered kernel function, not the engine, so profiles time it) with attr
 * `weights: true` and those outputs among its inputs (`dz0, …, dw0, db0, …`),
 * it computes every `dW = xᵀ dz` and `db` (column sums of `dz`) into them and
 * returns nothing: only if a gradient of the weights is asked for.
 */
export function denseChainGradKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const inputs = args.inputs as Record<string, Info>;
  const attrs = args.attrs as unknown as ChainAttrs & { weights?: boolean };
  const layers = attrs.acts.length;
  const ws = weightsOf(inputs, layers, "w");
  if (attrs.weights) {
    const outs = Array.from({ length: 3 * layers }, (_, i) => inputs[outName(layers, i)]);
    const { shape, rows } = gradRows(backend, inputs, attrs, outs);
    const stacked = shape.fanIn.reduce((a, b) => a + b, 0);
    runChain(backend, "dense_chain_weights_f32", shape, attrs, rows, stacked);
    return [];
  }
  const batch = inputs.x.shape[0];
  const outs = [
    ...ws.map((w) => backend.makeOutput([batch, w.shape[1]], "float32")),
    ...ws.flatMap((w) => [
      backend.makeOutput([...w.shape], "float32"),
      backend.makeOutput([w.shape[1]], "float32"),
    ]),
  ];
  const { shape, rows } = gradRows(backend, inputs, attrs, outs);
  if (batch > 0) runChain(backend, "dense_chain_grad_f32", shape, attrs, rows, batch);
  return outs;
}

/**
 * Computes the weights' gradients into `DuelDenseChainGrad`'s outputs `outs`
 * (fresh, not yet read by anyone): its kernel function called again with them.
 */
export function fillChainWeights(
  inputs: Record<string, Info>,
  attrs: ChainAttrs,
  outs: readonly Info[],
): void {
  const backend = tf.engine().backend;
  const grad = tf.getKernel(DENSE_CHAIN_GRAD_KERNEL, tf.getBackend())!.kernelFunc;
  const all = { ...inputs };
  outs.forEach((t, i) => (all[outName(attrs.acts.length, i)] = t));
  const weights = { ...attrs, weights: true } as unknown as tf.NamedAttrMap;
  grad({ inputs: all as tf.NamedTensorInfoMap, attrs: weights, backend });
}
