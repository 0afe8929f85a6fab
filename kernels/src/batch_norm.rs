//! Batch normalisation over leading axes (channels last: a row-major
//! `rows × cols` x, one column per channel) as one kernel each way, instead of
//! tfjs's ~6 kernels forward and ~15 backward over the whole tensor.
//!
//! The forward pass runs tfjs's composite (`moments`, then
//! `(x - mean) * (rsqrt(var + eps) * gamma) + beta`) in the same f32 operations
//! and order: column sums in row order from 0 divided by `rows`, as tfjs-wasm's
//! `Mean`. So its bits are the composite's. The backward pass (`batch_norm/grad.rs`)
//! is the closed form `dx = (dy - Σdy / n - x̂ Σ(dy x̂) / n) · gamma / σ`,
//! `x̂ = (x - mean) / σ`. Each pass also runs in halves, for a call split over the
//! kernel threads: the statistics (every row of every column, in row order) on the
//! calling thread, then the output by rows in parts; the same operations, the same bits.
//!
//! The SIMD versions work on four columns at once and so keep every column's
//! order; their scalar tails call the same per-element functions as the
//! references, hence the same bits.

mod grad;

use crate::reduce::add_rows;
use crate::rows::each_row;
use core::arch::wasm32::*;

/// `1 / sqrt(var + eps)`, as tfjs's `rsqrt(add(var, eps))` (`no_std` has no
/// `f32::sqrt`; the lane-wise one is the same correctly rounded operation).
#[inline(always)]
pub(crate) fn inv_std(var: f32, eps: f32) -> f32 {
    1.0 / f32x4_extract_lane::<0>(f32x4_sqrt(f32x4_splat(var + eps)))
}

#[inline(always)]
pub(crate) unsafe fn ld(p: *const f32) -> v128 {
    v128_load(p as *const v128)
}

#[inline(always)]
pub(crate) unsafe fn st(p: *mut f32, v: v128) {
    v128_store(p as *mut v128, v)
}

/// Forward: `mean`, biased `var` and `y` (see the module doc); `scratch` holds
/// the `cols` scales `gamma / σ`.
pub unsafe fn batch_norm(
    x: *const f32,
    gamma: *const f32,
    beta: *const f32,
    y: *mut f32,
    mean: *mut f32,
    var: *mut f32,
    scratch: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    batch_norm_stats(x, gamma, mean, var, scratch, rows, cols, eps);
    batch_norm_apply(x, mean, scratch, beta, y, rows, cols);
}

/// The forward pass's statistics: `mean`, biased `var` and the scales `gamma / σ` in `scratch`.
pub unsafe fn batch_norm_stats(
    x: *const f32,
    gamma: *const f32,
    mean: *mut f32,
    var: *mut f32,
    scratch: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    let n = rows as f32;
    crate::reduce::sum_rows(x, mean, rows, cols);
    for j in 0..cols {
        *mean.add(j) /= n;
        *var.add(j) = 0.0;
    }
    let at = |i: usize, j: usize| x.add(i * cols + j);
    let square = |i: usize, j: usize| {
        let d = f32x4_sub(ld(at(i, j)), ld(mean.add(j)));
        [f32x4_mul(d, d)]
    };
    let square1 = |i: usize, j: usize| {
        let d = *at(i, j) - *mean.add(j);
        [d * d]
    };
    add_rows([var], rows, cols, square, square1);
    for j in 0..cols {
        *var.add(j) /= n;
        *scratch.add(j) = inv_std(*var.add(j), eps) * *gamma.add(j);
    }
}

/// The forward pass's output from its statistics, row by row: `y = (x - mean) · scale + beta`
/// (`scale` = `gamma / σ`, from [`batch_norm_stats`]); rows are independent.
pub unsafe fn batch_norm_apply(
    x: *const f32,
    mean: *const f32,
    scale: *const f32,
    beta: *const f32,
    y: *mut f32,
    rows: usize,
    cols: usize,
) {
    let at = |i: usize, j: usize| i * cols + j;
    let four = |i: usize, j: usize| {
        let d = f32x4_sub(ld(x.add(at(i, j))), ld(mean.add(j)));
        st(y.add(at(i, j)), f32x4_add(f32x4_mul(d, ld(scale.add(j))), ld(beta.add(j))));
    };
    let one = |i: usize, j: usize| {
        *y.add(at(i, j)) = (*x.add(at(i, j)) - *mean.add(j)) * *scale.add(j) + *beta.add(j);
    };
    each_row(rows, cols, four, one);
}

/// Scalar reference of [`batch_norm`]: one column at a time.
pub unsafe fn batch_norm_ref(
    x: *const f32,
    gamma: *const f32,
    beta: *const f32,
    y: *mut f32,
    mean: *mut f32,
    var: *mut f32,
    _scratch: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    let n = rows as f32;
    for j in 0..cols {
        let mut s = 0.0f32;
        for i in 0..rows {
            s += *x.add(i * cols + j);
        }
        let m = s / n;
        let mut v = 0.0f32;
        for i in 0..rows {
            let d = *x.add(i * cols + j) - m;
            v += d * d;
        }
        let v = v / n;
        let scale = inv_std(v, eps) * *gamma.add(j);
        for i in 0..rows {
            *y.add(i * cols + j) = (*x.add(i * cols + j) - m) * scale + *beta.add(j);
        }
        *mean.add(j) = m;
        *var.add(j) = v;
    }
}

kernel!(
    /// Batch norm's forward pass over a row-major `rows × cols` x (one column per
    /// channel): `mean`, biased `var` and `y = (x - mean) · (gamma / sqrt(var + eps)) + beta`,
    /// in the f32 operations and order of tfjs's composite (`moments`, `sub`, `mul`,
    /// `add`: same bits on tfjs-wasm).
    ///
    /// # Safety
    /// `x` and `y` are valid for `rows * cols` floats, `gamma`, `beta`, `mean`, `var` and
    /// `scratch` for `cols`; the outputs and `scratch` overlap nothing.
    batch_norm_f32, batch_norm_f32_ref(
        x: *const f32,
        gamma: *const f32,
        beta: *const f32,
        y: *mut f32,
        mean: *mut f32,
        var: *mut f32,
        scratch: *mut f32,
        rows: u32,
        cols: u32,
        eps: f32,
    ) => batch_norm, batch_norm_ref(x, gamma, beta, y, mean, var, scratch, rows as usize, cols as usize, eps)
);

/// The first half of `batch_norm_f32`: `mean`, biased `var`, and the scales `gamma / σ` in
/// `scratch` (`cols` floats), for `batch_norm_apply_f32_part` to finish in parts.
///
/// # Safety
/// As `batch_norm_f32`.
#[no_mangle]
pub unsafe extern "C" fn batch_norm_stats_f32(
    x: *const f32,
    gamma: *const f32,
    mean: *mut f32,
    var: *mut f32,
    scratch: *mut f32,
    rows: u32,
    cols: u32,
    eps: f32,
) {
    batch_norm_stats(x, gamma, mean, var, scratch, rows as usize, cols as usize, eps)
}

/// The second half of `batch_norm_f32` on rows `lo..hi`: `y` from `batch_norm_stats_f32`'s
/// `mean` and `scratch`; one part of a call split over the kernel threads (`work` unused).
///
/// # Safety
/// As `batch_norm_f32`, `lo <= hi <= rows`.
#[no_mangle]
pub unsafe extern "C" fn batch_norm_apply_f32_part(
    x: *const f32,
    mean: *const f32,
    scratch: *const f32,
    beta: *const f32,
    y: *mut f32,
    cols: u32,
    _work: *mut f32,
    lo: u32,
    hi: u32,
) {
    let (at, cols) = (lo as usize * cols as usize, cols as usize);
    batch_norm_apply(x.add(at), mean, scratch, beta, y.add(at), (hi - lo) as usize, cols)
}
