/**
 * The KDE's kernel values (src/metrics/kde_density.ts): per sample, its Gaussian kernel at
 * every grid point of each axis, in JavaScript with `Math.exp` (the bits of the density
 * depend on it, so it stays JavaScript's), on a memory given as a buffer, so that the
 * kernel threads (`kernel_threads.ts`) can share the samples out as they share a kernel's
 * rows: a part is a range of samples, and each value depends on its own sample only.
 * @module
 */

/** Kernel values on the x axis below this are left out (set to +0). */
const KDE_CUT = 1e-12;
/** `exp(t) < KDE_CUT` for every `t` below this (ln 1e-12 = -27.63), so exp is not needed there. */
const CUT_EXPONENT = -28;

/**
 * {@link kdeValues}' arguments after the buffer and before the part: where the samples, the
 * grid points and the values are (byte offsets), the grid's sizes (`nx`, `ny`, padded to
 * `rows`, `cols`) and the bandwidth `h`.
 */
export type KdeValuesArgs = [
  samples: number,
  xs: number,
  ys: number,
  nx: number,
  ny: number,
  rows: number,
  cols: number,
  h: number,
  gx: number,
  gy: number,
];

/**
 * The kernel values of the samples `lo..hi`, in `buffer` (byte offsets, every one a
 * multiple of 8, into doubles): sample `s` at `samples + 16 s` (x, then y), the grid
 * points `xs` (`nx` of them) and `ys` (`ny`). Sample `s`'s x-values go to
 * `gx + 8 (s rows + i)`, `i < nx`, and its y-values to `gy + 8 (s cols + j)`, `j < ny`:
 * `exp(-0.5 ((grid - p) / h)^2)`, an x-value below {@link KDE_CUT} set to +0. A
 * sample whose x-values are all +0 gets y-values of +0 too, so that it adds nothing
 * even where a y-value would be NaN (the loop over samples leaves it out). The padding
 * past `nx` and `ny` is not written. `work` is unused (a part's signature).
 *
 * Inside Duel it is used as a kernel-thread job, `threads.run("kde_values", [samples, xs,
 * ys, nx, ny, rows, cols, h, gx, gy], bounds)`, or called directly with `work = 0`.
 */
export function kdeValues(
  buffer: ArrayBufferLike,
  ...args: [...KdeValuesArgs, work: number, lo: number, hi: number]
): void {
  const [samples, xs, ys, nx, ny, rows, cols, h, gx, gy, , lo, hi] = args;
  const f = new Float64Array(buffer);
  const p = new Float64Array(buffer, samples, 2 * hi);
  const gridX = new Float64Array(buffer, xs, nx), gridY = new Float64Array(buffer, ys, ny);
  for (let s = lo; s < hi; s++) {
    const px = p[2 * s], py = p[2 * s + 1];
    const x = gx / 8 + s * rows, y = gy / 8 + s * cols;
    let kept = false;
    for (let i = 0; i < nx; i++) {
      const t = -0.5 * ((gridX[i] - px) / h) ** 2;
      const g = t < CUT_EXPONENT ? 0 : Math.exp(t);
      const v = g < KDE_CUT ? 0 : g;
      f[x + i] = v;
      kept ||= v !== 0;
    }
    if (!kept) f.fill(0, y, y + ny);
    else for (let j = 0; j < ny; j++) f[y + j] = Math.exp(-0.5 * ((gridY[j] - py) / h) ** 2);
  }
}
