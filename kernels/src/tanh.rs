//! `tanh` in tfjs-wasm's bits: tfjs-backend-wasm computes `Tanh` with musl's
//! `tanhf` (through emscripten), one float at a time, at ~24 ns per value
//! (its `Sigmoid`, on XNNPACK, ~1.5 ns). This is a port of musl's `tanhf` and
//! `expm1f`, operation for operation in f32, so the bits are the same: the
//! scalar reference as musl writes it, and the kernel on four lanes with every
//! branch computed and each lane's result picked (no branch to mispredict).
//! tests/rust_tanh_test.ts compares both with tfjs-wasm's built-in `Tanh`,
//! bit for bit.

use core::arch::wasm32::*;

/// `x` as its bits.
#[inline(always)]
fn bits(x: f32) -> u32 {
    x.to_bits()
}

/// musl's `expm1f` constants (the scalar and four-lane versions share them).
const O_THRESHOLD: f32 = 8.8721679688e+01; // 0x42b17180
const LN2_HI: f32 = 6.9313812256e-01; // 0x3f317180
const LN2_LO: f32 = 9.0580006145e-06; // 0x3717f7d1
const INVLN2: f32 = 1.4426950216e+00; // 0x3fb8aa3b
/// Scaled coefficients of the rational approximation on [-0.34568, 0.34568].
const Q1: f32 = -3.3333212137e-2; // -0x888868.0p-28, bits 0xbd088868
/// See [`Q1`].
const Q2: f32 = 1.5807170421e-3; // 0xcf3010.0p-33, bits 0x3acf3010

/// musl's `expm1f` (src/math/expm1f.c): `e^x - 1`.
#[inline(always)]
fn expm1f(mut x: f32) -> f32 {
    let hx = bits(x) & 0x7fff_ffff;
    let sign = bits(x) >> 31 != 0;
    if hx >= 0x4195_b844 {
        // |x| >= 27 ln 2
        if hx > 0x7f80_0000 {
            return x; // NaN
        }
        if sign {
            return -1.0;
        }
        if x > O_THRESHOLD {
            return x * f32::from_bits(0x7f00_0000); // 2^127: overflows to +inf
        }
    }
    let k: i32;
    let mut c = 0.0f32;
    if hx > 0x3eb1_7218 {
        // |x| > 0.5 ln 2: reduce the argument
        let (hi, lo);
        if hx < 0x3f85_1592 {
            // and |x| < 1.5 ln 2
            if !sign {
                hi = x - LN2_HI;
                lo = LN2_LO;
                k = 1;
            } else {
                hi = x + LN2_HI;
                lo = -LN2_LO;
                k = -1;
            }
        } else {
            k = (INVLN2 * x + if sign { -0.5 } else { 0.5 }) as i32;
            let t = k as f32;
            hi = x - t * LN2_HI; // exact here
            lo = t * LN2_LO;
        }
        x = hi - lo;
        c = (hi - x) - lo;
    } else if hx < 0x3300_0000 {
        return x; // |x| < 2^-25
    } else {
        k = 0;
    }
    let hfx = 0.5 * x;
    let hxs = x * hfx;
    let r1 = 1.0 + hxs * (Q1 + hxs * Q2);
    let t = 3.0 - r1 * hfx;
    let mut e = hxs * ((r1 - t) / (6.0 - x * t));
    if k == 0 {
        return x - (x * e - hxs); // c is 0
    }
    e = x * (e - c) - c;
    e -= hxs;
    // exp(x) = 1 + 2^k (x - e)
    if k == -1 {
        return 0.5 * (x - e) - 0.5;
    }
    if k == 1 {
        if x < -0.25 {
            return -2.0 * (e - (x + 0.5));
        }
        return 1.0 + 2.0 * (x - e);
    }
    let twopk = f32::from_bits(((0x7f + k) as u32) << 23);
    if !(0..=56).contains(&k) {
        let mut y = x - e + 1.0;
        if k == 128 {
            y = y * 2.0 * f32::from_bits(0x7f00_0000);
        } else {
            y *= twopk;
        }
        return y - 1.0;
    }
    let u = f32::from_bits(((0x7f - k) as u32) << 23); // 2^-k
    if k < 23 {
        (x - e + (1.0 - u)) * twopk
    } else {
        (x - (e + u) + 1.0) * twopk
    }
}

/// musl's `tanhf` (src/math/tanhf.c).
#[inline(always)]
fn tanhf(x: f32) -> f32 {
    let sign = bits(x) >> 31 != 0;
    let w = bits(x) & 0x7fff_ffff;
    let x = f32::from_bits(w);
    let t = if w > 0x3f0c_9f54 {
        // |x| > log(3) / 2 or NaN
        if w > 0x4120_0000 {
            1.0 + 0.0 / x // |x| > 10
        } else {
            let t = expm1f(2.0 * x);
            1.0 - 2.0 / (t + 2.0)
        }
    } else if w > 0x3e82_c578 {
        // |x| > log(5/3) / 2
        let t = expm1f(2.0 * x);
        t / (t + 2.0)
    } else if w >= 0x0080_0000 {
        // |x| >= 2^-126
        let t = expm1f(-2.0 * x);
        -t / (t + 2.0)
    } else {
        x // subnormal
    };
    if sign {
        -t
    } else {
        t
    }
}

/// Scalar reference of [`tanh_f32`]: musl's `tanhf` one float at a time, as
/// tfjs-wasm's `Tanh` runs it.
///
/// # Safety
/// `x` and `out` are valid for `len` floats (they may be the same).
#[no_mangle]
pub unsafe extern "C" fn tanh_f32_ref(x: *const f32, out: *mut f32, len: u32) {
    for j in 0..len as usize {
        *out.add(j) = tanhf(*x.add(j));
    }
}

/// [`expm1f`] on four lanes, for the arguments [`tanh4`] gives it (`2|x|` up to 20 and
/// `-2|x|` down to -0.52, and anything in lanes whose result is not used): every branch
/// computed, each lane's picked, each operation the scalar one, so the bits are the same.
#[inline(always)]
fn expm1f4(arg: v128) -> v128 {
    let ln2_hi = f32x4_splat(LN2_HI);
    let ln2_lo = f32x4_splat(LN2_LO);
    let half = f32x4_splat(0.5);
    let one = f32x4_splat(1.0);
    let ha = v128_and(arg, u32x4_splat(0x7fff_ffff));
    let neg = i32x4_lt(arg, i32x4_splat(0)); // the sign bit
    let gt = |v: v128, bound: u32| i32x4_gt(v, i32x4_splat(bound as i32));
    let lt = |v: v128, bound: u32| i32x4_lt(v, i32x4_splat(bound as i32));
    // Argument reduction: k, hi, lo (k = 0 where |arg| <= 0.5 ln 2).
    let big = v128_not(lt(ha, 0x3f85_1592)); // |arg| >= 1.5 ln 2
    let mid = v128_andnot(gt(ha, 0x3eb1_7218), big); // 0.5 ln 2 < |arg| < 1.5 ln 2
    let reduce = v128_or(big, mid);
    let signed_half = v128_bitselect(f32x4_neg(half), half, neg);
    let kbig = i32x4_trunc_sat_f32x4(f32x4_add(f32x4_mul(f32x4_splat(INVLN2), arg), signed_half));
    let kmid = v128_bitselect(i32x4_splat(-1), i32x4_splat(1), neg);
    let k = v128_bitselect(kbig, v128_and(kmid, mid), big);
    let tk = f32x4_convert_i32x4(kbig);
    let hi_big = f32x4_sub(arg, f32x4_mul(tk, ln2_hi));
    let lo_big = f32x4_mul(tk, ln2_lo);
    let hi_mid = v128_bitselect(f32x4_add(arg, ln2_hi), f32x4_sub(arg, ln2_hi), neg);
    let lo_mid = v128_bitselect(f32x4_neg(ln2_lo), ln2_lo, neg);
    let hi = v128_bitselect(hi_big, hi_mid, big);
    let lo = v128_bitselect(lo_big, lo_mid, big);
    let xr = f32x4_sub(hi, lo);
    let c = f32x4_sub(f32x4_sub(hi, xr), lo);
    let x = v128_bitselect(xr, arg, reduce);
    // The rational approximation on the reduced argument.
    let (q1, q2) = (f32x4_splat(Q1), f32x4_splat(Q2));
    let hfx = f32x4_mul(half, x);
    let hxs = f32x4_mul(x, hfx);
    let r1 = f32x4_add(one, f32x4_mul(hxs, f32x4_add(q1, f32x4_mul(hxs, q2))));
    let t = f32x4_sub(f32x4_splat(3.0), f32x4_mul(r1, hfx));
    let e0 = f32x4_mul(hxs, f32x4_div(f32x4_sub(r1, t), f32x4_sub(f32x4_splat(6.0), f32x4_mul(x, t))));
    let k0 = f32x4_sub(x, f32x4_sub(f32x4_mul(x, e0), hxs));
    let e = f32x4_sub(f32x4_sub(f32x4_mul(x, f32x4_sub(e0, c)), c), hxs);
    let two = f32x4_splat(2.0);
    let km1 = f32x4_sub(f32x4_mul(half, f32x4_sub(x, e)), half);
    let k1 = v128_bitselect(
        f32x4_mul(f32x4_splat(-2.0), f32x4_sub(e, f32x4_add(x, half))),
        f32x4_add(one, f32x4_mul(two, f32x4_sub(x, e))),
        f32x4_lt(x, f32x4_splat(-0.25)),
    );
    let twopk = i32x4_shl(i32x4_add(k, i32x4_splat(0x7f)), 23);
    let u = i32x4_shl(i32x4_sub(i32x4_splat(0x7f), k), 23); // 2^-k
    let low = f32x4_mul(f32x4_add(f32x4_sub(x, e), f32x4_sub(one, u)), twopk);
    let high = f32x4_mul(f32x4_add(f32x4_sub(x, f32x4_add(e, u)), one), twopk);
    let kn = v128_bitselect(low, high, i32x4_lt(k, i32x4_splat(23)));
    let mut r = v128_bitselect(k1, kn, i32x4_eq(k, i32x4_splat(1)));
    r = v128_bitselect(km1, r, i32x4_eq(k, i32x4_splat(-1)));
    r = v128_bitselect(k0, r, i32x4_eq(k, i32x4_splat(0)));
    // |arg| < 2^-25: arg itself.
    v128_bitselect(arg, r, lt(ha, 0x3300_0000))
}

/// [`tanhf`] on four lanes (same bits): every branch computed, each lane's picked.
#[inline(always)]
fn tanh4(v: v128) -> v128 {
    let sign = v128_and(v, u32x4_splat(0x8000_0000));
    let x = v128_xor(v, sign); // |x|, bits w
    let gt = |bound: u32| i32x4_gt(x, i32x4_splat(bound as i32));
    let (one, two) = (f32x4_splat(1.0), f32x4_splat(2.0));
    let huge = gt(0x4120_0000); // |x| > 10, inf, NaN
    let upper = gt(0x3f0c_9f54);
    let middle = gt(0x3e82_c578);
    let normal = v128_not(i32x4_lt(x, i32x4_splat(0x0080_0000)));
    let twice = f32x4_mul(two, x);
    let e = expm1f4(v128_bitselect(twice, f32x4_mul(f32x4_splat(-2.0), x), middle));
    let e2 = f32x4_add(e, two);
    let t_upper = f32x4_sub(one, f32x4_div(two, e2));
    let t_middle = f32x4_div(e, e2);
    let t_lower = f32x4_div(f32x4_neg(e), e2);
    let t_huge = f32x4_add(one, f32x4_div(f32x4_splat(0.0), x));
    let mut t = v128_bitselect(t_lower, x, normal);
    t = v128_bitselect(t_middle, t, middle);
    t = v128_bitselect(t_upper, t, upper);
    t = v128_bitselect(t_huge, t, huge);
    v128_xor(t, sign)
}

/// `out = tanh(x)` over `len` floats, four lanes at a time, in tfjs-wasm's bits
/// (musl's `tanhf`, every branch computed and each lane's picked).
///
/// # Safety
/// `x` and `out` are valid for `len` floats (they may be the same).
#[no_mangle]
pub unsafe extern "C" fn tanh_f32(x: *const f32, out: *mut f32, len: u32) {
    let len = len as usize;
    let mut j = 0;
    while j + 4 <= len {
        v128_store(out.add(j) as *mut v128, tanh4(v128_load(x.add(j) as *const v128)));
        j += 4;
    }
    while j < len {
        *out.add(j) = tanhf(*x.add(j));
        j += 1;
    }
}

elementwise_part!(
    /// `tanh_f32` on elements `lo..hi`: one part of a call split over the kernel threads.
    tanh_f32_part(x: *const f32, out: *mut f32) => tanh_f32
);
