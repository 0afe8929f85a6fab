/**
 * tfjs set-up: the backend table and gradient registration, in one place.
 * @module
 */
import { loadRustKernels } from "./rust/loader.ts";
import * as tf from "../deps/tfjs_core.ts";
import "./gradients.ts";
import "../deps/tfjs_backend_cpu.ts";
import "../deps/tfjs_backend_wasm.ts";
import {
  activeKernelFixes,
  fixAvailable,
  KERNEL_FIXES,
  type KernelFixName,
  setKernelFix,
} from "./kernels.ts";
import { THREADED_BACKEND_NAME, useThreadedWasm } from "./threads.ts";
import {
  type AdapterInfo,
  type AdapterRequest,
  reproducibilityOf,
  webgpuAdapter,
} from "./webgpu.ts";

/** The backends Duel can train on. */
export const BACKENDS = {
  wasm: "tfjs-backend-wasm (WebAssembly with SIMD), the default",
  cpu: "tfjs-backend-cpu (plain JavaScript), the reference and baseline",
  webgpu: "tfjs-backend-webgpu on Deno's WebGPU (a GPU: Vulkan, Metal, D3D12; or Mesa's " +
    "llvmpipe); evaluation and checkpoints on wasm (`threads` apply there)",
} as const;

/** A backend name from {@link BACKENDS}. */
export type BackendName = keyof typeof BACKENDS;

let fixesInstalled = false;

/** What the manifest records about the backend. */
export interface BackendInfo {
  /** The active tfjs backend. */
  readonly backend: string;
  /** tfjs-core's version. */
  readonly tfjs: string;
  /** Threads the backend computes with. */
  readonly threads: number;
  /** Kernel replacements in force (see `KERNEL_FIXES`). */
  readonly kernels: readonly string[];
  /** What a rerun of the run reproduces (see `reproducibilityOf`). */
  readonly reproducibility: string;
  /** On webgpu: the adapter's vendor, architecture, description and limits. */
  readonly adapter?: AdapterInfo;
}

/**
 * The numerics `backend` computes with, named so that equal names give equal
 * bits: the threaded wasm build computes what one-thread `wasm` computes
 * (`tests/threads_test.ts` checks it), while the fused `_fma` kernels round
 * differently (`wasm-fma`). Caches of trained results key on this name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numericsOf } from "../../mod.ts";
 * assert.equal(numericsOf("wasm-threaded", []), "wasm");
 * assert.equal(numericsOf("wasm", ["conv2d_rust_fma"]), "wasm-fma");
 * assert.equal(numericsOf("cpu"), "cpu");
 * ```
 */
export function numericsOf(
  backend: string,
  kernels: readonly string[] = activeKernelFixes(),
): string {
  const base = backend === THREADED_BACKEND_NAME ? "wasm" : backend;
  return base === "wasm" && kernels.some((k) => k.endsWith("_fma")) ? "wasm-fma" : base;
}

/** Duel's and tfjs's threads of the threaded wasm backend created last (made once per pair). */
let threadedKey = "";

/** Whether tfjs-wasm's own kernels get every thread (see {@link setBuiltinThreads}). */
let builtinsOnAll = false;

/**
 * How many threads tfjs-wasm's own kernels (XNNPACK's pool) get on the threaded
 * wasm backends `useBackend` makes from now on: `"one"` (the default) or
 * `"all"` (as many as Duel's kernels). `useBackend` puts every product,
 * convolution and the step's heavy element-wise kernels on Duel's Rust kernels,
 * split over Duel's kernel threads; what is left to XNNPACK (bias adds,
 * products with a scalar) waited for XNNPACK's second thread while Duel's
 * kernel thread spun on that core: a DCGAN step's `Add` kernels took 6.9 ms a
 * step on two XNNPACK threads against 2.4 ms on one, and the step 207.8 against
 * 194.7 ms side by side (docs/performance.md, "Threads"). So the
 * built-ins run on the calling thread, with the same bits (element-wise results
 * do not depend on threads). Ask for `"all"` before `useBackend` to time
 * tfjs's built-in kernels on N threads, or after turning Duel's product or
 * convolution kernels off (`setKernelFix`).
 *
 * @example
 * ```ts
 * import { setBuiltinThreads, useBackend } from "../../mod.ts";
 * setBuiltinThreads("all"); // XNNPACK on both threads, as tfjs's own init() would
 * await useBackend("wasm", 2);
 * setBuiltinThreads("one");
 * ```
 */
export function setBuiltinThreads(mode: "one" | "all"): void {
  builtinsOnAll = mode === "all";
}

/**
 * Makes `name` the active tfjs backend and returns what the manifest records
 * about it. For `wasm` with `threads` > 1 the threaded SIMD build is used
 * (see `threads.ts`); its results are bit-identical to one thread. For
 * `webgpu` the adapter comes from `requestAdapter` (default:
 * `navigator.gpu.requestAdapter()`); without one it throws a `UserError`
 * (exit 2) and the active backend stays as it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { useBackend } from "../../mod.ts";
 * const info = await useBackend("cpu");
 * assert.ok(info.backend === "cpu");
 * ```
 */
export async function useBackend(
  name: BackendName,
  threads = 1,
  requestAdapter?: AdapterRequest,
): Promise<BackendInfo> {
  if (name === "webgpu") return await useWebgpu(threads, requestAdapter);
  if (name !== "wasm" && threads !== 1) throw new Error(`backend ${name} runs on one thread only`);
  // The stock wasm backend comes first: kernel fixes are installed on it and copied to the
  // threaded backend when that is created.
  const base = name === "wasm" ? "wasm" : name;
  const builtins = builtinsOnAll ? threads : 1;
  const key = `${threads}/${builtins}`;
  if (tf.getBackend() !== base && (threads === 1 || threadedKey !== key)) {
    const ok = await tf.setBackend(base);
    if (!ok) throw new Error(`backend ${name}: tfjs could not initialise it`);
  }
  await tf.ready();
  // tfjs-backend-cpu advertises tfjs-node on first use when it sees Node; Duel runs on Deno.
  if (name === "cpu") (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  if (name === "wasm" && !fixesInstalled) {
    await loadRustKernels();
    for (const fix of Object.keys(KERNEL_FIXES) as KernelFixName[]) {
      if (fixAvailable(fix)) setKernelFix(fix, true);
    }
    fixesInstalled = true;
  }
  if (name === "wasm" && threads > 1) {
    if (threadedKey !== key) {
      await useThreadedWasm(threads, THREADED_BACKEND_NAME, builtins);
      threadedKey = key;
    } else if (tf.getBackend() !== THREADED_BACKEND_NAME) {
      await tf.setBackend(THREADED_BACKEND_NAME);
    }
  }
  const kernels = name === "wasm" ? activeKernelFixes() : [];
  const backend = tf.getBackend();
  const reproducibility = reproducibilityOf(backend);
  return { backend, tfjs: tf.version_core, threads, kernels, reproducibility };
}

/** Threads of the wasm backend that evaluates webgpu runs (see `host.ts`). */
let hostThreads = 1;

/** The threads `enterHost` gives the wasm backend: `backend.threads` of the webgpu run. */
export const webgpuHostThreads = (): number => hostThreads;

async function useWebgpu(threads: number, requestAdapter?: AdapterRequest): Promise<BackendInfo> {
  const adapter = await webgpuAdapter(requestAdapter);
  hostThreads = threads;
  if (tf.getBackend() !== "webgpu" && !(await tf.setBackend("webgpu"))) {
    throw new Error("backend webgpu: tfjs could not initialise it");
  }
  await tf.ready();
  const reproducibility = reproducibilityOf("webgpu", adapter);
  return {
    backend: "webgpu",
    tfjs: tf.version_core,
    threads,
    kernels: [],
    reproducibility,
    adapter,
  };
}
