/**
 * Fused optimiser updates on Duel's Rust kernels (kernels/src/optimizers.rs): one
 * tfjs kernel call updates all of a player's parameters and slots, instead of
 * ~14 tiny tfjs kernels per parameter. They are kernels of their own
 * (`DuelAdam`, `DuelRMSProp`), registered on the wasm backends by
 * `KERNEL_FIXES` (so `setKernelFix` turns them off and benchmarks compare both
 * paths in one run, and `--profile` shows them); an optimiser uses them when
 * the active backend has them ({@link hasFusedUpdate}) and its tfjs
 * implementation otherwise. Results are the tfjs implementation's bits: each
 * element goes through the same f32 operations in the same order.
 *
 * The new values go to fresh buffers, which the variables are then assigned,
 * as tfjs's own updates do, never over a variable's buffer: tfjs shares
 * buffers between tensors (after `assign`, `reshape`, or a variable made from
 * a live tensor), and tfjs-wasm caches XNNPACK operators, with the weights
 * packed, by tensor id (a conv filter updated in place kept its stale packed
 * copy: measured, the conv GAN test diverged at step 3).
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import {
  type Info,
  type KernelArgs,
  memoryOf,
  offsetOf,
  type WasmBackend,
  wasmBackendOf,
} from "../wasm_backend.ts";
import type { RustKernels } from "./abi.ts";
import { kernelsOn } from "./loader.ts";
import { boundRustKernels } from "./bound.ts";
import { inputKey } from "./input_keys.ts";

/** `u32`s per table entry: `[param, grad, slot a, slot b, param out, a out, b out, len]`. */
export const TABLE_ENTRY = 8;

/** The fused update kernels, by optimiser name. */
export const FUSED_UPDATE_KERNELS = { adam: "DuelAdam", rmsprop: "DuelRMSProp" } as const;

/** Per backend: the kernels, its memory and a table buffer (grown as needed). */
const bound = new WeakMap<
  object,
  { kernels: RustKernels; memory: WebAssembly.Memory; table: number; capacity: number }
>();

function bind(backend: WasmBackend, entries: number) {
  let b = bound.get(backend);
  if (!b) {
    const kernels = kernelsOn(backend);
    b = { kernels, memory: memoryOf(backend), table: 0, capacity: 0 };
    bound.set(backend, b);
  }
  if (b.capacity < entries) {
    if (b.table) backend.wasm._free(b.table);
    b.capacity = Math.max(entries, 2 * b.capacity, 16);
    b.table = backend.wasm._malloc(b.capacity * TABLE_ENTRY * 4) >>> 0;
  }
  return b;
}

/**
 * Whether the active backend has the fused update for `optimizer` (the wasm
 * backends with the fix on; never the cpu backend).
 */
export function hasFusedUpdate(optimizer: keyof typeof FUSED_UPDATE_KERNELS): boolean {
  return tf.getKernel(FUSED_UPDATE_KERNELS[optimizer], tf.getBackend()) !== undefined;
}

/** What a fused update reads and replaces: parameters, their gradients, slots, step counter. */
export interface FusedUpdate {
  /** The parameters. */
  readonly params: readonly tf.Variable[];
  /** Their gradients, in the same order. */
  readonly grads: readonly tf.Tensor[];
  /** The first slot of each parameter (Adam: m; RMSProp: v). */
  readonly a: readonly tf.Variable[];
  /** The second slot of each parameter (Adam: v; RMSProp: the momentum buffer, or none). */
  readonly b: readonly tf.Variable[];
  /** Adam's step counter (a float32 scalar). */
  readonly t?: tf.Variable;
}

/** Kernel inputs: `t`, then `p<i>`, `g<i>`, `a<i>`, `b<i>` (if any). */
function kernelInputs(u: FusedUpdate): Record<string, tf.Tensor> {
  const inputs: Record<string, tf.Tensor> = u.t ? { t: u.t } : {};
  for (let i = 0; i < u.params.length; i++) {
    inputs[inputKey("p", i)] = u.params[i];
    inputs[inputKey("g", i)] = u.grads[i];
    inputs[inputKey("a", i)] = u.a[i];
    if (u.b[i]) inputs[inputKey("b", i)] = u.b[i];
  }
  return inputs;
}

/** The variables a kernel's outputs replace, in output order. */
function kernelTargets(u: FusedUpdate): tf.Variable[] {
  return [
    ...(u.t ? [u.t] : []),
    ...u.params.flatMap((p, i) => [p, u.a[i], ...(u.b[i] ? [u.b[i]] : [])]),
  ];
}

/** Floats per table entry when a call is split over the kernel threads (a multiple of 4). */
export const CHUNK = 2048;
/** Floats below which a call runs on the calling thread alone (a hand-off costs ~5 µs). */
const SPLIT_MIN = 8192;

/**
 * Makes the outputs and writes the kernel's table; returns the outputs (`t'`
 * excluded). `inPlace`: no outputs, each result written over its input.
 * `chunk`: entries cut into pieces of at most that many floats (for a split
 * call; the elements are independent, so the bits are the same).
 */
function writeTable(
  backend: WasmBackend,
  inputs: Record<string, Info | undefined>,
  kernel: string,
  inPlace: boolean,
  chunk = Infinity,
): { n: number; b: ReturnType<typeof bind>; outs: Info[]; sizes: number[] } {
  const at = (x: Info) => offsetOf(backend, x);
  const flat: number[] = [], outs: Info[] = [], sizes: number[] = [];
  for (let i = 0; inputs[inputKey("p", i)]; i++) {
    const p = inputs[inputKey("p", i)]!, g = inputs[inputKey("g", i)]!;
    const a = inputs[inputKey("a", i)]!, s = inputs[inputKey("b", i)];
    const len = tf.util.sizeFromShape(p.shape);
    for (const x of [p, g, a, ...(s ? [s] : [])]) {
      if (x.dtype !== "float32" || tf.util.sizeFromShape(x.shape) !== len) {
        throw new Error(`${kernel}: input ${i} is not float32 of ${len} values`);
      }
    }
    const replaced = [p, a, ...(s ? [s] : [])];
    const mine = inPlace
      ? replaced
      : replaced.map((x) => backend.makeOutput([...x.shape], "float32"));
    if (!inPlace) outs.push(...mine);
    const [pOut, aOut, sOut] = mine.map(at);
    pushPieces(
      flat,
      sizes,
      [at(p), at(g), at(a), s ? at(s) : 0, pOut, aOut, s ? sOut : 0],
      len,
      chunk,
    );
  }
  const b = bind(backend, sizes.length);
  // After every makeOutput: an allocation can grow the memory (a new buffer).
  new Uint32Array(b.memory.buffer, b.table, flat.length).set(flat);
  return { n: sizes.length, b, outs, sizes };
}

/**
 * Appends to `table` a table entry of `len` floats (its `pointers`, byte
 * offsets, then the length) as entries of at most `chunk` floats, and each
 * entry's length to `sizes`: each piece's pointers advance by its first
 * float, an absent pointer (0) stays 0.
 *
 * Inside Duel it is used as `pushPieces(table, sizes, [p, avg, out], len, chunk)`.
 */
export function pushPieces(
  table: number[],
  sizes: number[],
  pointers: readonly number[],
  len: number,
  chunk: number,
): void {
  for (let from = 0; from === 0 || from < len; from += chunk) {
    for (const ptr of pointers) table.push(ptr ? ptr + 4 * from : 0);
    const size = Math.min(chunk, len - from);
    table.push(size);
    sizes.push(size);
  }
}

/**
 * Entry bounds for a call of `sizes` split into `parts` (each part about the
 * same number of floats), or undefined where it is better not split.
 *
 * Inside Duel it is used as `const bounds = threads && partBounds(sizes, threads.threads);`.
 */
export function partBounds(sizes: readonly number[], parts: number): number[] | undefined {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (parts < 2 || total < SPLIT_MIN) return undefined;
  const bounds = [0];
  let sum = 0;
  sizes.forEach((size, i) => {
    sum += size;
    if (bounds.length < parts && sum >= (total * bounds.length) / parts) bounds.push(i + 1);
  });
  if (bounds[bounds.length - 1] !== sizes.length) bounds.push(sizes.length);
  return bounds;
}

/** Whether a fused update's kernel call writes over its inputs (attr `inPlace`: see {@link runFusedUpdate}). */
const inPlaceOf = (args: KernelArgs) => (args.attrs as { inPlace?: boolean }).inPlace === true;

/**
 * `DuelAdam`: inputs `t`, `p<i>`, `g<i>`, `a<i>` (m), `b<i>` (v); attrs `lr`, `b1`, `b2`, `eps`
 * (and `inPlace`: the results over `t`, `p<i>`, `a<i>`, `b<i>`, no outputs).
 */
export function adamKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const inputs = args.inputs as Record<string, Info | undefined>;
  const { lr, b1, b2, eps } = args.attrs as Record<string, number>;
  const inPlace = inPlaceOf(args);
  const tOut = inPlace ? inputs.t! : backend.makeOutput([], "float32");
  const threads = boundRustKernels(backend).threads;
  const chunk = threads ? CHUNK : Infinity;
  const { n, b, outs, sizes } = writeTable(backend, inputs, "DuelAdam", inPlace, chunk);
  const offset = (x: Info) => offsetOf(backend, x);
  // The step count lives in the slot `t` (for checkpoints); bias corrections in float64 as PyTorch.
  const step = new Float32Array(b.memory.buffer, offset(inputs.t!), 1)[0] + 1;
  new Float32Array(b.memory.buffer, offset(tOut), 1)[0] = step;
  const stepSize = lr / (1 - b1 ** step), rootC2 = Math.sqrt(1 - b2 ** step);
  const bounds = threads && partBounds(sizes, threads.threads);
  if (bounds) {
    const consts = [b1, 1 - b1, b2, 1 - b2, rootC2, eps, stepSize];
    threads.run("adam_f32_part", [b.table, ...consts], bounds);
  } else b.kernels.adam_f32(b.table, n, b1, 1 - b1, b2, 1 - b2, rootC2, eps, stepSize);
  return inPlace ? [] : [tOut, ...outs];
}

/**
 * `DuelRMSProp`: inputs `p<i>`, `g<i>`, `a<i>` (v), `b<i>` (momentum buffer, with momentum); attrs
 * `lr`, `alpha`, `eps`, `momentum` (and `inPlace`, as {@link adamKernel}'s).
 */
export function rmspropKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const inputs = args.inputs as Record<string, Info | undefined>;
  const { lr, alpha, eps, momentum } = args.attrs as Record<string, number>;
  if (momentum > 0 && inputs.p0 && !inputs.b0) throw new Error("DuelRMSProp: momentum needs b<i>");
  const threads = boundRustKernels(backend).threads;
  const chunk = threads ? CHUNK : Infinity;
  const { n, b, outs, sizes } = writeTable(backend, inputs, "DuelRMSProp", inPlaceOf(args), chunk);
  const bounds = threads && partBounds(sizes, threads.threads);
  const consts = [alpha, 1 - alpha, eps, momentum, lr] as const;
  if (bounds) threads.run("rmsprop_f32_part", [b.table, ...consts], bounds);
  else b.kernels.rmsprop_f32(b.table, n, ...consts);
  return outs;
}

/**
 * Whether every one of `targets` owns its data alone, so that a kernel may
 * write over it: no other tensor shares its buffer (tfjs's clones share it
 * on Duel's wasm backends, `identity_shared`), and its old values can be seen
 * by nobody.
 *
 * Inside Duel it is used as `if (ownedAlone(targets)) { …write over them… }`.
 */
export function ownedAlone(targets: readonly tf.Tensor[]): boolean {
  const backend = tf.engine().backend as unknown as { refCount?(dataId: unknown): number };
  return targets.every((t) => backend.refCount?.(t.dataId) === 1);
}

/**
 * Runs the fused update `optimizer` on the active backend (see
 * {@link hasFusedUpdate}): over the variables' own buffers where each owns
 * its buffer alone ({@link ownedAlone}), else into new tensors that are then
 * assigned; the same arithmetic either way, so the same bits.
 */
export function runFusedUpdate(
  optimizer: keyof typeof FUSED_UPDATE_KERNELS,
  update: FusedUpdate,
  attrs: Record<string, number>,
): void {
  const name = FUSED_UPDATE_KERNELS[optimizer];
  const targets = kernelTargets(update);
  if (ownedAlone(targets)) {
    // The registered kernel function, called outside the engine: it returns nothing to track.
    const kernel = tf.getKernel(name, tf.getBackend())!.kernelFunc;
    const inPlace = { ...attrs, inPlace: true } as unknown as tf.NamedAttrMap;
    kernel({ inputs: kernelInputs(update), attrs: inPlace, backend: tf.engine().backend });
    return;
  }
  const outs = tf.engine().runKernel(name, kernelInputs(update), attrs) as tf.Tensor[];
  targets.forEach((v, i) => {
    v.assign(outs[i]);
    outs[i].dispose();
  });
}
