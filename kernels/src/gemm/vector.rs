//! f32x4 helpers of the GEMM: whole and partial loads and stores (the edges of
//! C, B and the bias), the activation, and `min`.

use super::shape::{ACT_LEAKYRELU, ACT_RELU, ACT_RELU6};
use core::arch::wasm32::*;

#[inline(always)]
pub(super) fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

#[inline(always)]
pub(crate) unsafe fn load(p: *const f32) -> v128 {
    (p as *const v128).read_unaligned()
}

#[inline(always)]
pub(crate) unsafe fn store(p: *mut f32, v: v128) {
    (p as *mut v128).write_unaligned(v)
}

/// The first `len` (0..=4) floats at `p`, zeros after.
#[inline(always)]
pub(crate) unsafe fn load_part(p: *const f32, len: usize) -> v128 {
    if len >= 4 {
        return load(p);
    }
    let mut v = f32x4_splat(0.0);
    if len > 0 {
        v = f32x4_replace_lane::<0>(v, *p);
    }
    if len > 1 {
        v = f32x4_replace_lane::<1>(v, *p.add(1));
    }
    if len > 2 {
        v = f32x4_replace_lane::<2>(v, *p.add(2));
    }
    v
}

/// Stores the first `len` (0..=4) lanes of `v` at `p`.
#[inline(always)]
pub(crate) unsafe fn store_part(p: *mut f32, v: v128, len: usize) {
    if len >= 4 {
        return store(p, v);
    }
    if len > 0 {
        *p = f32x4_extract_lane::<0>(v);
    }
    if len > 1 {
        *p.add(1) = f32x4_extract_lane::<1>(v);
    }
    if len > 2 {
        *p.add(2) = f32x4_extract_lane::<2>(v);
    }
}

/// `act(v)` with the scalar reference's comparisons (NaN and -0 included).
#[inline(always)]
pub(super) fn activate(v: v128, act: u32, alpha: f32) -> v128 {
    let zero = f32x4_splat(0.0);
    match act {
        ACT_RELU => v128_bitselect(zero, v, f32x4_lt(v, zero)),
        ACT_RELU6 => {
            let six = f32x4_splat(6.0);
            let r = v128_bitselect(zero, v, f32x4_lt(v, zero));
            v128_bitselect(six, r, f32x4_gt(r, six))
        }
        ACT_LEAKYRELU => v128_bitselect(f32x4_mul(f32x4_splat(alpha), v), v, f32x4_lt(v, zero)),
        _ => v,
    }
}

/// The transpose of the 4 × 4 block whose rows are `x`: `c[q]` holds `x[0][q], …, x[3][q]`.
#[inline(always)]
pub(crate) fn transpose(x: [v128; 4]) -> [v128; 4] {
    let t0 = i32x4_shuffle::<0, 4, 1, 5>(x[0], x[1]);
    let t1 = i32x4_shuffle::<2, 6, 3, 7>(x[0], x[1]);
    let t2 = i32x4_shuffle::<0, 4, 1, 5>(x[2], x[3]);
    let t3 = i32x4_shuffle::<2, 6, 3, 7>(x[2], x[3]);
    [
        i32x4_shuffle::<0, 1, 4, 5>(t0, t2),
        i32x4_shuffle::<2, 3, 6, 7>(t0, t2),
        i32x4_shuffle::<0, 1, 4, 5>(t1, t3),
        i32x4_shuffle::<2, 3, 6, 7>(t1, t3),
    ]
}
