//! The `MR × NR` (4 × 8) micro-kernel: the conv kernels', `matmul4x8_f32`'s and the dense
//! chains'. Two ways to broadcast a k-step's `MR` values of A, same bits:
//!
//! - one load of the four values, then a lane shuffle each (`SPLAT = false`): three
//!   bounds-checked loads a k-step. On a shared memory (tfjs's threaded build) V8 reloads the
//!   memory's size for every bounds check, so fewer loads win there: four
//!   `v128.load32_splat` made the threaded build 10-15% slower.
//! - one `v128.load32_splat` each (`SPLAT = true`): six loads, no shuffle. On a plain
//!   memory the size stays in a register, and the shuffles no longer take vector pipes
//!   from the multiply-adds: training steps on one thread 2-4% faster (toy2d and ring8,
//!   `bench/kernels_step_ab.ts`, AMD Zen 5). The kernels bound to a plain memory use it
//!   (`src/backend/rust/gemm.ts`, `SPLAT_TWINS`).

use super::shape::{Shape, MR, NR};
use super::tile_io::{bias_act, load_tile, store_tile, tile_bias, Rows};
use super::vector::{activate, load, load_part, min, store, store_part};
use core::arch::wasm32::*;

/// One `MR × NR` tile of C (`mr × nr` of it real) at column `j` of the matrix.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn tile<R: Rows, const SPLAT: bool>(
    pa: *const f32,
    pb: *const f32,
    kc: usize,
    c: &R,
    s: &Shape,
    mr: usize,
    nr: usize,
    j: usize,
    first: bool,
    last: bool,
) {
    let (w0, w1) = (min(nr, 4), if nr > 4 { nr - 4 } else { 0 });
    let mut acc = [[f32x4_splat(0.0); 2]; MR];
    if !first {
        load_tile!(c, acc, mr, w0, w1);
    }
    let mut ap = pa;
    let mut bp = pb;
    for _ in 0..kc {
        let b0 = load(bp);
        let b1 = load(bp.add(4));
        // Shuffled out of one load of the k-step's MR values of A, or loaded each (see the module).
        let a4 = if SPLAT { f32x4_splat(0.0) } else { load(ap) };
        for (r, sums) in acc.iter_mut().enumerate() {
            let sr = broadcast::<SPLAT>(ap, a4, r);
            sums[0] = f32x4_add(sums[0], f32x4_mul(sr, b0));
            sums[1] = f32x4_add(sums[1], f32x4_mul(sr, b1));
        }
        ap = ap.add(MR);
        bp = bp.add(NR);
    }
    if last && (!s.bias.is_null() || s.act != 0) {
        let bias = tile_bias!(s, j, w0, w1);
        for r in 0..MR {
            bias_act!(acc, r, s, bias);
        }
    }
    store_tile!(c, acc, mr, nr, w0, w1);
}

/// Row `r`'s value of A at a k-step, in every lane: loaded from `ap` (`SPLAT`), or lane `r`
/// of `a4` (the k-step's `MR` values in one load).
#[inline(always)]
unsafe fn broadcast<const SPLAT: bool>(ap: *const f32, a4: v128, r: usize) -> v128 {
    if SPLAT {
        return v128_load32_splat(ap.add(r) as *const u32);
    }
    match r {
        0 => i32x4_shuffle::<0, 0, 0, 0>(a4, a4),
        1 => i32x4_shuffle::<1, 1, 1, 1>(a4, a4),
        2 => i32x4_shuffle::<2, 2, 2, 2>(a4, a4),
        _ => i32x4_shuffle::<3, 3, 3, 3>(a4, a4),
    }
}
