//! Fused optimiser updates (Adam, RMSProp) over a table of tensors, in place.
//!
//! One call updates every tensor of a player: `table` holds
//! [`ENTRY`] `u32`s per tensor (byte offsets into the memory, then a length).
//! Each element goes through exactly the f32 operations, in the same order,
//! that Duel's tfjs implementation (`src/train/optimizers.ts`) dispatches as
//! separate kernels, each rounded once (IEEE; simd128 has no FMA), so the
//! f32x4 loop, its scalar tail and the scalar references (`*_ref`) all give
//! the tfjs path's bits.

use core::arch::wasm32::*;

/// `u32`s per table entry: `[param, grad, slot a, slot b, len]`.
pub const ENTRY: usize = 5;

/// Adam's constants, all already rounded to f32 as tfjs rounds its scalars.
#[derive(Clone, Copy)]
pub struct Adam {
    pub b1: f32,
    pub one_minus_b1: f32,
    pub b2: f32,
    pub one_minus_b2: f32,
    /// `sqrt(1 - b2^t)`.
    pub root_c2: f32,
    pub eps: f32,
    /// `lr / (1 - b1^t)`.
    pub step_size: f32,
}

/// RMSProp's constants (momentum 0: no momentum buffer).
#[derive(Clone, Copy)]
pub struct RmsProp {
    pub alpha: f32,
    pub one_minus_alpha: f32,
    pub eps: f32,
    pub momentum: f32,
    pub lr: f32,
}

/// One table entry as pointers.
#[inline(always)]
unsafe fn entry(table: *const u32, i: usize) -> (*mut f32, *const f32, *mut f32, *mut f32, usize) {
    let e = table.add(i * ENTRY);
    (
        *e as usize as *mut f32,
        *e.add(1) as usize as *const f32,
        *e.add(2) as usize as *mut f32,
        *e.add(3) as usize as *mut f32,
        *e.add(4) as usize,
    )
}

/// Adam on one element: `m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;
/// w -= step_size (m / (sqrt(v) / root_c2 + eps))`.
#[inline(always)]
fn adam1(c: &Adam, w: f32, g: f32, m: f32, v: f32) -> (f32, f32, f32) {
    let m = c.b1 * m + c.one_minus_b1 * g;
    let v = c.b2 * v + c.one_minus_b2 * (g * g);
    let denom = sqrt(v) / c.root_c2 + c.eps;
    (w - c.step_size * (m / denom), m, v)
}

/// `sqrt` without std: the wasm instruction (correctly rounded, as IEEE requires).
#[inline(always)]
fn sqrt(x: f32) -> f32 {
    f32x4_extract_lane::<0>(f32x4_sqrt(f32x4_splat(x)))
}

/// Scalar reference of [`adam`]: one element at a time.
pub unsafe fn adam_ref(table: *const u32, n: usize, c: &Adam) {
    for i in 0..n {
        let (w, g, m, v, len) = entry(table, i);
        for j in 0..len {
            let (wj, mj, vj) = adam1(c, *w.add(j), *g.add(j), *m.add(j), *v.add(j));
            *w.add(j) = wj;
            *m.add(j) = mj;
            *v.add(j) = vj;
        }
    }
}

/// Adam over every table entry, f32x4 then a scalar tail.
pub unsafe fn adam(table: *const u32, n: usize, c: &Adam) {
    let (b1, ob1) = (f32x4_splat(c.b1), f32x4_splat(c.one_minus_b1));
    let (b2, ob2) = (f32x4_splat(c.b2), f32x4_splat(c.one_minus_b2));
    let (rc2, eps, ss) = (f32x4_splat(c.root_c2), f32x4_splat(c.eps), f32x4_splat(c.step_size));
    for i in 0..n {
        let (w, g, m, v, len) = entry(table, i);
        let mut j = 0;
        while j + 4 <= len {
            let gj = v128_load(g.add(j) as *const v128);
            let mj = f32x4_add(f32x4_mul(b1, v128_load(m.add(j) as *const v128)), f32x4_mul(ob1, gj));
            let vj = f32x4_add(
                f32x4_mul(b2, v128_load(v.add(j) as *const v128)),
                f32x4_mul(ob2, f32x4_mul(gj, gj)),
            );
            let denom = f32x4_add(f32x4_div(f32x4_sqrt(vj), rc2), eps);
            let wj = f32x4_sub(v128_load(w.add(j) as *const v128), f32x4_mul(ss, f32x4_div(mj, denom)));
            v128_store(m.add(j) as *mut v128, mj);
            v128_store(v.add(j) as *mut v128, vj);
            v128_store(w.add(j) as *mut v128, wj);
            j += 4;
        }
        while j < len {
            let (wj, mj, vj) = adam1(c, *w.add(j), *g.add(j), *m.add(j), *v.add(j));
            *w.add(j) = wj;
            *m.add(j) = mj;
            *v.add(j) = vj;
            j += 1;
        }
    }
}

/// RMSProp on one element: `v = alpha v + (1-alpha) g²; u = g / (sqrt(v) + eps);
/// with momentum: u = momentum buf + u, buf = u; w -= lr u`.
#[inline(always)]
fn rmsprop1(c: &RmsProp, w: f32, g: f32, v: f32, buf: f32, has_buf: bool) -> (f32, f32, f32) {
    let v = c.alpha * v + c.one_minus_alpha * (g * g);
    let mut u = g / (sqrt(v) + c.eps);
    if has_buf {
        u = c.momentum * buf + u;
    }
    (w - c.lr * u, v, u)
}

/// Scalar reference of [`rmsprop`].
pub unsafe fn rmsprop_ref(table: *const u32, n: usize, c: &RmsProp) {
    let has_buf = c.momentum > 0.0;
    for i in 0..n {
        let (w, g, v, buf, len) = entry(table, i);
        for j in 0..len {
            let b = if has_buf { *buf.add(j) } else { 0.0 };
            let (wj, vj, u) = rmsprop1(c, *w.add(j), *g.add(j), *v.add(j), b, has_buf);
            *w.add(j) = wj;
            *v.add(j) = vj;
            if has_buf {
                *buf.add(j) = u;
            }
        }
    }
}

/// RMSProp over every table entry (slot b, the momentum buffer, is used only when momentum > 0).
pub unsafe fn rmsprop(table: *const u32, n: usize, c: &RmsProp) {
    let has_buf = c.momentum > 0.0;
    let (al, oal) = (f32x4_splat(c.alpha), f32x4_splat(c.one_minus_alpha));
    let (eps, mom, lr) = (f32x4_splat(c.eps), f32x4_splat(c.momentum), f32x4_splat(c.lr));
    for i in 0..n {
        let (w, g, v, buf, len) = entry(table, i);
        let mut j = 0;
        while j + 4 <= len {
            let gj = v128_load(g.add(j) as *const v128);
            let vj = f32x4_add(
                f32x4_mul(al, v128_load(v.add(j) as *const v128)),
                f32x4_mul(oal, f32x4_mul(gj, gj)),
            );
            let mut u = f32x4_div(gj, f32x4_add(f32x4_sqrt(vj), eps));
            if has_buf {
                u = f32x4_add(f32x4_mul(mom, v128_load(buf.add(j) as *const v128)), u);
                v128_store(buf.add(j) as *mut v128, u);
            }
            let wj = f32x4_sub(v128_load(w.add(j) as *const v128), f32x4_mul(lr, u));
            v128_store(v.add(j) as *mut v128, vj);
            v128_store(w.add(j) as *mut v128, wj);
            j += 4;
        }
        while j < len {
            let b = if has_buf { *buf.add(j) } else { 0.0 };
            let (wj, vj, u) = rmsprop1(c, *w.add(j), *g.add(j), *v.add(j), b, has_buf);
            *w.add(j) = wj;
            *v.add(j) = vj;
            if has_buf {
                *buf.add(j) = u;
            }
            j += 1;
        }
    }
}
