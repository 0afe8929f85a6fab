//! Batch norm's backward pass (see `batch_norm.rs`): the closed form
//! `dx = (dy - Σdy / n - x̂ Σ(dy x̂) / n) · gamma / σ`, `x̂ = (x - mean) / σ`, as one
//! kernel, and in halves for a call split over the kernel threads: the sums on
//! the calling thread, then `dx` by rows.

use super::{inv_std, ld, st};
use crate::reduce::add_rows;
use crate::rows::each_row;
use core::arch::wasm32::*;

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
