/**
 * Squared distances between two sets of vectors (src/metrics/distances.ts) on
 * Duel's Rust kernel `sqdist_f64` (kernels/src/distances.rs) in the scratch
 * memory (`scratch.ts`): the same sums in the same order as the JavaScript
 * loop there, so both give the same bits.
 * @module
 */
import { scratch } from "./scratch.ts";

/**
 * Calls `onBlock` with consecutive blocks of the squared distances between the rows of `a` and
 * those of `b` (row-major, `dim` columns), at most `blockRows` rows of `a` a block, row `start +
 * r` of `a` against row `j` of `b` at `r * nb + j`: `b` is written to the scratch memory once, as
 * pairs of rows interleaved, each block of `a` as doubles, and the kernel's output copied into a
 * block reused between calls. `onBlock` must not run kernels in the scratch memory itself.
 */
export function squaredDistanceBlocksRust(
  a: Float32Array,
  b: Float32Array,
  dim: number,
  onBlock: (start: number, rows: number, block: Float32Array) => void,
  blockRows: number,
): void {
  const na = a.length / dim, nb = b.length / dim, pairs = Math.ceil(nb / 2);
  const most = Math.min(blockRows, na);
  const bBytes = 16 * pairs * dim, aBytes = 8 * most * dim;
  const { kernels, buffer } = scratch(bBytes + aBytes + 4 * most * nb);
  const packed = new Float64Array(buffer, 0, 2 * pairs * dim);
  for (let j = 0; j < nb; j++) {
    const at = 2 * (j >> 1) * dim + (j & 1);
    for (let k = 0; k < dim; k++) packed[at + 2 * k] = b[j * dim + k];
  }
  // An odd last row's partner: finite values, whose distances are never stored.
  if (nb % 2) { for (let k = 0; k < dim; k++) packed[2 * (pairs - 1) * dim + 2 * k + 1] = 0; }
  const rowsOf = new Float64Array(buffer, bBytes, most * dim);
  const out = new Float32Array(buffer, bBytes + aBytes, most * nb);
  const block = new Float32Array(most * nb);
  for (let start = 0; start < na; start += blockRows) {
    const rows = Math.min(blockRows, na - start);
    rowsOf.set(a.subarray(start * dim, (start + rows) * dim));
    kernels.sqdist_f64(bBytes + aBytes, bBytes, 0, rows, nb, dim);
    block.set(out.subarray(0, rows * nb));
    onBlock(start, rows, block);
  }
}
