/**
 * Fused optimiser updates on Duel's Rust kernels (kernels/src/adam.rs): one
 * tfjs kernel call updates all of a player's parameters and slots in place,
 * instead of ~14 tiny tfjs kernels per parameter. They are kernels of their
 * own (`DuelAdam`, `DuelRMSProp`), registered on the wasm backends by
 * `KERNEL_FIXES` (so `setKernelFix` turns them off and benchmarks compare both
 * paths in one run, and `--profile` shows them); an optimiser uses them when
 * the active backend has them ({@link hasFusedUpdate}) and its tfjs
 * implementation otherwise. Results are the tfjs implementation's bits: each
 * element goes through the same f32 operations in the same order.
 *
 * In place is safe only for a buffer no other tensor shares: tfjs shares
 * buffers after `assign`, `clone` and `reshape`. {@link ownBuffers} copies a
 * shared variable's data first (copy-on-write), and the kernel refuses to
 * write a buffer whose reference count is not 1.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { rustKernels } from "./rust_kernels.ts";

type KernelFunc = tf.KernelConfig["kernelFunc"];
type Info = tf.TensorInfo;
type KernelArgs = Parameters<KernelFunc>[0];

/** The optimiser exports of duel_kernels.wasm (pointers are byte offsets; see kernels/src/lib.rs). */
export interface OptimizerKernels {
  /** Adam over `n` table entries `[p, g, m, v, len]`, in place. */
  adam_f32(
    table: number,
    n: number,
    b1: number,
    oneMinusB1: number,
    b2: number,
    oneMinusB2: number,
    rootC2: number,
    eps: number,
    stepSize: number,
  ): void;
  /** The scalar reference of `adam_f32` (same signature, same bits). */
  adam_f32_ref: OptimizerKernels["adam_f32"];
  /** RMSProp over `n` table entries `[p, g, v, buf, len]` (`buf` read only when momentum > 0). */
  rmsprop_f32(
    table: number,
    n: number,
    alpha: number,
    oneMinusAlpha: number,
    eps: number,
    momentum: number,
    lr: number,
  ): void;
  /** The scalar reference of `rmsprop_f32` (same signature, same bits). */
  rmsprop_f32_ref: OptimizerKernels["rmsprop_f32"];
}

/** `u32`s per table entry: `[param, grad, slot a, slot b, len]`. */
export const TABLE_ENTRY = 5;

/** The fused update kernels, by optimiser name. */
export const FUSED_UPDATE_KERNELS = { adam: "DuelAdam", rmsprop: "DuelRMSProp" } as const;

/** What the fused updates use of a tfjs wasm backend (stock or threaded build). */
interface WasmBackend {
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  refCount(dataId: unknown): number;
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
}

/** Per backend: the kernels, its memory and a table buffer (grown as needed). */
const bound = new WeakMap<
  object,
  { kernels: OptimizerKernels; memory: WebAssembly.Memory; table: number; capacity: number }
>();

function bind(backend: WasmBackend, entries: number) {
  let b = bound.get(backend);
  if (!b) {
    const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
    if (!memory) throw new Error("rust optimisers: cannot find the wasm backend's memory");
    const kernels = rustKernels(memory) as unknown as OptimizerKernels;
    b = { kernels, memory, table: 0, capacity: 0 };
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
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { useBackend } from "./tfjs.ts";
 * import { hasFusedUpdate } from "./rust_optimizers.ts";
 * await useBackend("cpu");
 * assert.equal(hasFusedUpdate("adam"), false);
 * ```
 */
export function hasFusedUpdate(optimizer: keyof typeof FUSED_UPDATE_KERNELS): boolean {
  return tf.getKernel(FUSED_UPDATE_KERNELS[optimizer], tf.getBackend()) !== undefined;
}

/**
 * Gives every variable a buffer of its own (copy-on-write): a variable whose
 * data another tensor shares (after `assign`, or created from a tensor still
 * alive) gets a fresh copy of its values, so updating it in place cannot
 * change anything else. Cheap when nothing is shared (one lookup each).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { useBackend } from "./tfjs.ts";
 * import { ownBuffers } from "./rust_optimizers.ts";
 * await useBackend("wasm");
 * const init = tf.tensor1d([1, 2]);
 * const v = tf.variable(init); // shares init's buffer
 * ownBuffers([v]);
 * assert.notEqual(v.dataId, init.dataId);
 * assert.deepEqual([...v.dataSync()], [1, 2]);
 * ```
 */
export function ownBuffers(vars: readonly tf.Variable[]): void {
  const backend = tf.backend() as unknown as Partial<WasmBackend>;
  if (!backend.refCount) return;
  for (const v of vars) {
    if (backend.refCount(v.dataId) > 1) {
      tf.tidy(() => v.assign(tf.tensor(v.dataSync(), v.shape, v.dtype)));
    }
  }
}

/** The role of each input of a fused update: `p<i>`, `g<i>`, `a<i>` (first slot), `b<i>` (second). */
export type FusedInputs = Record<string, tf.Tensor>;

/**
 * The inputs of a fused update kernel for parameters `params`, their
 * gradients and one or two slot variables per parameter (the step counter
 * `t` too for Adam), after making every written buffer exclusive.
 */
export function fusedInputs(
  params: readonly tf.Variable[],
  grads: readonly tf.Tensor[],
  a: readonly tf.Variable[],
  b: readonly tf.Variable[],
  t?: tf.Variable,
): FusedInputs {
  ownBuffers([...params, ...a, ...b, ...(t ? [t] : [])]);
  const inputs: FusedInputs = t ? { t } : {};
  params.forEach((p, i) => {
    inputs[`p${i}`] = p;
    inputs[`g${i}`] = grads[i];
    inputs[`a${i}`] = a[i];
    if (b[i]) inputs[`b${i}`] = b[i];
  });
  return inputs;
}

/** Writes the kernel's table; returns the number of entries. */
function writeTable(
  backend: WasmBackend,
  inputs: Record<string, Info | undefined>,
  kernel: string,
): { n: number; b: ReturnType<typeof bind> } {
  let n = 0;
  while (inputs[`p${n}`]) n++;
  const b = bind(backend, n);
  const table = new Uint32Array(b.memory.buffer, b.table, n * TABLE_ENTRY);
  const at = (x: Info) => backend.dataIdMap.get(x.dataId).memoryOffset;
  const written = (x: Info) => {
    if (backend.refCount(x.dataId) !== 1) {
      throw new Error(`${kernel}: a written buffer is shared (call ownBuffers first)`);
    }
    return at(x);
  };
  for (let i = 0; i < n; i++) {
    const p = inputs[`p${i}`]!, g = inputs[`g${i}`]!, a = inputs[`a${i}`]!;
    const s = inputs[`b${i}`];
    const len = tf.util.sizeFromShape(p.shape);
    for (const x of [p, g, a, ...(s ? [s] : [])]) {
      if (x.dtype !== "float32" || tf.util.sizeFromShape(x.shape) !== len) {
        throw new Error(`${kernel}: input ${i} is not float32 of ${len} values`);
      }
    }
    table.set([written(p), at(g), written(a), s ? written(s) : 0, len], i * TABLE_ENTRY);
  }
  return { n, b };
}

/** `DuelAdam`: inputs from {@link fusedInputs} with `t`; attrs `lr`, `b1`, `b2`, `eps`. */
export function adamKernel(args: KernelArgs): Info[] {
  const backend = args.backend as unknown as WasmBackend;
  const inputs = args.inputs as Record<string, Info | undefined>;
  const { lr, b1, b2, eps } = args.attrs as Record<string, number>;
  const { n, b } = writeTable(backend, inputs, "DuelAdam");
  const tAt = backend.dataIdMap.get(inputs.t!.dataId).memoryOffset;
  if (backend.refCount(inputs.t!.dataId) !== 1) throw new Error("DuelAdam: t is shared");
  // The step count lives in the slot `t` (for checkpoints); bias corrections in float64 as PyTorch.
  const tView = new Float32Array(b.memory.buffer, tAt, 1);
  const step = tView[0] + 1;
  tView[0] = step;
  const stepSize = lr / (1 - b1 ** step), rootC2 = Math.sqrt(1 - b2 ** step);
  b.kernels.adam_f32(b.table, n, b1, 1 - b1, b2, 1 - b2, rootC2, eps, stepSize);
  return [];
}

/** `DuelRMSProp`: inputs from {@link fusedInputs} (`b<i>` with momentum); attrs `lr`, `alpha`, `eps`, `momentum`. */
export function rmspropKernel(args: KernelArgs): Info[] {
  const backend = args.backend as unknown as WasmBackend;
  const inputs = args.inputs as Record<string, Info | undefined>;
  const { lr, alpha, eps, momentum } = args.attrs as Record<string, number>;
  const { n, b } = writeTable(backend, inputs, "DuelRMSProp");
  if (momentum > 0 && n > 0 && !inputs.b0) throw new Error("DuelRMSProp: momentum needs b<i>");
  b.kernels.rmsprop_f32(b.table, n, alpha, 1 - alpha, eps, momentum, lr);
  return [];
}

/**
 * Runs the fused update `optimizer` on the active backend (see {@link hasFusedUpdate}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { useBackend } from "./tfjs.ts";
 * import { fusedInputs, runFusedUpdate } from "./rust_optimizers.ts";
 * await useBackend("wasm");
 * const w = tf.variable(tf.tensor1d([1])), v = tf.variable(tf.zeros([1]));
 * // RMSProp, alpha 0: v = g^2, w -= lr g / (|g| + eps)
 * runFusedUpdate("rmsprop", fusedInputs([w], [tf.tensor1d([2])], [v], []), {
 *   lr: 0.5, alpha: 0, eps: 0, momentum: 0,
 * });
 * assert.deepEqual([...w.dataSync()], [0.5]);
 * assert.deepEqual([...v.dataSync()], [4]);
 * ```
 */
export function runFusedUpdate(
  optimizer: keyof typeof FUSED_UPDATE_KERNELS,
  inputs: FusedInputs,
  attrs: Record<string, number>,
): void {
  tf.engine().runKernel(FUSED_UPDATE_KERNELS[optimizer], inputs, attrs);
}
