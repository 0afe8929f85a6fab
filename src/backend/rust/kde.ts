/**
 * The KDE's grid sums (src/metrics/kde_density.ts) on Duel's Rust kernels
 * (kernels/src/kde.rs, `kde_sums_f64`), in a scratch memory of their own, or in
 * plain JavaScript where the kernels are not loaded: the kernel's scalar
 * reference loop, less the rows of a zero x-value (whose products, +0 where the
 * y-values are finite, leave the sums as they are), so both give the same bits.
 * @module
 */
import { rustKernels, rustKernelsLoaded } from "./loader.ts";

/** Rows and columns of `kde_sums_f64`'s tile: a grid's sides are padded to multiples of it. */
export const KDE_TILE = 4;

/** Doubles of scratch space and the sums kernel on them. */
export interface KdeScratch {
  /** The scratch space; offsets below are indices into it. */
  readonly f64: Float64Array;
  /**
   * `f64[sums + i * cols + j] += f64[gx + k * rows + i] * f64[gy + k * cols + j]` for every
   * cell, `k` in `0..count` in order; `rows` and `cols` multiples of {@link KDE_TILE}.
   */
  sums(sums: number, gx: number, gy: number, rows: number, cols: number, count: number): void;
}

let memory: WebAssembly.Memory | undefined;

/**
 * At least `doubles` of zeroed scratch space with the sums on it: the Rust kernel when `rust`
 * (by default, where the kernels are loaded already), else the JavaScript loop. The Rust
 * kernel's space is one memory, reused: use it before the next call.
 */
export function kdeScratch(doubles: number, rust = rustKernelsLoaded()): KdeScratch {
  if (!rust) {
    const f64 = new Float64Array(doubles);
    return { f64, sums: (s, x, y, rows, cols, count) => sumsJs(f64, s, x, y, rows, cols, count) };
  }
  const pages = Math.ceil((doubles * 8) / 65536);
  if (!memory) memory = new WebAssembly.Memory({ initial: pages });
  else if (memory.buffer.byteLength < pages * 65536) {
    memory.grow(pages - memory.buffer.byteLength / 65536);
  }
  const kernel = rustKernels(memory).kde_sums_f64;
  const f64 = new Float64Array(memory.buffer, 0, doubles).fill(0);
  return {
    f64,
    sums: (s, x, y, rows, cols, count) => kernel(8 * s, 8 * x, 8 * y, rows, cols, count),
  };
}

/** The kernel's loop in JavaScript: sample by sample, cell by cell, zero x-values skipped. */
function sumsJs(
  f: Float64Array,
  sums: number,
  gx: number,
  gy: number,
  rows: number,
  cols: number,
  count: number,
): void {
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < rows; i++) {
      const a = f[gx + k * rows + i], row = sums + i * cols, ys = gy + k * cols;
      if (a === 0) continue;
      for (let j = 0; j < cols; j++) f[row + j] += a * f[ys + j];
    }
  }
}
