/**
 * What Duel's kernels use of a tfjs wasm backend (stock or threaded build),
 * typed once: its memory and allocator, where a tensor lives in it, outputs,
 * and freeing or sharing a tensor's data. Every kernel module (the Rust
 * kernels in `rust/`, the replacements in `kernels.ts`, `wasm_ops.ts`) takes
 * the backend through {@link wasmBackendOf}.
 * @module
 */
import type * as tf from "../deps/tfjs_core.ts";

/** A tfjs kernel function. */
export type KernelFunc = tf.KernelFunc;
/** The arguments tfjs hands a kernel function. */
export type KernelArgs = Parameters<KernelFunc>[0];
/** A kernel's input or output: shape, dtype and the backend's data id. */
export type Info = tf.TensorInfo;

/** The parts of tfjs-backend-wasm's `BackendWasm` Duel's kernels touch. */
export interface WasmBackend {
  /** Per tensor data: where it lives in the memory. */
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  /** Allocates an output tensor. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** Frees a tensor's data (drops one reference). */
  disposeData(dataId: unknown): void;
  /** Adds a reference to a tensor's data (a second tensor shares it). */
  incRef(dataId: unknown): void;
  /**
   * Threads Duel's Rust kernels split over on this backend (`useThreadedWasm` sets it; tfjs's
   * own kernels may have fewer, see there); unset: XNNPACK's pool's count.
   */
  duelThreads?: number;
  /** The Emscripten module. */
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    tfjs: { getThreadsCount?(): number };
  };
}

/**
 * The backend of a kernel call (or a backend object), typed.
 *
 * Inside Duel it is used as `const backend = wasmBackendOf(args);`; `const out =
 * backend.makeOutput([2, 2], "float32");`.
 */
export function wasmBackendOf(args: { backend: unknown }): WasmBackend {
  return args.backend as WasmBackend;
}

/**
 * The backend's memory (throws when it cannot be found).
 *
 * Inside Duel it is used as `const floats = new Float32Array(memoryOf(backend).buffer,
 * offsetOf(backend, t), size);`.
 */
export function memoryOf(backend: WasmBackend): WebAssembly.Memory {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!memory) {
    throw new Error(
      "rust kernels: cannot find the wasm backend's memory (wasm.wasmMemory or wasm.asm.memory)",
    );
  }
  return memory;
}

/**
 * Byte offset of a tensor's data in the backend's memory.
 *
 * Inside Duel it is used as `kernels.relu_f32(offsetOf(backend, x), offsetOf(backend, out),
 * size);`.
 */
export function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
