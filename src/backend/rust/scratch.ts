/**
 * One WebAssembly memory of Duel's own, apart from tfjs's, where the kernels
 * that work on plain arrays run (the metrics': `kde.ts`, `distances.ts`,
 * `proxy_conv.ts`): grown as a call needs, and shared by every call, so what
 * one call leaves there lasts only until the next.
 * @module
 */
import type { RustKernels } from "./abi.ts";
import { rustKernels } from "./loader.ts";

let memory: WebAssembly.Memory | undefined;

/** The scratch memory's kernels and its buffer, at least `bytes` long (views made before are stale after a grow). */
export interface Scratch {
  /** The kernels instantiated on the scratch memory: pointers are byte offsets into `buffer`. */
  readonly kernels: RustKernels;
  /** The memory's buffer, at least the bytes asked for. */
  readonly buffer: ArrayBuffer;
}

/**
 * The scratch memory grown to at least `bytes` and its kernels (the module must be loaded, see
 * `rustKernelsLoaded`).
 */
export function scratch(bytes: number): Scratch {
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  if (!memory) memory = new WebAssembly.Memory({ initial: pages });
  else if (memory.buffer.byteLength < pages * 65536) {
    memory.grow(pages - memory.buffer.byteLength / 65536);
  }
  return { kernels: rustKernels(memory), buffer: memory.buffer as ArrayBuffer };
}
