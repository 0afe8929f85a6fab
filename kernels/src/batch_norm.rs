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
    for i in 0..rows {
        let (row, out) = (x.add(i * cols), y.add(i * cols));
        let mut j = 0;
        while j + 4 <= cols {
            let d = f32x4_sub(ld(row.add(j)), ld(mean.add(j)));
            st(
                out.add(j),
                f32x4_add(f32x4_mul(d, ld(scratch.add(j))), ld(beta.add(j))),
            );
            j += 4;
        }
        while j < cols {
            *out.add(j) = (*row.add(j) - *mean.add(j)) * *scratch.add(j) + *beta.add(j);
            j += 1;
        }
    }
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
    for i in 0..rows {
        let (g, r, out) = (dy.add(i * cols), x.add(i * cols), dx.add(i * cols));
        let mut j = 0;
        while j + 4 <= cols {
            let xhat = f32x4_mul(f32x4_sub(ld(r.add(j)), ld(mean.add(j))), ld(inv.add(j)));
            let t = f32x4_sub(
                f32x4_sub(ld(g.add(j)), ld(mdb.add(j))),
                f32x4_mul(xhat, ld(mdg.add(j))),
            );
            st(out.add(j), f32x4_mul(t, ld(gs.add(j))));
            j += 4;
        }
        while j < cols {
            *out.add(j) = dx1(
                *g.add(j),
                *r.add(j),
                *mean.add(j),
                *inv.add(j),
                *mdb.add(j),
                *mdg.add(j),
                *gs.add(j),
            );
            j += 1;
        }
    }
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
