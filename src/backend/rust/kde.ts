/**
 * The KDE's grid sums (src/metrics/kde_density.ts) on Duel's Rust kernels
 * (kernels/src/kde.rs, `kde_sums_f64`), in the scratch memory (`scratch.ts`), or in
 * plain JavaScript where the kernels are not loaded: the same sums in the same
 * order, so both give the same bits.
 * @module
 */
import { rustKernelsLoaded } from "./loader.ts";
import { scratch } from "./scratch.ts";

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

/**
 * At least `doubles` of zeroed scratch space with the sums on it: the Rust kernel when `rust`
 * (by default, where the kernels are loaded already), else the JavaScript loop. The Rust
 * kernel's space is the scratch memory (`scratch.ts`): use it before the next call.
 */
export function kdeScratch(doubles: number, rust = rustKernelsLoaded()): KdeScratch {
  if (!rust) {
    const f64 = new Float64Array(doubles);
    return { f64, sums: (s, x, y, rows, cols, count) => sumsJs(f64, s, x, y, rows, cols, count) };
  }
  const { kernels, buffer } = scratch(doubles * 8);
  const f64 = new Float64Array(buffer, 0, doubles).fill(0);
  return {
    f64,
    sums: (s, x, y, rows, cols, count) =>
      kernels.kde_sums_f64(8 * s, 8 * x, 8 * y, rows, cols, count),
  };
}

/**
 * The kernel's sums in JavaScript, in the same order: each 2 x 4 tile of cells in locals while
 * the block's samples are added to it (a loop over samples, then cells, measured slower).
 */
function sumsJs(
  f: Float64Array,
  sums: number,
  gx: number,
  gy: number,
  rows: number,
  cols: number,
  count: number,
): void {
  for (let i = 0; i < rows; i += 2) {
    for (let j = 0; j < cols; j += 4) {
      const c0 = sums + i * cols + j, c1 = c0 + cols;
      let s00 = f[c0], s01 = f[c0 + 1], s02 = f[c0 + 2], s03 = f[c0 + 3];
      let s10 = f[c1], s11 = f[c1 + 1], s12 = f[c1 + 2], s13 = f[c1 + 3];
      for (let k = 0, x = gx + i, y = gy + j; k < count; k++, x += rows, y += cols) {
        const a0 = f[x], a1 = f[x + 1];
        const b0 = f[y], b1 = f[y + 1], b2 = f[y + 2], b3 = f[y + 3];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s02 += a0 * b2;
        s03 += a0 * b3;
        s10 += a1 * b0;
        s11 += a1 * b1;
        s12 += a1 * b2;
        s13 += a1 * b3;
      }
      f[c0] = s00;
      f[c0 + 1] = s01;
      f[c0 + 2] = s02;
      f[c0 + 3] = s03;
      f[c1] = s10;
      f[c1 + 1] = s11;
      f[c1 + 2] = s12;
      f[c1 + 3] = s13;
    }
  }
}
