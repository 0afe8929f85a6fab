//! Fused optimiser updates (Adam, RMSProp) over a table of tensors.
//!
//! One call updates every tensor of a player: `table` holds [`ENTRY`] `u32`s
//! per tensor (byte offsets into the memory, then a length): the parameter,
//! its gradient and two state slots to read, and where to write the new
//! parameter and slots. An output may be its input (in place: every element is
//! read before it is written); tfjs needs fresh outputs (see
//! `src/backend/rust/optimizers.ts`).
//! Each element goes through exactly the f32 operations, in the same order,
//! that Duel's tfjs implementation (`src/train/optimizers.ts`) dispatches as
//! separate kernels, each rounded once (IEEE; simd128 has no FMA), so the
//! f32x4 loop, its scalar tail and the scalar references (`*_ref`) all give
//! the tfjs path's bits.

use core::arch::wasm32::*;

/// `u32`s per table entry: `[param, grad, slot a, slot b, param out, slot a out, slot b out, len]`.
pub const ENTRY: usize = 8;

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
struct Entry {
    p: *const f32,
    g: *const f32,
    a: *const f32,
    b: *const f32,
    p_out: *mut f32,
    a_out: *mut f32,
    b_out: *mut f32,
    len: usize,
}

#[inline(always)]
unsafe fn entry(table: *const u32, i: usize) -> Entry {
    let e = table.add(i * ENTRY);
    let ptr = |k: usize| *e.add(k) as usize;
    Entry {
        p: ptr(0) as *const f32,
        g: ptr(1) as *const f32,
        a: ptr(2) as *const f32,
        b: ptr(3) as *const f32,
        p_out: ptr(4) as *mut f32,
        a_out: ptr(5) as *mut f32,
        b_out: ptr(6) as *mut f32,
        len: ptr(7),
    }
}

/// f32x4 load at element `j`.
#[inline(always)]
unsafe fn ld(x: *const f32, j: usize) -> v128 {
    v128_load(x.add(j) as *const v128)
}

/// f32x4 store at element `j`.
#[inline(always)]
unsafe fn st(x: *mut f32, j: usize, v: v128) {
    v128_store(x.add(j) as *mut v128, v)
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
        let e = entry(table, i);
        for j in 0..e.len {
            adam_at(c, &e, j);
        }
    }
}

/// [`adam1`] on element `j` of an entry.
#[inline(always)]
unsafe fn adam_at(c: &Adam, e: &Entry, j: usize) {
    let (w, m, v) = adam1(c, *e.p.add(j), *e.g.add(j), *e.a.add(j), *e.b.add(j));
    *e.p_out.add(j) = w;
    *e.a_out.add(j) = m;
    *e.b_out.add(j) = v;
}

/// Adam over every table entry, f32x4 then a scalar tail.
pub unsafe fn adam(table: *const u32, n: usize, c: &Adam) {
    let (b1, ob1) = (f32x4_splat(c.b1), f32x4_splat(c.one_minus_b1));
    let (b2, ob2) = (f32x4_splat(c.b2), f32x4_splat(c.one_minus_b2));
    let (rc2, eps, ss) = (
        f32x4_splat(c.root_c2),
        f32x4_splat(c.eps),
        f32x4_splat(c.step_size),
    );
    for i in 0..n {
        let e = entry(table, i);
        let mut j = 0;
        while j + 4 <= e.len {
            let g = ld(e.g, j);
            let m = f32x4_add(f32x4_mul(b1, ld(e.a, j)), f32x4_mul(ob1, g));
            let v = f32x4_add(f32x4_mul(b2, ld(e.b, j)), f32x4_mul(ob2, f32x4_mul(g, g)));
            let denom = f32x4_add(f32x4_div(f32x4_sqrt(v), rc2), eps);
            let w = f32x4_sub(ld(e.p, j), f32x4_mul(ss, f32x4_div(m, denom)));
            st(e.p_out, j, w);
            st(e.a_out, j, m);
            st(e.b_out, j, v);
            j += 4;
        }
        while j < e.len {
            adam_at(c, &e, j);
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

/// [`rmsprop1`] on element `j` of an entry.
#[inline(always)]
unsafe fn rmsprop_at(c: &RmsProp, e: &Entry, j: usize, has_buf: bool) {
    let buf = if has_buf { *e.b.add(j) } else { 0.0 };
    let (w, v, u) = rmsprop1(c, *e.p.add(j), *e.g.add(j), *e.a.add(j), buf, has_buf);
    *e.p_out.add(j) = w;
    *e.a_out.add(j) = v;
    if has_buf {
        *e.b_out.add(j) = u;
    }
}

/// Scalar reference of [`rmsprop`].
#[inline(always)]
pub unsafe fn rmsprop_ref(table: *const u32, n: usize, c: &RmsProp) {
    let has_buf = c.momentum > 0.0;
    for i in 0..n {
        let e = entry(table, i);
        for j in 0..e.len {
            rmsprop_at(c, &e, j, has_buf);
        }
    }
}

/// RMSProp over every table entry (slot b, the momentum buffer, is used only when momentum > 0).
#[inline(always)]
pub unsafe fn rmsprop(table: *const u32, n: usize, c: &RmsProp) {
    let has_buf = c.momentum > 0.0;
    let (al, oal) = (f32x4_splat(c.alpha), f32x4_splat(c.one_minus_alpha));
    let (eps, mom, lr) = (
        f32x4_splat(c.eps),
        f32x4_splat(c.momentum),
        f32x4_splat(c.lr),
    );
    for i in 0..n {
        let e = entry(table, i);
        let mut j = 0;
        while j + 4 <= e.len {
            let g = ld(e.g, j);
            let v = f32x4_add(f32x4_mul(al, ld(e.a, j)), f32x4_mul(oal, f32x4_mul(g, g)));
            let mut u = f32x4_div(g, f32x4_add(f32x4_sqrt(v), eps));
            if has_buf {
                u = f32x4_add(f32x4_mul(mom, ld(e.b, j)), u);
                st(e.b_out, j, u);
            }
            st(e.p_out, j, f32x4_sub(ld(e.p, j), f32x4_mul(lr, u)));
            st(e.a_out, j, v);
            j += 4;
        }
        while j < e.len {
            rmsprop_at(c, &e, j, has_buf);
            j += 1;
        }
    }
}

kernel!(
    /// Adam on the `n` tensors of `table` (slots: a = m, b = v):
    /// `m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; p -= step_size (m / (sqrt(v) / root_c2 + eps))`
    /// with `step_size = lr / (1 - b1^t)` and `root_c2 = sqrt(1 - b2^t)`, each
    /// operation rounded to f32 once, in this order (the tfjs implementation's bits).
    ///
    /// # Safety
    /// `table` holds `n` entries of [`ENTRY`] `u32`s; each entry's pointers are
    /// valid for `len` floats; each output is its input or overlaps nothing.
    adam_f32, adam_f32_ref(
        table: *const u32,
        n: u32,
        b1: f32,
        one_minus_b1: f32,
        b2: f32,
        one_minus_b2: f32,
        root_c2: f32,
        eps: f32,
        step_size: f32,
    ) => adam, adam_ref(
        table,
        n as usize,
        &Adam { b1, one_minus_b1, b2, one_minus_b2, root_c2, eps, step_size },
    )
);

kernel!(
    /// [`adam_f32`] on the table entries `lo..hi` only: one part of a call split
    /// over the kernel threads. Elements are independent, so any split of the
    /// table gives the whole call's bits. `work` is unused.
    ///
    /// # Safety
    /// As `adam_f32`, for entries `lo..hi` of `table`.
    adam_f32_part, adam_f32_part_ref(
        table: *const u32,
        b1: f32,
        one_minus_b1: f32,
        b2: f32,
        one_minus_b2: f32,
        root_c2: f32,
        eps: f32,
        step_size: f32,
        _work: *mut f32,
        lo: u32,
        hi: u32,
    ) => adam, adam_ref(
        table.add(lo as usize * ENTRY),
        hi.saturating_sub(lo) as usize,
        &Adam { b1, one_minus_b1, b2, one_minus_b2, root_c2, eps, step_size },
    )
);

kernel!(
    /// RMSProp (PyTorch form) on the `n` tensors of `table` (slots: a =
    /// v, b = momentum buffer, read only when `momentum > 0`):
    /// `v = alpha v + (1-alpha) g²; u = g / (sqrt(v) + eps); [u = momentum buf + u; buf = u;] p -= lr u`,
    /// each operation rounded to f32 once, in this order.
    ///
    /// # Safety
    /// As `adam_f32`.
    rmsprop_f32, rmsprop_f32_ref(
        table: *const u32,
        n: u32,
        alpha: f32,
        one_minus_alpha: f32,
        eps: f32,
        momentum: f32,
        lr: f32,
    ) => rmsprop, rmsprop_ref(table, n as usize, &RmsProp { alpha, one_minus_alpha, eps, momentum, lr })
);

kernel!(
    /// [`rmsprop_f32`] on the table entries `lo..hi` only: one part of a call split
    /// over the kernel threads. Elements are independent, so any split of the
    /// table gives the whole call's bits. `work` is unused.
    ///
    /// # Safety
    /// As `rmsprop_f32`, for entries `lo..hi` of `table`.
    rmsprop_f32_part, rmsprop_f32_part_ref(
        table: *const u32,
        alpha: f32,
        one_minus_alpha: f32,
        eps: f32,
        momentum: f32,
        lr: f32,
        _work: *mut f32,
        lo: u32,
        hi: u32,
    ) => rmsprop, rmsprop_ref(
        table.add(lo as usize * ENTRY),
        hi.saturating_sub(lo) as usize,
        &RmsProp { alpha, one_minus_alpha, eps, momentum, lr },
    )
);
