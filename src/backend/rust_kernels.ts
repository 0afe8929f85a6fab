/**
 * Duel's Rust kernels (kernels/duel_kernels.wasm) as kernels of tfjs's wasm
 * backends. Zero-copy: the module is instantiated once per tfjs memory,
 * importing it, and reads inputs and writes outputs where tfjs keeps them
 * (`dataIdMap` → `memoryOffset`, outputs from `makeOutput`). On the threaded
 * build the memory is shared and the import is rewritten to match, and large
 * products are split over as many threads as the backend has
 * (`kernel_threads.ts`, `matmul_split.ts`; same bits on any thread count).
 * Registration is in `kernels.ts` (`KERNEL_FIXES`, `setKernelFix`).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { assertZeroCopySafe, withSharedMemoryImport } from "./wasm_module.ts";
import { KernelThreads } from "./kernel_threads.ts";
import { planMatmul } from "./matmul_split.ts";

type KernelFunc = tf.KernelConfig["kernelFunc"];
type Info = tf.TensorInfo;

/** The exports of duel_kernels.wasm. */
export interface RustKernels {
  /** Floats of workspace `matmul_f32` needs. */
  matmul_f32_work_len(): number;
  /** See kernels/src/lib.rs: `C[b] = act(op(A[b]) op(B[b]) + bias)`; pointers are byte offsets. */
  matmul_f32(
    a: number,
    b: number,
    c: number,
    batch: number,
    m: number,
    k: number,
    n: number,
    flags: number,
    aStride: number,
    bStride: number,
    bias: number,
    act: number,
    alpha: number,
    work: number,
  ): void;
  /** The scalar reference of `matmul_f32` (same signature, same bits). */
  matmul_f32_ref: RustKernels["matmul_f32"];
  /** Floats of workspace the conv kernels need. */
  conv_f32_work_len(): number;
  /**
   * See kernels/src/lib.rs: NHWC conv2d `y = conv(x, W)`, output pixels `m0..m1`
   * (the other conv kernels take the same arguments; see rust_conv_kernels.ts).
   */
  conv2d_f32(
    a: number,
    b: number,
    out: number,
    n: number,
    h: number,
    w: number,
    cin: number,
    oh: number,
    ow: number,
    cout: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    dh: number,
    dw: number,
    top: number,
    left: number,
    work: number,
    m0: number,
    m1: number,
  ): void;
  /** Scalar reference of `conv2d_f32` (same bits). */
  conv2d_f32_ref: RustKernels["conv2d_f32"];
  /** dW = Conv2DBackpropFilter(x = a, dy = b), rows `(ky, kx, ci)` `m0..m1`. */
  conv2d_backprop_filter_f32: RustKernels["conv2d_f32"];
  /** Scalar reference of `conv2d_backprop_filter_f32` (same bits). */
  conv2d_backprop_filter_f32_ref: RustKernels["conv2d_f32"];
  /** dx = Conv2DBackpropInput(dy = a, W = b), dx pixels `m0..m1`. */
  conv2d_backprop_input_f32: RustKernels["conv2d_f32"];
  /** Scalar reference of `conv2d_backprop_input_f32` (same bits). */
  conv2d_backprop_input_f32_ref: RustKernels["conv2d_f32"];
  /** Rows `lo..hi` of the batch's C stacked (`batch·m` rows): `matmul_f32`'s arguments, then `lo, hi`. */
  matmul_f32_rows: MatmulPart;
  /** Columns `lo..hi` of every C of the batch: `matmul_f32`'s arguments, then `lo, hi`. */
  matmul_f32_cols: MatmulPart;
  /** `matmul_f32` on the `4 × 8` micro-tile (same bits); its fused twin is `matmul4x8_f32_fma`. */
  matmul4x8_f32: RustKernels["matmul_f32"];
  /** The scalar reference of the fused twins: each multiply-add rounded once, in software. */
  matmul_f32_fma_ref: RustKernels["matmul_f32"];
  /** Scalar reference of `conv2d_f32_fma`. */
  conv2d_f32_fma_ref: RustKernels["conv2d_f32"];
  /** Scalar reference of `conv2d_backprop_filter_f32_fma`. */
  conv2d_backprop_filter_f32_fma_ref: RustKernels["conv2d_f32"];
  /** Scalar reference of `conv2d_backprop_input_f32_fma`. */
  conv2d_backprop_input_f32_fma_ref: RustKernels["conv2d_f32"];
  /** `at[0..4] = at[8..12] + at[0..4] · at[4..8]` (f32x4), rounded twice. */
  fma_probe(at: number): void;
  /** The fused twin of `fma_probe`: rounded once where the host fuses. */
  fma_probe_fma(at: number): void;
}

/** A part of `matmul_f32`: its arguments, then the range `lo, hi` (parts covering it give its bits). */
export type MatmulPart = (
  ...args: [...Parameters<RustKernels["matmul_f32"]>, lo: number, hi: number]
) => void;

/**
 * How the GEMM kernels (matmul and conv) round each term's multiply-add. The
 * fused forms are the build's `_fma` twins (`src/cli/fma_twins.ts`); the fused
 * matmul runs on the `4 × 8` micro-tile (`matmul4x8_f32_fma`), the faster one
 * fused.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GEMM_ROUNDINGS } from "./rust_kernels.ts";
 * assert.deepEqual(Object.keys(GEMM_ROUNDINGS), ["plain", "fused"]);
 * ```
 */
export const GEMM_ROUNDINGS = {
  plain: "a rounded multiply, then a rounded add (f32x4.mul, f32x4.add): tfjs-wasm's bits",
  fused: "rounded once (f32x4.relaxed_madd): fused where the host has FMA, 10-13% faster",
} as const;

/** A key of {@link GEMM_ROUNDINGS}. */
export type GemmRounding = keyof typeof GEMM_ROUNDINGS;

/**
 * Each GEMM export by its plain name, as the kernels call it, and its fused
 * twin (the matmul's on the `4 × 8` tile): a table, so that kernel calls look
 * names up rather than build them. The build makes a twin for each
 * (`FMA_ROOTS` in src/cli/build_kernels.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FUSED_EXPORTS } from "./rust_kernels.ts";
 * assert.equal(FUSED_EXPORTS.conv2d_f32, "conv2d_f32_fma");
 * ```
 */
export const FUSED_EXPORTS = {
  matmul_f32: "matmul4x8_f32_fma",
  matmul_f32_rows: "matmul4x8_f32_rows_fma",
  matmul_f32_cols: "matmul4x8_f32_cols_fma",
  conv2d_f32: "conv2d_f32_fma",
  conv2d_backprop_filter_f32: "conv2d_backprop_filter_f32_fma",
  conv2d_backprop_filter_f32_cols: "conv2d_backprop_filter_f32_cols_fma",
  conv2d_backprop_input_f32: "conv2d_backprop_input_f32_fma",
} as const;

/** A GEMM export by its plain name, as the kernels call it. */
export type GemmExport = keyof typeof FUSED_EXPORTS;

/**
 * The export computing `name` with `rounding`: `name` itself when plain; else
 * its fused twin (the matmul's on the `4 × 8` tile).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gemmExport } from "./rust_kernels.ts";
 * assert.equal(gemmExport("matmul_f32_rows", "plain"), "matmul_f32_rows");
 * assert.equal(gemmExport("matmul_f32_rows", "fused"), "matmul4x8_f32_rows_fma");
 * assert.equal(gemmExport("conv2d_f32", "fused"), "conv2d_f32_fma");
 * ```
 */
export function gemmExport(name: GemmExport, rounding: GemmRounding): string {
  return rounding === "plain" ? name : FUSED_EXPORTS[name];
}

let fuses: boolean | undefined;

/**
 * Whether this host fuses `f32x4.relaxed_madd` (one rounding; a host without
 * FMA may round twice, and then the fused twins compute the plain bits). The
 * kernels' own probe, `fma_probe_fma`, on a scratch memory; asked once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostFusesMultiplyAdd } from "./rust_kernels.ts";
 * assert.equal(typeof hostFusesMultiplyAdd(), "boolean");
 * ```
 */
export function hostFusesMultiplyAdd(): boolean {
  if (fuses === undefined) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const probe = rustKernels(memory).fma_probe_fma;
    const f = new Float32Array(memory.buffer, 0, 12);
    // a = b = 1 + 2⁻²³, c = -(1 + 2⁻²²): c + a·b is 2⁻⁴⁶ rounded once, 0 rounded twice.
    f.fill(1 + 2 ** -23, 0, 8).fill(-(1 + 2 ** -22), 8, 12);
    probe(0);
    fuses = f[0] !== 0;
  }
  return fuses;
}

/** `matmul_f32` flags. */
export const MATMUL_FLAGS = { transposeA: 1, transposeB: 2, bias: 4 } as const;

/** Fused activations the Rust matmul applies, numbered as tfjs-wasm's `FusableActivation`. */
export const RUST_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4 } as const;

/** The committed module (`deno task build:kernels`). */
const WASM_URL = new URL("../../kernels/duel_kernels.wasm", import.meta.url);
/** Maximum pages of tfjs's threaded memory (4 GiB). */
const SHARED_MAX_PAGES = 65536;

let compiled: { plain: WebAssembly.Module; shared: WebAssembly.Module } | undefined;
const instances = new WeakMap<WebAssembly.Memory, RustKernels>();

function modules() {
  if (!compiled) {
    const bytes = Deno.readFileSync(WASM_URL);
    assertZeroCopySafe(bytes, WASM_URL.pathname);
    compiled = {
      plain: new WebAssembly.Module(bytes),
      shared: new WebAssembly.Module(withSharedMemoryImport(bytes, SHARED_MAX_PAGES)),
    };
  }
  return compiled;
}

/**
 * The kernels compiled for a shared memory (tfjs's threaded build), as kernel threads instantiate them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedKernelsModule } from "./rust_kernels.ts";
 * const names = WebAssembly.Module.exports(sharedKernelsModule()).map((e) => e.name);
 * assert.ok(names.includes("matmul_f32_rows"));
 * ```
 */
export function sharedKernelsModule(): WebAssembly.Module {
  return modules().shared;
}

/**
 * The kernels instantiated on `memory` (once per memory): every pointer they
 * take is a byte offset into it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rustKernels } from "./rust_kernels.ts";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * const k = rustKernels(memory);
 * const f = new Float32Array(memory.buffer);
 * f.set([1, 2, 3, 4], 0); // A: 2x2 at byte 0
 * f.set([5, 6, 7, 8], 4); // B: 2x2 at byte 16
 * k.matmul_f32_ref(0, 16, 32, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0);
 * assert.deepEqual([...f.subarray(8, 12)], [19, 22, 43, 50]);
 * ```
 */
export function rustKernels(memory: WebAssembly.Memory): RustKernels {
  let k = instances.get(memory);
  if (!k) {
    const shared = memory.buffer instanceof SharedArrayBuffer;
    const mod = shared ? modules().shared : modules().plain;
    k = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as RustKernels;
    instances.set(memory, k);
  }
  return k;
}

/** What the Rust kernels use of a tfjs wasm backend (stock or threaded build). */
interface WasmBackend {
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(offset: number): void;
    tfjs: { getThreadsCount?(): number };
  };
}

/**
 * Per tfjs backend: its kernels, one workspace per thread (kept for the
 * backend's lifetime) and, on the threaded build, the kernel threads.
 */
export interface BoundRustKernels {
  /** The kernels, instantiated on the backend's memory. */
  readonly kernels: RustKernels;
  /** One workspace per thread (byte offsets), each big enough for every kernel. */
  readonly work: readonly number[];
  /** The kernel threads, on the threaded build with more than one thread. */
  readonly threads?: KernelThreads;
}
const bound = new WeakMap<object, BoundRustKernels>();

/** Threads of a tfjs wasm backend: its XNNPACK pool's on the threaded build, else 1. */
function backendThreads(backend: WasmBackend, memory: WebAssembly.Memory): number {
  if (!(memory.buffer instanceof SharedArrayBuffer)) return 1;
  return backend.wasm.tfjs.getThreadsCount?.() ?? 1;
}

/**
 * The Rust kernels bound to a tfjs wasm backend (stock or threaded build):
 * the kernels on its memory, one workspace per thread (large enough for
 * every kernel) and, on the threaded build, the kernel threads. Bound once
 * per backend, on first use.
 *
 * @example
 * ```ts ignore
 * const { kernels, work, threads } = boundRustKernels(args.backend);
 * ```
 */
export function boundRustKernels(backend: object): BoundRustKernels {
  return bind(backend as WasmBackend);
}

function bind(backend: WasmBackend): BoundRustKernels {
  let b = bound.get(backend);
  if (!b) {
    const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
    if (!memory) throw new Error("rust kernels: cannot find the wasm backend's memory");
    const kernels = rustKernels(memory);
    const count = backendThreads(backend, memory);
    const bytes = Math.max(kernels.matmul_f32_work_len(), kernels.conv_f32_work_len()) * 4;
    const work = Array.from({ length: count }, () => backend.wasm._malloc(bytes) >>> 0);
    const threads = count > 1
      ? KernelThreads.start({
        module: modules().shared,
        memory,
        caller: kernels as unknown as WebAssembly.Exports,
        threads: count,
        work,
      })
      : undefined;
    b = { kernels, work, threads };
    bound.set(backend, b);
    warmUp(backend, kernels, memory, work[0]);
  }
  return b;
}

/** Small products run when a backend is bound (a few ms); see {@link warmUp}. */
const WARM_UP_CALLS = 64;
const WARM_UP_SIZE = 64;

/**
 * V8 runs a fresh module on its baseline compiler (Liftoff, ~3.4x slower
 * here) and compiles the optimised code in the background once a function has
 * run enough, switching between calls: the block loop takes ~100-250 ms of
 * TurboFan time (measured with --trace-wasm-compilation-times), so the first
 * large products ran on baseline code (512³: 150-240 ms, then 70-130, then
 * ~12-20). Small products of every kind (transposes, bias, activation) at bind
 * time start that compilation early, while tfjs does other work; measured: the
 * first 512³ product 200 ms after binding took 21 ms with the warm-up and
 * 177 ms without (loaded 2-core machine). The kernel threads share the
 * compiled module, so this warms them too.
 */
function warmUp(
  backend: WasmBackend,
  kernels: RustKernels,
  memory: WebAssembly.Memory,
  work: number,
) {
  const s = WARM_UP_SIZE, floats = s * s;
  const at = backend.wasm._malloc(floats * 4 * 4) >>> 0;
  new Float32Array(memory.buffer, at, floats * 4).fill(0.5);
  const [a, b, c, bias] = [at, at + floats * 4, at + floats * 8, at + floats * 12];
  // The plain kernel and, where it is used, the fused twin: each compiles on its own.
  const kinds = [kernels.matmul_f32];
  if (hostFusesMultiplyAdd()) kinds.push(matmulWith(kernels, "fused"));
  for (let i = 0; i < WARM_UP_CALLS; i++) {
    for (const matmul of kinds) matmul(a, b, c, 1, s, s, s, i & 7, 0, 0, bias, i & 1, 0.2, work);
  }
  backend.wasm._free(at);
}

/**
 * The kernel threads the Rust kernels use on a tfjs backend (`undefined` on
 * one thread, or before its first Rust kernel call): for diagnostics, e.g.
 * `partsRun()` in benchmarks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { useBackend } from "./tfjs.ts";
 * import { rustKernelThreads } from "./rust_kernels.ts";
 * await useBackend("wasm");
 * tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dispose();
 * assert.equal(rustKernelThreads(tf.backend()), undefined); // the stock backend: one thread
 * ```
 */
export function rustKernelThreads(backend: object): KernelThreads | undefined {
  return bound.get(backend)?.threads;
}

/**
 * Stops the kernel threads of a tfjs backend (call before disposing it; the
 * next Rust kernel call on it would start new ones). Nothing to do for a
 * backend without them.
 *
 * @example
 * ```ts
 * import { releaseRustKernels } from "./rust_kernels.ts";
 * releaseRustKernels({}); // not bound: nothing happens
 * ```
 */
export function releaseRustKernels(backend: object): void {
  bound.get(backend)?.threads?.dispose();
  bound.delete(backend);
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Computes `op(a) op(b) (+ bias, activation)` with the Rust kernel, or returns
 * `undefined` when the case is not covered (the caller uses the built-in):
 * non-float32, batch dimensions that broadcast other than one-to-all, a bias
 * other than one value per column.
 */
function rustMatMul(
  backend: WasmBackend,
  a: Info,
  b: Info,
  transposeA: boolean,
  transposeB: boolean,
  rounding: GemmRounding,
  bias?: Info,
  act = 0,
  alpha = 0,
): Info | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32") return undefined;
  if (bias && bias.dtype !== "float32") return undefined;
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ` +
        `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = size(outer), batchA = size(outerA), batchB = size(outerB);
  // One matrix broadcast over the batch, or as many as the batch (then in its order).
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined;
  if (bias && (size(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return undefined;
  const { kernels, work, threads } = bind(backend);
  const out = backend.makeOutput([...outer, m, n], "float32");
  const at = (t: Info) => backend.dataIdMap.get(t.dataId).memoryOffset;
  const flags = (transposeA ? MATMUL_FLAGS.transposeA : 0) |
    (transposeB ? MATMUL_FLAGS.transposeB : 0) | (bias ? MATMUL_FLAGS.bias : 0);
  const args = [
    at(a),
    at(b),
    at(out),
    batch,
    m,
    k,
    n,
    flags,
    batchA === 1 ? 0 : m * k,
    batchB === 1 ? 0 : k * n,
    bias ? at(bias) : 0,
    act,
    alpha,
  ] as const;
  const split = threads && planMatmul(batch, m, k, n, threads.threads);
  if (split) threads.run(gemmExport(split.fn, rounding), args, split.bounds);
  else matmulWith(kernels, rounding)(...args, work[0]);
  return out;
}

/** `matmul_f32` with `rounding` (see {@link gemmExport}). */
function matmulWith(kernels: RustKernels, rounding: GemmRounding): RustKernels["matmul_f32"] {
  const all = kernels as unknown as Record<string, RustKernels["matmul_f32"]>;
  return all[gemmExport("matmul_f32", rounding)];
}

/**
 * BatchMatMul on the Rust kernel with `rounding` (the built-in for what it
 * does not cover).
 *
 * @example
 * ```ts ignore
 * tf.registerKernel({ kernelName: "BatchMatMul", backendName: "wasm", kernelFunc: rustBatchMatMul(builtin, "fused") });
 * ```
 */
export function rustBatchMatMul(builtin: KernelFunc, rounding: GemmRounding = "plain"): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const backend = args.backend as unknown as WasmBackend;
    return rustMatMul(backend, a, b, transposeA, transposeB, rounding) ?? builtin(args);
  };
}

/**
 * _FusedMatMul (matmul + bias + activation) on the Rust kernel with
 * `rounding`, for the activations in {@link RUST_ACTIVATIONS}; prelu, sigmoid
 * and elu go to the built-in.
 *
 * @example
 * ```ts ignore
 * tf.registerKernel({ kernelName: "_FusedMatMul", backendName: "wasm", kernelFunc: rustFusedMatMul(builtin) });
 * ```
 */
export function rustFusedMatMul(builtin: KernelFunc, rounding: GemmRounding = "plain"): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, Info | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
      transposeA: boolean;
      transposeB: boolean;
      activation: string;
      leakyreluAlpha?: number;
    };
    const act = RUST_ACTIVATIONS[activation as keyof typeof RUST_ACTIVATIONS];
    if (act === undefined || preluActivationWeights) return builtin(args);
    const backend = args.backend as unknown as WasmBackend;
    const alpha = leakyreluAlpha ?? 0;
    return rustMatMul(
      backend,
      a!,
      b!,
      transposeA,
      transposeB,
      rounding,
      bias ?? undefined,
      act,
      alpha,
    ) ??
      builtin(args);
  };
}
