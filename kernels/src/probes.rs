//! Probes of the engine and the host: `fma_probe` (does `f32x4.relaxed_madd` fuse?), and
//! the roofline probes below.
//!
//! Peak f32x4 throughput of this machine's WebAssembly engine: the roofline
//! the matmul is measured against (kernels/README.md, "Roofline").
//!
//! Independent chains, no memory traffic, 12 accumulators + 2 operands (V8
//! allocates 15 xmm registers on x64); `scale` and `step` come at run time so
//! nothing folds. Three kinds: the matmul's mix (every step `acc += s · acc`
//! in 12 accumulators: 12 multiplies and 12 adds per step on a critical path
//! of one multiply and one add, ~5 cycles, so more than 4 per cycle could
//! issue), multiplies only and adds only (12 chains each: they measure 2
//! pipes × clock each). Plus a clock probe: a dependent chain of 1-cycle
//! integer operations.

use core::arch::wasm32::*;

/// Flops per loop iteration of [`peak`]: 4 × 12 vector operations, 4 lanes.
pub const FLOPS_PER_ITER: u32 = 4 * 12 * 4;

#[inline(always)]
fn step4(v: &mut v128, s: v128, mul: bool) {
    for _ in 0..4 {
        *v = if mul { f32x4_mul(*v, s) } else { f32x4_add(*v, s) };
    }
}

/// `iters` iterations of 48 vector operations: `kind` 0 = 24 `f32x4.mul` and
/// 24 `f32x4.add` (`v[i] += s · v[i]`), 1 = 48 `f32x4.mul`, 2 = 48 `f32x4.add`.
/// Returns a lane sum of the chains so the work is live.
pub fn peak(iters: u32, scale: f32, step: f32, kind: u32) -> f32 {
    let s = f32x4_splat(scale);
    let d = f32x4_splat(step);
    let _ = d;
    let mut v = [f32x4_splat(1.0); 12];
    for (i, x) in v.iter_mut().enumerate() {
        *x = f32x4_splat(1.0 + i as f32);
    }
    // One loop per kind: the chain kinds are compile-time in each.
    macro_rules! run {
        ($($i:literal: $mul:expr),*) => {
            for _ in 0..iters {
                $(step4(&mut v[$i], if $mul { s } else { d }, $mul);)*
            }
        };
    }
    match kind {
        1 => run!(0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true),
        2 => run!(0: false, 1: false, 2: false, 3: false, 4: false, 5: false, 6: false, 7: false, 8: false, 9: false, 10: false, 11: false),
        _ => {
            for _ in 0..iters {
                for _ in 0..2 {
                    for x in v.iter_mut() {
                        *x = f32x4_add(*x, f32x4_mul(*x, s));
                    }
                }
            }
        }
    }
    let mut t = f32x4_splat(0.0);
    for x in v {
        t = f32x4_add(t, x);
    }
    f32x4_extract_lane::<0>(t) + f32x4_extract_lane::<1>(t) + f32x4_extract_lane::<2>(t) + f32x4_extract_lane::<3>(t)
}

/// `iters` iterations of 8 dependent 1-cycle integer operations (add, xor
/// with run-time operands, so nothing folds): `8 · iters / seconds` is the
/// core's clock.
pub fn clock(iters: u32, x: u32, y: u32) -> u32 {
    let mut h = x;
    for _ in 0..iters {
        h = h.wrapping_add(y) ^ x;
        h = h.wrapping_add(y) ^ x;
        h = h.wrapping_add(y) ^ x;
        h = h.wrapping_add(y) ^ x;
    }
    h
}

/// Peak-throughput probe (no memory traffic): `iters` iterations of
/// independent f32x4 chains, [`peak_flops_per_iter`] flops each; `kind` 0 =
/// multiplies and adds mixed (what the matmul issues), 1 = multiplies only,
/// 2 = adds only. Returns a value computed from all chains (keeps them live).
/// Pass `scale = 1`, `step = 0` for kinds 1 and 2, `scale = 0` for kind 0
/// (finite values; the engine cannot fold run-time operands).
#[no_mangle]
pub extern "C" fn peak_flops(iters: u32, scale: f32, step: f32, kind: u32) -> f32 {
    peak(iters, scale, step, kind)
}

/// Clock probe: `iters` iterations of 8 dependent 1-cycle integer operations
/// (`8 · iters / seconds` = cycles per second); pass any `x`, `y`.
#[no_mangle]
pub extern "C" fn peak_clock(iters: u32, x: u32, y: u32) -> u32 {
    clock(iters, x, y)
}

/// Flops per iteration of [`peak_flops`].
#[no_mangle]
pub extern "C" fn peak_flops_per_iter() -> u32 {
    FLOPS_PER_ITER
}

/// `at[0..4] = at[8..12] + at[0..4] · at[4..8]`, one `f32x4` multiply and add:
/// the build's fused twin `fma_probe_fma` tells whether this host fuses
/// `f32x4.relaxed_madd` (with `a = b = 1 + 2⁻²³`, `c = -(1 + 2⁻²²)` it gives
/// 2⁻⁴⁶ fused, 0 otherwise). Vectors in memory, so that the compiler cannot
/// make scalar operations of it.
///
/// # Safety
/// `at` must be valid for 12 floats.
#[no_mangle]
pub unsafe extern "C" fn fma_probe(at: *mut f32) {
    use crate::gemm::{load, store};
    let (a, b, c) = (load(at), load(at.add(4)), load(at.add(8)));
    store(at, f32x4_add(c, f32x4_mul(a, b)));
}
