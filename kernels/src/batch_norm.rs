//! Batch normalisation over leading axes (channels last: a row-major
//! `rows × cols` x, one column per channel) as one kernel each way, instead of
//! tfjs's ~6 kernels forward and ~15 backward over the whole tensor.
//!
//! The forward pass runs tfjs's composite (`moments`, then
//! `(x - mean) * (rsqrt(var + eps) * gamma) + beta`) in the same f32 operations
//! and order: column sums in row order from 0 divided by `rows`, as tfjs-wasm's
//! `Mean`. So its bits are the composite's. The backward pass is the closed form
//! `dx = (dy - Σdy / n - x̂ Σ(dy x̂) / n) · gamma / σ`, `x̂ = (x - mean) / σ`.
//!
//! The SIMD versions work on four columns at once and so keep every column's
//! order; their scalar tails call the same per-element functions as the
//! references, hence the same bits.

use crate::reduce::add_rows;
use crate::rows::each_row;
use core::arch::wasm32::*;

/// `1 / sqrt(var + eps)`, as tfjs's `rsqrt(add(var, eps))` (`no_std` has no
/// `f32::sqrt`; the lane-wise one is the same correctly rounded operation).
#[inline(always)]
fn inv_std(var: f32, eps: f32) -> f32 {
    1.0 / f32x4_extract_lane::<0>(f32x4_sqrt(f32x4_splat(var + eps)))
}

#[inline(always)]
unsafe fn ld(p: *const f32) -> v128 {
    v128_load(p as *const v128)
}

#[inline(always)]
unsafe fn st(p: *mut f32, v: v128) {
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

/// `dx` of one element from the column's `1 / σ`, `Σdy / n`, `Σ(dy x̂) / n` and `gamma / σ`.
#[inline(always)]
fn dx1(dy: f32, x: f32, mean: f32, inv: f32, mdb: f32, mdg: f32, gs: f32) -> f32 {
    (dy - mdb - (x - mean) * inv * mdg) * gs
}

/// Backward: `dbeta = Σdy`, `dgamma = Σ dy x̂` (column sums in row order) and
/// `dx`; `scratch` holds `4 cols` floats (`1 / σ`, `Σdy / n`, `Σ(dy x̂) / n`, `gamma / σ`).
pub unsafe fn batch_norm_grad(
    dy: *const f32,
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    dx: *mut f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    scratch: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    batch_norm_grad_sums(dy, x, mean, var, gamma, dgamma, dbeta, scratch, rows, cols, eps);
    batch_norm_grad_apply(dy, x, mean, scratch, dx, rows, cols);
}

/// The backward pass's sums: `dbeta`, `dgamma`, and in `scratch` (`4 cols` floats) each
/// column's `1 / σ`, `Σdy / n`, `Σ(dy x̂) / n` and `gamma / σ`.
pub unsafe fn batch_norm_grad_sums(
    dy: *const f32,
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    scratch: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    let n = rows as f32;
    let (inv, mdb, mdg, gs) = (
        scratch,
        scratch.add(cols),
        scratch.add(2 * cols),
        scratch.add(3 * cols),
    );
    for j in 0..cols {
        *inv.add(j) = inv_std(*var.add(j), eps);
        *dgamma.add(j) = 0.0;
        *dbeta.add(j) = 0.0;
    }
    let at = |i: usize, j: usize| i * cols + j;
    let terms = |i: usize, j: usize| {
        let gj = ld(dy.add(at(i, j)));
        let xhat = f32x4_mul(f32x4_sub(ld(x.add(at(i, j))), ld(mean.add(j))), ld(inv.add(j)));
        [gj, f32x4_mul(gj, xhat)]
    };
    let terms1 = |i: usize, j: usize| {
        let g = *dy.add(at(i, j));
        let xhat = (*x.add(at(i, j)) - *mean.add(j)) * *inv.add(j);
        [g, g * xhat]
    };
    add_rows([dbeta, dgamma], rows, cols, terms, terms1);
    for j in 0..cols {
        *mdb.add(j) = *dbeta.add(j) / n;
        *mdg.add(j) = *dgamma.add(j) / n;
        *gs.add(j) = *gamma.add(j) * *inv.add(j);
    }
}

/// The backward pass's `dx` from [`batch_norm_grad_sums`]' `scratch`, row by row (rows are
/// independent).
pub unsafe fn batch_norm_grad_apply(
    dy: *const f32,
    x: *const f32,
    mean: *const f32,
    scratch: *const f32,
    dx: *mut f32,
    rows: usize,
    cols: usize,
) {
    let (inv, mdb, mdg, gs) = (
        scratch,
        scratch.add(cols),
        scratch.add(2 * cols),
        scratch.add(3 * cols),
    );
    let at = |i: usize, j: usize| i * cols + j;
    let four = |i: usize, j: usize| {
        let xhat = f32x4_mul(f32x4_sub(ld(x.add(at(i, j))), ld(mean.add(j))), ld(inv.add(j)));
        let t = f32x4_sub(
            f32x4_sub(ld(dy.add(at(i, j))), ld(mdb.add(j))),
            f32x4_mul(xhat, ld(mdg.add(j))),
        );
        st(dx.add(at(i, j)), f32x4_mul(t, ld(gs.add(j))));
    };
    let one = |i: usize, j: usize| {
        let (m, inv, mdb, mdg, gs) = (*mean.add(j), *inv.add(j), *mdb.add(j), *mdg.add(j), *gs.add(j));
        *dx.add(at(i, j)) = dx1(*dy.add(at(i, j)), *x.add(at(i, j)), m, inv, mdb, mdg, gs);
    };
    each_row(rows, cols, four, one);
}

/// Scalar reference of [`batch_norm_grad`]: one column at a time.
pub unsafe fn batch_norm_grad_ref(
    dy: *const f32,
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    dx: *mut f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    _scratch: *mut f32,
    rows: usize,
    cols: usize,
    eps: f32,
) {
    let n = rows as f32;
    for j in 0..cols {
        let (m, inv) = (*mean.add(j), inv_std(*var.add(j), eps));
        let (mut db, mut dg) = (0.0f32, 0.0f32);
        for i in 0..rows {
            let g = *dy.add(i * cols + j);
            db += g;
            dg += g * ((*x.add(i * cols + j) - m) * inv);
        }
        let (mdb, mdg, gs) = (db / n, dg / n, *gamma.add(j) * inv);
        for i in 0..rows {
            let at = i * cols + j;
            *dx.add(at) = dx1(*dy.add(at), *x.add(at), m, inv, mdb, mdg, gs);
        }
        *dgamma.add(j) = dg;
        *dbeta.add(j) = db;
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

kernel!(
    /// Batch norm's closed-form backward pass from the forward's `mean` and `var`:
    /// `dbeta = Σ dy`, `dgamma = Σ dy x̂` (column sums in row order) and
    /// `dx = (dy - dbeta / n - x̂ dgamma / n) · gamma / σ`, with `x̂ = (x - mean) / σ`,
    /// `σ = sqrt(var + eps)`, `n = rows`.
    ///
    /// # Safety
    /// `dy`, `x` and `dx` are valid for `rows * cols` floats, `mean`, `var`, `gamma`,
    /// `dgamma` and `dbeta` for `cols`, `scratch` for `4 * cols`; the outputs and
    /// `scratch` overlap nothing.
    batch_norm_grad_f32, batch_norm_grad_f32_ref(
        dy: *const f32,
        x: *const f32,
        mean: *const f32,
        var: *const f32,
        gamma: *const f32,
        dx: *mut f32,
        dgamma: *mut f32,
        dbeta: *mut f32,
        scratch: *mut f32,
        rows: u32,
        cols: u32,
        eps: f32,
    ) => batch_norm_grad, batch_norm_grad_ref(
        dy, x, mean, var, gamma, dx, dgamma, dbeta, scratch, rows as usize, cols as usize, eps,
    )
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

/// The first half of `batch_norm_grad_f32`: `dgamma`, `dbeta`, and in `scratch` (`4 cols`
/// floats) what `batch_norm_grad_apply_f32_part` needs to finish in parts.
///
/// # Safety
/// As `batch_norm_grad_f32`.
#[no_mangle]
pub unsafe extern "C" fn batch_norm_grad_sums_f32(
    dy: *const f32,
    x: *const f32,
    mean: *const f32,
    var: *const f32,
    gamma: *const f32,
    dgamma: *mut f32,
    dbeta: *mut f32,
    scratch: *mut f32,
    rows: u32,
    cols: u32,
    eps: f32,
) {
    let (rows, cols) = (rows as usize, cols as usize);
    batch_norm_grad_sums(dy, x, mean, var, gamma, dgamma, dbeta, scratch, rows, cols, eps)
}

/// The second half of `batch_norm_grad_f32` on rows `lo..hi`: `dx` from
/// `batch_norm_grad_sums_f32`'s `scratch`; one part of a call split over the kernel
/// threads (`work` unused).
///
/// # Safety
/// As `batch_norm_grad_f32`, `lo <= hi <= rows`.
#[no_mangle]
pub unsafe extern "C" fn batch_norm_grad_apply_f32_part(
    dy: *const f32,
    x: *const f32,
    mean: *const f32,
    scratch: *const f32,
    dx: *mut f32,
    cols: u32,
    _work: *mut f32,
    lo: u32,
    hi: u32,
) {
    let (at, cols) = (lo as usize * cols as usize, cols as usize);
    batch_norm_grad_apply(dy.add(at), x.add(at), mean, scratch, dx.add(at), (hi - lo) as usize, cols)
}
