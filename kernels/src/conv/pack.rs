//! Packing the forward convolution's A (patches of x, implicit im2col) four k-values
//! at a time: for each of the strip's `MR` = 4 output pixels one f32x4 of
//! consecutive k-values (a load when they are consecutive in x and inside the
//! image, zeros when all outside, lane by lane at the borders), then a 4×4
//! transpose into the `kc × MR` strip. Consecutive k-values are consecutive in x
//! within a tap, and across the taps of one kernel row when the dilation is 1 (so
//! with 1 input channel a run is a row of the kernel). The packed values are the
//! element-by-element packer's, so the sums and bits do not change.

use super::geom::{div, inside, rem, Geom};
use crate::gemm::{load, load_part, MR};
use core::arch::wasm32::*;

/// Stores the first `n` (1..=4) k-rows of the 4×4 block whose row `r` is `v_r`
/// (lane `q` = k-value `q`) transposed: k-value `q` of every row at `dst + q·MR`.
#[inline(always)]
pub(crate) unsafe fn store_transposed(dst: *mut f32, v0: v128, v1: v128, v2: v128, v3: v128, n: usize) {
    let t0 = i32x4_shuffle::<0, 4, 1, 5>(v0, v1);
    let t1 = i32x4_shuffle::<2, 6, 3, 7>(v0, v1);
    let t2 = i32x4_shuffle::<0, 4, 1, 5>(v2, v3);
    let t3 = i32x4_shuffle::<2, 6, 3, 7>(v2, v3);
    (dst as *mut v128).write_unaligned(i32x4_shuffle::<0, 1, 4, 5>(t0, t2));
    if n > 1 {
        (dst.add(MR) as *mut v128).write_unaligned(i32x4_shuffle::<2, 3, 6, 7>(t0, t2));
    }
    if n > 2 {
        (dst.add(2 * MR) as *mut v128).write_unaligned(i32x4_shuffle::<0, 1, 4, 5>(t1, t3));
    }
    if n > 3 {
        (dst.add(3 * MR) as *mut v128).write_unaligned(i32x4_shuffle::<2, 3, 6, 7>(t1, t3));
    }
}

/// Where row `row` of A reads x: its image's offset, its top-left input position.
#[inline(always)]
fn position(g: &Geom, row: usize) -> (usize, isize, isize) {
    let (ox, t) = (rem(row, g.ow), div(row, g.ow));
    let (oy, b) = (rem(t, g.oh), div(t, g.oh));
    (b * g.h * g.w * g.cin, (oy * g.sh) as isize - g.top, (ox * g.sw) as isize - g.left)
}

/// One k-value `(ky, kx, ci)` of a row at `pos`, 0 outside the image or when not `live`.
#[inline(always)]
unsafe fn element(g: &Geom, x: *const f32, pos: (usize, isize, isize), k: (usize, usize, usize), live: bool) -> f32 {
    let (base, iy0, ix0) = pos;
    let (ky, kx, ci) = k;
    let iy = iy0 + (ky * g.dh) as isize;
    let ix = ix0 + (kx * g.dw) as isize;
    if live && inside(iy, g.h) && inside(ix, g.w) {
        *x.add(base + (iy as usize * g.w + ix as usize) * g.cin + ci)
    } else {
        0.0
    }
}

/// The `n` (1..=4) k-values `l0..l3` of a row at `pos` as one f32x4 (zeros past `n`);
/// `run`: they are consecutive in x (one kernel row; one tap unless the dilation is 1).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn chunk(
    g: &Geom,
    x: *const f32,
    pos: (usize, isize, isize),
    run: bool,
    n: usize,
    l0: (usize, usize, usize),
    l1: (usize, usize, usize),
    l2: (usize, usize, usize),
    l3: (usize, usize, usize),
) -> v128 {
    let (base, iy0, ix0) = pos;
    if run {
        let iy = iy0 + (l0.0 * g.dh) as isize;
        let (first, last) = (ix0 + (l0.1 * g.dw) as isize, ix0 + (l3.1 * g.dw) as isize);
        if !inside(iy, g.h) || last < 0 || first >= g.w as isize {
            return f32x4_splat(0.0); // all outside
        }
        if inside(first, g.w) && inside(last, g.w) {
            let at = base + (iy as usize * g.w + first as usize) * g.cin + l0.2;
            return (x.add(at) as *const v128).read_unaligned();
        }
    }
    // Lane by lane (a border, or k-values not consecutive in x).
    f32x4(
        element(g, x, pos, l0, true),
        element(g, x, pos, l1, n > 1),
        element(g, x, pos, l2, n > 2),
        element(g, x, pos, l3, n > 3),
    )
}

/// Packs rows `i..i+mr` (`mr <= MR`), k-values `pc..pc+kc` of the forward
/// convolution's A into one `kc × MR` strip, zeros past `mr`.
#[inline(always)]
pub(crate) unsafe fn pack_patches(g: &Geom, x: *const f32, i: usize, mr: usize, pc: usize, kc: usize, dst: *mut f32) {
    if kc == 0 {
        return;
    }
    let (p0, p1, p2, p3) = (position(g, i), position(g, i + 1), position(g, i + 2), position(g, i + 3));
    // (ky, kx, ci) of k-value pc + p.
    let tap = div(pc, g.cin);
    let mut k = (div(tap, g.kw), rem(tap, g.kw), rem(pc, g.cin));
    let mut p = 0;
    while p < kc {
        let n = if kc - p < 4 { kc - p } else { 4 };
        let l0 = k;
        let l1 = next(g.cin, g.kw, l0);
        let l2 = next(g.cin, g.kw, l1);
        let l3 = next(g.cin, g.kw, l2);
        k = match n {
            1 => l1,
            2 => l2,
            3 => l3,
            _ => next(g.cin, g.kw, l3),
        };
        let run = n == 4 && l3.0 == l0.0 && (l3.1 == l0.1 || g.dw == 1);
        let zero = f32x4_splat(0.0);
        let v0 = chunk(g, x, p0, run, n, l0, l1, l2, l3);
        let v1 = if mr > 1 { chunk(g, x, p1, run, n, l0, l1, l2, l3) } else { zero };
        let v2 = if mr > 2 { chunk(g, x, p2, run, n, l0, l1, l2, l3) } else { zero };
        let v3 = if mr > 3 { chunk(g, x, p3, run, n, l0, l1, l2, l3) } else { zero };
        store_transposed(dst.add(p * MR), v0, v1, v2, v3, n);
        p += n;
    }
}

/// The k-value after `(ky, kx, ci)`.
#[inline(always)]
fn next(cin: usize, kw: usize, (ky, kx, ci): (usize, usize, usize)) -> (usize, usize, usize) {
    if ci + 1 < cin {
        (ky, kx, ci + 1)
    } else if kx + 1 < kw {
        (ky, kx + 1, 0)
    } else {
        (ky + 1, 0, 0)
    }
}

/// Where row `row` of A reads x at tap (0, 0): its image's offset, its top-left
/// input position; `None` when not `live`.
#[inline(always)]
fn origin(g: &Geom, row: usize, live: bool) -> Option<(usize, isize, isize)> {
    if live {
        Some(position(g, row))
    } else {
        None
    }
}

/// x at tap `(ky, kx)`, channel `ci` for a row at `origin`; null outside x.
#[inline(always)]
unsafe fn tap_at(g: &Geom, x: *const f32, origin: Option<(usize, isize, isize)>, ky: usize, kx: usize, ci: usize) -> *const f32 {
    match origin {
        Some((base, iy0, ix0)) => {
            let iy = iy0 + (ky * g.dh) as isize;
            let ix = ix0 + (kx * g.dw) as isize;
            if inside(iy, g.h) && inside(ix, g.w) {
                x.add(base + (iy as usize * g.w + ix as usize) * g.cin + ci)
            } else {
                core::ptr::null()
            }
        }
        None => core::ptr::null(),
    }
}

/// `n` (1..=4) floats at `src + q` (zeros past `n`), or zeros when `src` is null.
#[inline(always)]
pub(crate) unsafe fn four(src: *const f32, q: usize, n: usize) -> v128 {
    if src.is_null() {
        f32x4_splat(0.0)
    } else if n == 4 {
        load(src.add(q))
    } else {
        load_part(src.add(q), n)
    }
}

/// [`pack_patches`] by taps (for 4 or more input channels): each tap's run of
/// channels as 4×4 blocks (four loads, a transpose, four stores); same values.
#[inline(always)]
pub(crate) unsafe fn pack_taps(g: &Geom, x: *const f32, i: usize, mr: usize, pc: usize, kc: usize, dst: *mut f32) {
    let (o0, o1, o2, o3) = (origin(g, i, true), origin(g, i + 1, mr > 1), origin(g, i + 2, mr > 2), origin(g, i + 3, mr > 3));
    let tap = div(pc, g.cin);
    let (mut ky, mut kx, mut ci) = (div(tap, g.kw), rem(tap, g.kw), rem(pc, g.cin));
    let mut p = 0;
    while p < kc {
        let len = if g.cin - ci < kc - p { g.cin - ci } else { kc - p };
        let (s0, s1, s2, s3) =
            (tap_at(g, x, o0, ky, kx, ci), tap_at(g, x, o1, ky, kx, ci), tap_at(g, x, o2, ky, kx, ci), tap_at(g, x, o3, ky, kx, ci));
        let mut q = 0;
        while q < len {
            let n = if len - q < 4 { len - q } else { 4 };
            store_transposed(dst.add((p + q) * MR), four(s0, q, n), four(s1, q, n), four(s2, q, n), four(s3, q, n), n);
            q += n;
        }
        p += len;
        ci = 0;
        kx += 1;
        if kx == g.kw {
            kx = 0;
            ky += 1;
        }
    }
}
