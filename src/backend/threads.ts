/**
 * The threaded SIMD build of tfjs-backend-wasm under Deno, registered as a
 * backend of its own (`wasm-threaded`) next to the stock `wasm` backend.
 * Results are bit-identical to the stock backend (checked by a test);
 * XNNPACK-backed ops (matmul, conv) scale with the threads when cores are free,
 * and so does Duel's Rust matmul (`rust/kernel_threads.ts`: its own workers on the
 * same memory, same bits).
 *
 * Permissions: read of the npm cache (the .wasm file), write and env for a
 * temporary folder (os.tmpdir()), sys=cpus.
 *
 * Why this is needed
 * ------------------
 * 1. Under Deno `process.versions.node` exists, so tfjs-core sets IS_NODE and the
 *    flag WASM_HAS_MULTITHREAD_SUPPORT evaluates to false -> tfjs's init() loads
 *    the single-threaded SIMD build. And its threaded factory starts a pool of 8
 *    pthread workers whatever the thread count, ~70 ms of a core each under Deno.
 *    -> We make the threaded module ourselves (`threaded_factory.ts`: the same
 *       un-bundled factory, wasm-out/…-threaded-simd.js, with a pool of
 *       `threads - 1` workers, and init()'s cwraps), then `new BackendWasm(module)`.
 * 2. The threaded Emscripten module (node code path) does
 *        globalThis.Worker = require("worker_threads").Worker
 *    and spawns its pool with `new Worker(locateFile("...worker.js"))`, posting
 *    each a "load" message whose `urlOrBlob` is the factory's script. Deno's
 *    worker_threads take no `blob:` URL (TypeError [ERR_WORKER_PATH]), which is
 *    what tfjs's own locateFile gives.
 *    -> Both are real temporary files: the worker source that tfjs ships
 *       (`wasmWorkerContents`) and the factory with Duel's pool size; while the
 *       backend is being created, worker_threads.Worker is a subclass that also
 *       maps any `blob:` path to the worker file and any "load" message's
 *       `urlOrBlob` to the factory file.
 * 3. The worker source assigns `self`, `location`, `postMessage`, `Worker`,
 *    `performance`, `importScripts` on the global object (Object.assign(global,…))
 *    and then sets `self.onmessage` / `self.onunhandledrejection`. In a Deno
 *    worker self, location, onmessage and onunhandledrejection are accessors
 *    (of Deno's web worker scope): assigning them can fail or install *web*
 *    event handlers (which could double-dispatch messages already delivered
 *    via parentPort). A prelude in the generated .cjs redefines all of them as
 *    plain writable data properties (keeping the current values).
 * 4. tfjs' C++ caps the pool at `emscripten_num_logical_cores() / 2`, computed in
 *    a static initializer from os.cpus().length in the node code path (=1 on a
 *    2-core machine). We patch os.cpus() to report 16 logical cores while the
 *    module instantiates (so the cap becomes 8 = tfjs' max), then restore it.
 *    The actual count is then chosen with tfjs' own setThreadsCount(n).
 * 5. Emscripten calls worker.ref() while a pthread runs; XNNPACK's pool threads
 *    run forever, so the process would never exit. The Worker subclass unrefs
 *    itself and makes ref() a no-op, so the workers never keep Deno alive.
 *
 * The stock "wasm" backend is left untouched; the threaded one is registered
 * under a separate name ("wasm-threaded" by default) with the wasm kernels
 * copied to it (tf.getKernelsForBackend("wasm") -> tf.registerKernel).
 * This works because tf.setBackend() re-runs every kernel's setupFunc (the wasm
 * kernels bind their cwrap'd functions to the *active* module in setupFunc).
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import * as tfwasm from "../deps/tfjs_backend_wasm.ts";
// Shipped worker script (same string tfjs turns into a blob: URL).
import { threadedWorker as workerMod } from "../deps/tfjs_wasm_threaded.ts";
// The un-bundled Emscripten factory for the threaded SIMD build, with Duel's pool size
// (what the main thread and every pthread worker evaluate).
import { threadedFactorySource, threadedModule } from "./threaded_factory.ts";
import workerThreads from "node:worker_threads";
import os from "node:os";
import { releaseRustKernels } from "./rust/bound.ts";
import fs from "node:fs";
import path from "node:path";

/** The name the threaded backend is registered under. */
export const THREADED_BACKEND_NAME = "wasm-threaded";

// deno-lint-ignore no-explicit-any
type Any = any;

/**
 * Writes the worker script and the factory script to a fresh temp dir.
 * The files are only needed while the pool's pthread workers start (the module's
 * init promise resolves only after every pool worker has evaluated both files),
 * so the caller deletes the dir right after the backend is created.
 */
function writeWorkerFiles(factorySource: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tfjs-wasm-threads-"));
  const contents: string = (workerMod as Any).wasmWorkerContents ??
    (workerMod as Any).default?.wasmWorkerContents;
  if (typeof contents !== "string") {
    throw new Error("wasmWorkerContents not found in tfjs-backend-wasm package");
  }
  // Make the globals the Emscripten worker assigns plain writable data
  // properties (keep their current values).
  const prelude = `"use strict";
for (const n of ["self","location","postMessage","Worker","performance",
                 "importScripts","onmessage","onunhandledrejection"]) {
  const v = n === "self" ? globalThis : globalThis[n];
  Object.defineProperty(globalThis, n,
    {value: v, writable: true, configurable: true, enumerable: true});
}
`;
  const workerFile = path.join(dir, "tfjs-backend-wasm-threaded-simd.worker.cjs");
  // The contents came out of a template literal, so "\n" escapes inside its
  // string literals became real newlines: escape them back (tfjs does the same).
  fs.writeFileSync(workerFile, prelude + contents.replace(/\n/g, "\\n"));
  const factoryFile = path.join(dir, "tfjs-backend-wasm-threaded-simd.js");
  // Same thing tfjs puts in its mainScriptUrlOrBlob Blob, but from the
  // un-bundled wasm-out factory (self-contained, uses require("fs") etc.).
  fs.writeFileSync(
    factoryFile,
    "var WasmBackendModuleThreadedSimd = " + factorySource + ";\n",
  );
  return { dir, workerFile, factoryFile };
}

const OrigWorker = workerThreads.Worker;

/** worker_threads.Worker that understands what Emscripten/tfjs give it. */
function makeWorkerClass(workerFile: string, factoryFile: string) {
  return class PthreadWorker extends OrigWorker {
    constructor(filename: string | URL, options?: Any) {
      const f = String(filename);
      if (f.startsWith("blob:")) {
        URL.revokeObjectURL(f); // tfjs creates one blob URL per worker
        filename = workerFile;
      }
      super(filename, options);
      // Never keep the process alive (XNNPACK pool threads never finish).
      super.unref();
    }
    override ref() {/* no-op: see unref above */}
    override postMessage(msg: Any, transfer?: Any) {
      if (msg && msg.cmd === "load") {
        msg = { ...msg, urlOrBlob: factoryFile };
      }
      return super.postMessage(msg, transfer);
    }
  };
}

// name -> BackendWasm instance created by useThreadedWasm()
const threadedBackends = new Map<string, Any>();

/** Copy every kernel registered for "wasm" to `name` (once). */
function copyWasmKernels(name: string) {
  if (tf.getKernelsForBackend(name).length > 0) return;
  for (const k of tf.getKernelsForBackend("wasm")) {
    tf.registerKernel({ ...k, backendName: name });
  }
}

/** Creates a BackendWasm instance from the threaded SIMD build, XNNPACK on `threads` threads. */
async function createThreadedBackend(threads: number): Promise<Any> {
  if (!(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"))) {
    throw new Error("WebAssembly SIMD not supported by this runtime");
  }
  // XNNPACK's pool of `threads` runs on the caller and `threads - 1` pthreads. The module's
  // start waits for its pool to load, and never resolved here with none: one worker at least.
  const source = threadedFactorySource(Math.max(1, threads - 1));
  const { dir, workerFile, factoryFile } = writeWorkerFiles(source);
  const globalWorkerDesc = Object.getOwnPropertyDescriptor(globalThis, "Worker");
  const origCpus = os.cpus;

  // -- temporary patches (all restored in finally) --
  (workerThreads as Any).Worker = makeWorkerClass(workerFile, factoryFile);
  (os as Any).cpus = () => {
    const c = origCpus.call(os);
    while (c.length < 16) c.push(c[0] ?? ({} as Any));
    return c;
  };
  tfwasm.setThreadsCount(threads);
  // The workers are unref'd (below), so nothing would keep the event loop alive while the
  // module waits for them to load: a timer does, until the backend is ready.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    // What tfjs's registered factory does (init() + new BackendWasm(module)), with a
    // pool of `threads - 1` workers; the constructor calls init_with_threads_count(threads).
    return new tfwasm.BackendWasm(await threadedModule(source, workerFile, factoryFile));
  } finally {
    clearInterval(keepAlive);
    (os as Any).cpus = origCpus;
    (workerThreads as Any).Worker = OrigWorker;
    // The Emscripten module overwrote globalThis.Worker with worker_threads'
    // Worker; give Deno's web Worker back. (The pool's workers are already
    // created at this point, so Emscripten does not need it any more.)
    if (globalWorkerDesc) Object.defineProperty(globalThis, "Worker", globalWorkerDesc);
    tfwasm.setThreadsCount(-1);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Terminates the pthread workers of the threaded backend `name` and
 * unregisters it (tensors still stored on it become unusable). Switch back to
 * the stock backend with `await tf.setBackend("wasm")`.
 */
export function disposeThreadedWasm(name: string = THREADED_BACKEND_NAME): void {
  const backend = threadedBackends.get(name);
  threadedBackends.delete(name);
  if (backend) releaseRustKernels(backend); // Duel's kernel threads on its memory
  if (tf.findBackendFactory(name) !== null && tf.findBackendFactory(name) !== undefined) {
    // removeBackend() calls BackendWasm.dispose() -> PThread.terminateAllThreads()
    // if the engine had initialized it; otherwise dispose it ourselves.
    const initialized = tf.engine().registry[name] !== undefined &&
      tf.engine().registry[name] !== null;
    tf.removeBackend(name);
    if (!initialized && backend) backend.dispose();
  } else if (backend) {
    backend.dispose();
  }
}

/**
 * Makes a threaded wasm backend (threaded SIMD build, `threads` threads for
 * Duel's Rust kernels, `builtinThreads` for tfjs-wasm's own: XNNPACK's pool) the
 * active tfjs backend, registered as `name` (default "wasm-threaded"). A
 * previous threaded backend of the same name is disposed first (tensors still
 * stored on it become unusable); several names can coexist, each with its own workers.
 * The stock "wasm" backend stays registered (and, if already initialized,
 * alive) and can be re-activated with `await tf.setBackend("wasm")`; tfjs
 * moves tensors between backends on first use. Not re-entrant: await each call.
 * Note: resets tfjs-backend-wasm's global setThreadsCount() value to -1.
 */
export async function useThreadedWasm(
  threads: number,
  name: string = THREADED_BACKEND_NAME,
  builtinThreads: number = threads,
): Promise<{ threads: number; builtinThreads: number }> {
  for (const [what, n] of [["threads", threads], ["builtinThreads", builtinThreads]] as const) {
    if (!Number.isInteger(n) || n < 1 || n > 8) {
      throw new Error(`${what} must be an integer in [1, 8]`);
    }
  }
  if (name === "wasm") throw new Error("'wasm' is the stock backend's name");
  disposeThreadedWasm(name);
  const backend = await createThreadedBackend(builtinThreads);
  backend.duelThreads = threads;
  threadedBackends.set(name, backend);
  copyWasmKernels(name);
  tf.registerBackend(name, () => backend, 0);
  if (!(await tf.setBackend(name))) {
    throw new Error("could not activate " + name);
  }
  const actual: number = backend.wasm.tfjs.getThreadsCount();
  if (actual !== builtinThreads) {
    throw new Error(`requested ${builtinThreads} threads, XNNPACK pool has ${actual}`);
  }
  return { threads, builtinThreads: actual };
}
