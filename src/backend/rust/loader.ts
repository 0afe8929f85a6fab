/**
 * Loads Duel's Rust kernels (kernels/duel_kernels.wasm): reads and checks the
 * committed module once (`assertZeroCopySafe`), compiles it for a plain and a
 * shared memory (tfjs's threaded build), and instantiates it once per memory,
 * importing that memory (zero-copy: the kernels read and write tensors where
 * tfjs keeps them). Typed by the export table (`abi.ts`).
 *
 * The module is found beside this file, wherever Duel is loaded from: read
 * from disk for a `file:` import, fetched for `https:` / `http:` (a registry,
 * or a server) by {@link loadRustKernels}, which `useBackend` awaits.
 * @module
 */
import { assertZeroCopySafe, withSharedMemoryImport } from "../wasm_module.ts";
import { memoryOf, type WasmBackend } from "../wasm_backend.ts";
import type { RustKernels } from "./abi.ts";

/** The committed module (`deno task build:kernels`). */
const WASM_URL = new URL("../../../kernels/duel_kernels.wasm", import.meta.url);
/** Maximum pages of tfjs's threaded memory (4 GiB). */
const SHARED_MAX_PAGES = 65536;

let compiled: { plain: WebAssembly.Module; shared: WebAssembly.Module } | undefined;
const instances = new WeakMap<WebAssembly.Memory, RustKernels>();

function compile(bytes: Uint8Array<ArrayBuffer>, where: string): void {
  assertZeroCopySafe(bytes, where);
  compiled = {
    plain: new WebAssembly.Module(bytes),
    shared: new WebAssembly.Module(withSharedMemoryImport(bytes, SHARED_MAX_PAGES)),
  };
}

function modules(): { plain: WebAssembly.Module; shared: WebAssembly.Module } {
  if (!compiled) {
    if (WASM_URL.protocol !== "file:") {
      throw new Error(
        `rust kernels: ${WASM_URL.href} is not loaded yet (await loadRustKernels(), as useBackend does)`,
      );
    }
    compile(Deno.readFileSync(WASM_URL), WASM_URL.pathname);
  }
  return compiled!;
}

/**
 * Reads, checks and compiles the kernels module from wherever Duel was
 * loaded (a `file:` path, or `https:`/`http:` by fetch); once per process.
 * Synchronous callers on a `file:` import need not call it first.
 */
export async function loadRustKernels(): Promise<void> {
  if (compiled) return;
  if (WASM_URL.protocol === "file:") {
    compile(await Deno.readFile(WASM_URL), WASM_URL.pathname);
    return;
  }
  const response = await fetch(WASM_URL);
  if (!response.ok) {
    throw new Error(`rust kernels: ${WASM_URL.href}: ${response.status} ${response.statusText}`);
  }
  compile(new Uint8Array(await response.arrayBuffer()), WASM_URL.href);
}

/**
 * Whether the kernels module is compiled already (by `useBackend`, {@link loadRustKernels} or a
 * first {@link rustKernels}): code with a plain-JavaScript way of its own asks first, so that it
 * never reads a file or fails where Duel's backend was not set up.
 */
export function rustKernelsLoaded(): boolean {
  return compiled !== undefined;
}

/**
 * The kernels compiled for a shared memory (tfjs's threaded build), as kernel threads instantiate them.
 */
export function sharedKernelsModule(): WebAssembly.Module {
  return modules().shared;
}

/**
 * The kernels instantiated on `memory` (once per memory): every pointer they
 * take is a byte offset into it.
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

/**
 * The kernels instantiated on a tfjs wasm backend's memory.
 *
 * Inside Duel it is used as `kernelsOn(backend).relu_f32(offsetOf(backend, x), offsetOf(backend,
 * out), len);`.
 */
export function kernelsOn(backend: WasmBackend): RustKernels {
  return rustKernels(memoryOf(backend));
}
