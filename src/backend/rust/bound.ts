/**
 * Duel's Rust kernels bound to a tfjs wasm backend (stock or threaded build):
 * the kernels on its memory, one workspace per thread and, on the threaded
 * build, the kernel threads (`kernel_threads.ts`); plus the warm-up that
 * starts V8's optimising compiler early.
 * @module
 */
import { memoryOf, type WasmBackend } from "../wasm_backend.ts";
import type { RustKernels } from "./abi.ts";
import { gemmExport, type GemmRounding, onPlainMemory } from "./gemm.ts";
import { KernelThreads } from "./kernel_threads.ts";
import "./kernel_worker.ts"; // fetched and cached with the pool, wherever Duel is loaded from
import { rustKernels, sharedKernelsModule } from "./loader.ts";
import { hostFusesMultiplyAdd } from "./probes.ts";

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

/** Threads of the Rust kernels on a tfjs wasm backend: `duelThreads` or XNNPACK's on the threaded build, else 1. */
function backendThreads(backend: WasmBackend, memory: WebAssembly.Memory): number {
  if (!(memory.buffer instanceof SharedArrayBuffer)) return 1;
  return backend.duelThreads ?? backend.wasm.tfjs.getThreadsCount?.() ?? 1;
}

/**
 * The Rust kernels bound to a tfjs wasm backend (stock or threaded build):
 * the kernels on its memory, one workspace per thread (large enough for
 * every kernel) and, on the threaded build, the kernel threads. Bound once
 * per backend, on first use.
 *
 * Inside Duel it is used as `const { kernels, work, threads } = boundRustKernels(args.backend);`.
 */
export function boundRustKernels(backend: object): BoundRustKernels {
  return bind(backend as WasmBackend);
}

function bind(backend: WasmBackend): BoundRustKernels {
  let b = bound.get(backend);
  if (!b) {
    const memory = memoryOf(backend);
    // On a plain memory the GEMM's tile broadcasts by loads (same bits; gemm.ts SPLAT_TWINS).
    const raw = rustKernels(memory);
    const kernels = memory.buffer instanceof SharedArrayBuffer ? raw : onPlainMemory(raw);
    const count = backendThreads(backend, memory);
    const bytes = Math.max(kernels.matmul_f32_work_len(), kernels.conv_f32_work_len()) * 4;
    const work = Array.from({ length: count }, () => backend.wasm._malloc(bytes) >>> 0);
    const threads = count > 1
      ? KernelThreads.start({
        module: sharedKernelsModule(),
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
 */
export function rustKernelThreads(backend: object): KernelThreads | undefined {
  return bound.get(backend)?.threads;
}

/**
 * Stops the kernel threads of a tfjs backend (call before disposing it; the
 * next Rust kernel call on it would start new ones). Nothing to do for a
 * backend without them.
 */
export function releaseRustKernels(backend: object): void {
  bound.get(backend)?.threads?.dispose();
  bound.delete(backend);
}

/** `matmul_f32` with `rounding` (see `gemmExport`). */
export function matmulWith(
  kernels: RustKernels,
  rounding: GemmRounding,
): RustKernels["matmul_f32"] {
  return kernels[gemmExport("matmul_f32", rounding)];
}
