/**
 * What a kernel replacement of the wasm backend is (`KERNEL_FIXES` in
 * `kernels.ts`, `STREAM_FIXES` in `stream_fixes.ts`).
 * @module
 */
import type { KernelFunc } from "./wasm_backend.ts";

/** One replacement: which built-in kernel it wraps and how. */
export interface KernelFix {
  /** One line for the README and benchmarks. */
  readonly doc: string;
  /** The tfjs kernel it replaces on the `wasm` backend. */
  readonly kernelName: string;
  /** Builds the replacement from the built-in (absent when tfjs-backend-wasm lacks the kernel). */
  wrap(builtin?: KernelFunc): KernelFunc;
  /** Whether `useBackend` turns it on here (absent: always). */
  available?(): boolean;
}
