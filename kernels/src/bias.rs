//! A bias per channel added to a channels-last tensor (`rows × cols`, one
//! column per channel): every conv layer's `add(y, bias)`, which tfjs-wasm runs
//! through its broadcasting loop (~0.28 ms on a `[64, 14, 14, 64]` batch, about
//! twice this kernel's time on one thread).

use crate::rows::each_row;
use core::arch::wasm32::*;

/// `out[i][j] = x[i][j] + b[j]` over a row-major `rows × cols` x.
pub unsafe fn bias_add(x: *const f32, b: *const f32, out: *mut f32, rows: usize, cols: usize) {
    let at = |i: usize, j: usize| i * cols + j;
    let four = |i: usize, j: usize| {
        let s = f32x4_add(
            v128_load(x.add(at(i, j)) as *const v128),
            v128_load(b.add(j) as *const v128),
        );
        v128_store(out.add(at(i, j)) as *mut v128, s);
    };
    each_row(rows, cols, four, |i, j| *out.add(at(i, j)) = *x.add(at(i, j)) + *b.add(j));
}

/// Scalar reference of [`bias_add`].
pub unsafe fn bias_add_ref(x: *const f32, b: *const f32, out: *mut f32, rows: usize, cols: usize) {
    for i in 0..rows {
        for j in 0..cols {
            *out.add(i * cols + j) = *x.add(i * cols + j) + *b.add(j);
        }
    }
}

kernel!(
    /// A bias per column: `out[i][j] = x[i][j] + b[j]` over a row-major `rows × cols` x
    /// (tfjs's `add(x, b)` with `b` of shape `[cols]`, same bits).
    ///
    /// # Safety
    /// `x` and `out` are valid for `rows * cols` floats (they may be the same), `b` for `cols`.
    bias_add_f32, bias_add_f32_ref(x: *const f32, b: *const f32, out: *mut f32, rows: u32, cols: u32)
        => bias_add, bias_add_ref(x, b, out, rows as usize, cols as usize)
);

/// `bias_add_f32` on rows `lo..hi`: one part of a call split over the kernel threads
/// (`work` unused).
///
/// # Safety
/// As `bias_add_f32`, `lo <= hi <= rows`.
#[no_mangle]
pub unsafe extern "C" fn bias_add_f32_part(
    x: *const f32,
    b: *const f32,
    out: *mut f32,
    cols: u32,
    _work: *mut f32,
    lo: u32,
    hi: u32,
) {
    let at = lo as usize * cols as usize;
    bias_add(x.add(at), b, out.add(at), (hi - lo) as usize, cols as usize)
}
