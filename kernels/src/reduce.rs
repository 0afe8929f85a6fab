//! Sums over leading axes (every bias gradient): tfjs-wasm transposes the
//! reduced axes innermost first; column sums in row order give its bits
//! without the transpose.

use core::arch::wasm32::*;

/// `out[j] = 0 + x[0][j] + x[1][j] + ...` for a row-major `rows × cols` x: each
/// column summed in row order from 0 (tfjs-wasm's order after its transpose).
pub unsafe fn sum_rows(x: *const f32, out: *mut f32, rows: usize, cols: usize) {
    for j in 0..cols {
        *out.add(j) = 0.0;
    }
    for i in 0..rows {
        let row = x.add(i * cols);
        let mut j = 0;
        while j + 4 <= cols {
            let o = out.add(j) as *mut v128;
            v128_store(o, f32x4_add(v128_load(o), v128_load(row.add(j) as *const v128)));
            j += 4;
        }
        while j < cols {
            *out.add(j) += *row.add(j);
            j += 1;
        }
    }
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
