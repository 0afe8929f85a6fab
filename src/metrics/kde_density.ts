/**
 * The smoothed density of 2-D samples on a grid, for the KDE divergences
 * (kde.ts): the sum over samples of gx[i] * gy[j], each sample's Gaussian
 * kernel at grid point (xs[i], ys[j]), normalised, with x-kernel values below
 * 1e-12 left out.
 *
 * Fast and exact: every cell adds its products in sample order, as a loop over
 * samples adding each one's products cell by cell does, so the result is the
 * same to the last bit (tests/kde_test.ts checks it against that loop, kept in
 * tests/_kde_reference.ts). The kernel values of a chunk of samples are
 * computed first (with Math.exp, as before: the bits depend on it;
 * src/backend/rust/kde_values.ts), then one call of the Rust kernel
 * `kde_sums_f64` adds the chunk to every cell, keeping 4 x 4 cells in registers
 * across a block of samples. Where the threaded wasm backend is active, both
 * steps are shared out to its kernel threads, the values by samples and the
 * sums by grid rows (src/backend/rust/kde.ts), with the same bits.
 *
 * Why leaving out becomes adding +0: an x-value below the cut is set to +0, so
 * its products are +0 (every kernel value lies in [0, 1]), and adding +0 to a
 * sum of non-negative terms leaves it unchanged. A NaN kernel value (NaN or
 * infinite samples or bandwidth) would turn 0 * NaN into NaN where the loop
 * skipped it; a sample whose x-values are all cut therefore gets y-values of
 * +0 as well, so that it adds +0 everywhere, and any other sample with a NaN
 * y-value already gives the loop a NaN cell, and one NaN cell makes its whole
 * normalised density NaN.
 * @module
 */
import { KDE_TILE, kdeSpace } from "../backend/rust/kde.ts";

/** Samples whose kernel values are held at once (2 x 256 x 100 doubles: 400 KiB). */
const CHUNK = 256;

/**
 * The normalised density of `samples` (row-major `[n, 2]`) on the grid
 * `xs` x `ys` (row-major `[xs.length, ys.length]`) with bandwidth `h`, plus a
 * floor of 1e-12 per cell. `rust`: whether the sums run on the Rust kernel
 * (default: where the kernels are loaded; on the kernel threads too when the threaded
 * wasm backend is active) or in JavaScript, same bits.
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
  // An odd length's last sample has y undefined (NaN), as the loop over samples reads it.
  const n = Math.ceil(samples.length / 2), chunk = Math.min(CHUNK, n);
  // The sums, the grid, a chunk's samples, then their kernel values, sample-major.
  const gridX = rows * cols, gridY = gridX + nx, at = gridY + ny;
  const gx = at + 2 * chunk, gy = gx + chunk * rows;
  const space = kdeSpace(gy + chunk * cols, rust), f = space.f64;
  try {
    f.set(xs, gridX);
    f.set(ys, gridY);
    for (let first = 0; first < n; first += chunk) {
      const count = Math.min(chunk, n - first);
      for (let i = 0; i < 2 * count; i++) f[at + i] = samples[2 * first + i];
      space.values(at, gridX, gridY, nx, ny, rows, cols, h, gx, gy, count);
      space.sums(0, gx, gy, rows, cols, count);
    }
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
  } finally {
    space.free();
  }
}
