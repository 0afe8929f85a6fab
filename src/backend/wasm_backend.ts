/**
 * What Duel's Rust kernels use of a tfjs wasm backend (stock or threaded
 * build), typed once: its memory, where a tensor lives in it, outputs.
 * @module
 */
import type * as tf from "@tensorflow/tfjs-core";
import { rustKernels } from "./rust_kernels.ts";

/** The parts of tfjs-backend-wasm's `BackendWasm` the Rust kernels touch. */
export interface WasmBackend {
  /** Per tensor data: where it lives in the memory. */
  dataIdMap: { get(dataId: unknown): { memoryOffset: number } };
  /** Allocates an output tensor. */
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** The Emscripten module. */
  wasm: {
    asm?: { memory?: WebAssembly.Memory };
    wasmMemory?: WebAssembly.Memory;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
  };
}

/** The backend of a kernel call, typed. */
export function wasmBackendOf(args: { backend: unknown }): WasmBackend {
  return args.backend as WasmBackend;
}

/** The backend's memory (throws when it cannot be found). */
export function memoryOf(backend: WasmBackend): WebAssembly.Memory {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (!memory) throw new Error("rust kernels: cannot find the wasm backend's memory");
  return memory;
}

/**
 * Duel's Rust kernels instantiated on the backend's memory, typed as `T`
 * (each kernel module declares the exports it uses).
 */
export function kernelsOn<T>(backend: WasmBackend): T {
  return rustKernels(memoryOf(backend)) as unknown as T;
}

/** Byte offset of a tensor's data in the backend's memory. */
export function offsetOf(backend: WasmBackend, t: tf.TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).memoryOffset;
}
