/**
 * Runs Duel's Rust kernels on a fresh memory, for conformance tests that
 * compare a kernel with its scalar reference word for word.
 * @module
 */
import { rustKernels } from "../src/backend/rust/loader.ts";
import { Rng } from "../src/rng.ts";

/** What fills the memory before a call: a NaN pattern, so unwritten outputs show. */
export const SENTINEL = 0x7fc0dead;

/** `n` seeded standard normals. */
export function normals(n: number, stream: string, seed = 3): Float32Array {
  const x = new Float32Array(n);
  Rng.derive(seed, stream).fillNormal(x);
  return x;
}

/**
 * Runs `call` on a fresh memory holding `inputs` (in order, from byte 64, 16
 * bytes apart) and `outFloats` more floats after them; `ptrs` are the inputs'
 * byte offsets and then the free space's. Returns every word up to the end of
 * the free space plus a margin, so a write out of bounds shows too.
 */
export function onMemory<K>(
  inputs: Float32Array[],
  call: (k: K, ptrs: number[]) => void,
  outFloats = 16384,
): Uint32Array {
  const floats = inputs.reduce((n, x) => n + x.length + 4, 16) + outFloats + 4096;
  const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) });
  new Uint32Array(memory.buffer).fill(SENTINEL);
  let top = 64;
  const ptrs = [...inputs, new Float32Array(0)].map((x) => {
    new Float32Array(memory.buffer, top, x.length).set(x);
    const at = top;
    top += x.length * 4 + 16;
    return at;
  });
  call(rustKernels(memory) as unknown as K, ptrs);
  return new Uint32Array(memory.buffer).slice(0, top / 4 + outFloats + 4096);
}
