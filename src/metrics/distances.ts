/**
 * Exact pairwise squared Euclidean distances between two sets of row-major
 * vectors, computed block by block so that no full `[n, m]` matrix is held:
 * each block is `rows` rows of the first set against every row of the
 * second, as float32. Differences are summed directly (no
 * `|a|^2 + |b|^2 - 2 a.b` cancellation), in doubles, in column order: on
 * Duel's Rust kernel `sqdist_f64` where the kernels are loaded
 * (`src/backend/rust/distances.ts`), else in the JavaScript loop below, four
 * rows of the first set at a time; both give the same bits.
 * @module
 */
import { squaredDistanceBlocksRust } from "../backend/rust/distances.ts";
import { rustKernelsLoaded } from "../backend/rust/loader.ts";

/** Bytes of `b` as doubles above which the distances run in JavaScript. */
const SCRATCH_LIMIT = 2 ** 30;

/** A block of squared distances: rows `start .. start + rows - 1` of `a` against all of `b`. */
export type DistanceBlock = (start: number, rows: number, block: Float32Array) => void;

/**
 * Calls `onBlock` with consecutive blocks of the squared distances between
 * the rows of `a` and the rows of `b` (both row-major with `dim` columns).
 * Block `k` holds row `start + r` of `a` against row `j` of `b` at
 * `r * nb + j`; the buffer is reused between calls. `rust`: whether the
 * sums run on the Rust kernel (default: where the kernels are loaded) or in
 * JavaScript, same bits.
 */
export function squaredDistanceBlocks(
  a: Float32Array,
  b: Float32Array,
  dim: number,
  onBlock: DistanceBlock,
  blockRows = 64,
  rust = rustKernelsLoaded(),
): void {
  const na = a.length / dim, nb = b.length / dim;
  if (!Number.isInteger(na) || !Number.isInteger(nb)) {
    throw new Error(
      `squaredDistanceBlocks: lengths ${a.length}, ${b.length} are not rows of ${dim}`,
    );
  }
  // The kernel holds `b` as doubles in a 32-bit memory: a set past 1 GiB stays in JavaScript.
  if (rust && 8 * b.length < SCRATCH_LIMIT) {
    return squaredDistanceBlocksRust(a, b, dim, onBlock, blockRows);
  }
  const block = new Float32Array(Math.min(blockRows, na) * nb);
  for (let start = 0; start < na; start += blockRows) {
    const rows = Math.min(blockRows, na - start);
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const o0 = (start + r) * dim, o1 = o0 + dim, o2 = o1 + dim, o3 = o2 + dim;
      for (let j = 0; j < nb; j++) {
        const ob = j * dim;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (let k = 0; k < dim; k++) {
          const v = b[ob + k];
          const d0 = a[o0 + k] - v, d1 = a[o1 + k] - v, d2 = a[o2 + k] - v, d3 = a[o3 + k] - v;
          s0 += d0 * d0;
          s1 += d1 * d1;
          s2 += d2 * d2;
          s3 += d3 * d3;
        }
        block[r * nb + j] = s0;
        block[(r + 1) * nb + j] = s1;
        block[(r + 2) * nb + j] = s2;
        block[(r + 3) * nb + j] = s3;
      }
    }
    for (; r < rows; r++) {
      const o = (start + r) * dim;
      for (let j = 0; j < nb; j++) {
        const ob = j * dim;
        let s = 0;
        for (let k = 0; k < dim; k++) {
          const d = a[o + k] - b[ob + k];
          s += d * d;
        }
        block[r * nb + j] = s;
      }
    }
    onBlock(start, rows, block);
  }
}

/**
 * For every row of `x`, the squared distance to its k-th nearest other row,
 * for each k in `ks` (the row itself, at distance 0, is not counted; exact
 * duplicates count as neighbours at distance 0).
 */
export function kthNeighbourSquaredDistances(
  x: Float32Array,
  dim: number,
  ks: readonly number[],
): Float32Array[] {
  const n = x.length / dim;
  const kMax = Math.max(...ks);
  if (kMax >= n) throw new Error(`k-nearest neighbours: k = ${kMax} needs more than ${n} points`);
  const out = ks.map(() => new Float32Array(n));
  const best = new Float64Array(kMax + 1); // the kMax + 1 smallest, ascending, self included
  squaredDistanceBlocks(x, x, dim, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r;
      best.fill(Infinity);
      const row = r * n;
      for (let j = 0; j < n; j++) {
        // The row itself counts as distance 0 whatever rounding gave.
        const d = j === i ? 0 : block[row + j];
        if (d >= best[kMax]) continue;
        let p = kMax;
        while (p > 0 && best[p - 1] > d) {
          best[p] = best[p - 1];
          p--;
        }
        best[p] = d;
      }
      ks.forEach((k, t) => out[t][i] = best[k]);
    }
  });
  return out;
}
