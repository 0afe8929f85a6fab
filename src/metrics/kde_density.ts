/**
 * The smoothed density of 2-D samples on a grid, for the KDE divergences
 * (kde.ts): the sum over samples of gx[i] * gy[j], each sample's Gaussian
 * kernel at grid point (xs[i], ys[j]), normalised, with x-kernel values below
 * 1e-12 left out.
 *
 * Fast and exact: every cell adds its products in sample order, as a loop over
 * samples adding each one's products cell by cell does, so the result is the
 * same to the last bit (tests/kde_test.ts checks it against that loop, kept in
 * tests/_kde_reference.ts). The kernel values of a block of samples are
 * computed first (with Math.exp, as before: the bits depend on it), then one
 * call of the Rust kernel `kde_sums_f64` (src/backend/rust/kde.ts) adds the
 * block to every cell, keeping 4 x 4 cells in registers across the block.
 *
 * Why leaving out becomes adding +0: an x-value below the cut is set to +0, so
 * its products are +0 (every kernel value lies in [0, 1]), and adding +0 to a
 * sum of non-negative terms leaves it unchanged. A NaN kernel value (NaN or
 * infinite samples or bandwidth) would turn 0 * NaN into NaN where the loop
 * skipped it; a sample whose x-values are all cut is therefore left out
 * altogether, and any other sample with a NaN y-value already gives the loop a
 * NaN cell, and one NaN cell makes its whole normalised density NaN.
 * @module
 */
import { KDE_TILE, kdeScratch } from "../backend/rust/kde.ts";

/** Samples whose kernel values are held at once (2 x 128 x 100 doubles: 200 KiB). */
const BLOCK = 128;
/** Kernel values below this on the x axis are left out. */
const CUT = 1e-12;
/** exp(t) < CUT for every t below this (ln 1e-12 = -27.63), so exp is not needed there. */
const CUT_EXPONENT = -28;

/**
 * The normalised density of `samples` (row-major `[n, 2]`) on the grid
 * `xs` x `ys` (row-major `[xs.length, ys.length]`) with bandwidth `h`, plus a
 * floor of 1e-12 per cell. `rust`: whether the sums run on the Rust kernel
 * (default: where the kernels are loaded) or in JavaScript, same bits.
 */
export function gridDensity(
  samples: Float32Array,
  xs: readonly number[],
  ys: readonly number[],
  h: number,
  rust?: boolean,
): Float64Array {
  const nx = xs.length, ny = ys.length;
  // The grid padded to whole tiles, with kernel values of 0.
  const rows = Math.ceil(nx / KDE_TILE) * KDE_TILE, cols = Math.ceil(ny / KDE_TILE) * KDE_TILE;
  // The sums, then the block's kernel values, sample-major: gx[k * rows + i] for its k-th sample.
  const gx = rows * cols, gy = gx + BLOCK * rows;
  const scratch = kdeScratch(gy + BLOCK * cols, rust), f = scratch.f64;
  const n = samples.length / 2;
  let k = 0;
  for (let s = 0; s < n; s++) {
    const px = samples[2 * s], py = samples[2 * s + 1];
    const x = gx + k * rows, y = gy + k * cols;
    let kept = false;
    for (let i = 0; i < nx; i++) {
      const t = -0.5 * ((xs[i] - px) / h) ** 2;
      const g = t < CUT_EXPONENT ? 0 : Math.exp(t);
      const v = g < CUT ? 0 : g;
      f[x + i] = v;
      kept ||= v !== 0;
    }
    if (!kept) continue;
    for (let j = 0; j < ny; j++) f[y + j] = Math.exp(-0.5 * ((ys[j] - py) / h) ** 2);
    if (++k === BLOCK) {
      scratch.sums(0, gx, gy, rows, cols, k);
      k = 0;
    }
  }
  if (k > 0) scratch.sums(0, gx, gy, rows, cols, k);
  const out = new Float64Array(nx * ny);
  let total = 0;
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      out[i * ny + j] = f[i * cols + j];
      total += f[i * cols + j];
    }
  }
  // A floor keeps log ratios finite where one set has no mass at all.
  for (let c = 0; c < out.length; c++) out[c] = out[c] / total + 1e-12;
  return out;
}
