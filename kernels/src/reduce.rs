//! Sums over leading axes (every bias gradient): tfjs-wasm transposes the
//! reduced axes innermost first; column sums in row order give its bits
//! without the transpose.

use core::arch::wasm32::*;

/// Adds to each `outs[o][j]` the terms of every row in row order:
/// `outs[o][j] += term(i, j)[o]` for `i = 0, 1, …` (lane `q` of `term(i, j)` is
/// column `j + q`; `scalar(i, j)` is column `j` alone, for the last `cols % 4`).
/// Eight rows at a time: each f32x4 of the outputs loaded once, the eight
/// rows' terms added in order, stored once. A running sum reloaded and stored
/// per row took 3-4 times as long; the rows stream in order, which summing a
/// column strip down all the rows in registers did not (20% slower than this
/// on a 50 MB x). Same operations in the same order as row by row: same bits.
#[inline(always)]
pub(crate) unsafe fn add_rows<const N: usize>(
    outs: [*mut f32; N],
    rows: usize,
    cols: usize,
    term: impl Fn(usize, usize) -> [v128; N],
    scalar: impl Fn(usize, usize) -> [f32; N],
) {
    let mut i = 0;
    while i < rows {
        let block = if rows - i < 8 { 1 } else { 8 };
        let mut j = 0;
        while j + 4 <= cols {
            let mut acc = outs.map(|o| v128_load(o.add(j) as *const v128));
            let mut add = |r: usize| {
                let t = term(r, j);
                for o in 0..N {
                    acc[o] = f32x4_add(acc[o], t[o]);
                }
            };
            if block == 8 {
                for r in 0..8 {
                    add(i + r);
                }
            } else {
                add(i);
            }
            for o in 0..N {
                v128_store(outs[o].add(j) as *mut v128, acc[o]);
            }
            j += 4;
        }
        while j < cols {
            for r in i..i + block {
                let t = scalar(r, j);
                for o in 0..N {
                    *outs[o].add(j) += t[o];
                }
            }
            j += 1;
        }
        i += block;
    }
}

/// `out[j] = 0 + x[0][j] + x[1][j] + ...` for a row-major `rows × cols` x: each
/// column summed in row order from 0 (tfjs-wasm's order after its transpose).
pub unsafe fn sum_rows(x: *const f32, out: *mut f32, rows: usize, cols: usize) {
    for j in 0..cols {
        *out.add(j) = 0.0;
    }
    let at = |i: usize, j: usize| x.add(i * cols + j);
    add_rows([out], rows, cols, |i, j| [v128_load(at(i, j) as *const v128)], |i, j| [*at(i, j)]);
}

/// Scalar reference of [`sum_rows`]: one column at a time.
pub unsafe fn sum_rows_ref(x: *const f32, out: *mut f32, rows: usize, cols: usize) {
    for j in 0..cols {
        let mut s = 0.0f32;
        for i in 0..rows {
            s += *x.add(i * cols + j);
        }
        *out.add(j) = s;
    }
}

kernel!(
    /// Column sums of a row-major `rows × cols` matrix (a sum over leading axes):
    /// `out[j] = 0 + x[0][j] + ... + x[rows-1][j]`, in row order.
    ///
    /// # Safety
    /// `x` is valid for `rows * cols` floats, `out` for `cols` and overlaps nothing.
    sum_rows_f32, sum_rows_f32_ref(x: *const f32, out: *mut f32, rows: u32, cols: u32)
        => sum_rows, sum_rows_ref(x, out, rows as usize, cols as usize)
);
