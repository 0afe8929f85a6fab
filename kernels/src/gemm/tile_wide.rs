//! The matmul's own `MM_MR × MM_NR` (2 × 16) micro-kernel.

use super::shape::{Shape, MM_MR, MM_NR};
use super::vector::{activate, load, load_part, min, store, store_part};
use core::arch::wasm32::*;

/// The matmul's micro-kernel: one `MM_MR × MM_NR` tile of C (`mr × nr` of it
/// real) at column `j`, from a `kc × MM_MR` strip of A and a `kc × MM_NR` strip
/// of B. Same sums as [`tile`]. Per k-step: one 8-byte load of A, 2 lane
/// broadcasts, 4 loads of B, 8 `f32x4.mul` + 8 `f32x4.add`: 2 shuffles per
/// 16 arithmetic operations (`tile`: 4 per 16; the shuffles take the
/// multiply and add pipes). 8 accumulators + 4 of B + A + 2 broadcasts = 15
/// xmm registers, what V8 allocates on x64.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn tile_wide(
    pa: *const f32,
    pb: *const f32,
    kc: usize,
    c: *mut f32,
    s: &Shape,
    mr: usize,
    nr: usize,
    j: usize,
    first: bool,
    last: bool,
) {
    const Q: usize = MM_NR / 4;
    let n = s.n;
    let mut w = [0usize; Q];
    for q in 0..Q {
        w[q] = if nr > 4 * q { min(nr - 4 * q, 4) } else { 0 };
    }
    let mut acc = [[f32x4_splat(0.0); Q]; MM_MR];
    if !first {
        for r in 0..MM_MR {
            if r < mr {
                for q in 0..Q {
                    acc[r][q] = load_part(c.add(r * n + 4 * q), w[q]);
                }
            }
        }
    }
    let mut ap = pa;
    let mut bp = pb;
    for _ in 0..kc {
        let a2 = v128_load64_zero(ap as *const u64);
        let b0 = load(bp);
        let b1 = load(bp.add(4));
        let b2 = load(bp.add(8));
        let b3 = load(bp.add(12));
        let s0 = i32x4_shuffle::<0, 0, 0, 0>(a2, a2);
        acc[0][0] = f32x4_add(acc[0][0], f32x4_mul(s0, b0));
        acc[0][1] = f32x4_add(acc[0][1], f32x4_mul(s0, b1));
        acc[0][2] = f32x4_add(acc[0][2], f32x4_mul(s0, b2));
        acc[0][3] = f32x4_add(acc[0][3], f32x4_mul(s0, b3));
        let s1 = i32x4_shuffle::<1, 1, 1, 1>(a2, a2);
        acc[1][0] = f32x4_add(acc[1][0], f32x4_mul(s1, b0));
        acc[1][1] = f32x4_add(acc[1][1], f32x4_mul(s1, b1));
        acc[1][2] = f32x4_add(acc[1][2], f32x4_mul(s1, b2));
        acc[1][3] = f32x4_add(acc[1][3], f32x4_mul(s1, b3));
        ap = ap.add(MM_MR);
        bp = bp.add(MM_NR);
    }
    if last && (!s.bias.is_null() || s.act != 0) {
        let mut bias = [f32x4_splat(0.0); Q];
        if !s.bias.is_null() {
            for q in 0..Q {
                bias[q] = load_part(s.bias.add(j + 4 * q), w[q]);
            }
        }
        for r in 0..MM_MR {
            for q in 0..Q {
                if !s.bias.is_null() {
                    acc[r][q] = f32x4_add(acc[r][q], bias[q]);
                }
                acc[r][q] = activate(acc[r][q], s.act, s.alpha);
            }
        }
    }
    for r in 0..MM_MR {
        if r < mr {
            for q in 0..Q {
                if nr == MM_NR {
                    store(c.add(r * n + 4 * q), acc[r][q]);
                } else {
                    store_part(c.add(r * n + 4 * q), acc[r][q], w[q]);
                }
            }
        }
    }
}
