//! The `6 × NR` (6 × 8) micro-kernel of the fused twins: 12 accumulators, two
//! vectors of B and one broadcast of A live, 15 xmm registers. Its rows come
//! from the 4-row strips the packers write (`MR`): six rows span two strips.
//! It only pays once fused (`fma_twins.ts`): plain, each product needs a
//! sixteenth register and V8 spills. Its sums are `tile`'s (k in order), so
//! it gives the same bits.

use super::shape::{Shape, MR, NR};
use super::tile_io::{bias_act, tile_bias, Rows};
use super::vector::{activate, load, load_part, min, store, store_part};
use core::arch::wasm32::*;

/// Rows of the tall tile.
pub(crate) const TALL_MR: usize = 6;

/// `$body` for each row `$r` of the tile, written out (a loop would leave the
/// accumulators in memory: the shadow stack, which this module must not use).
macro_rules! each_row {
    ($r:ident, $body:block) => {
        { let $r = 0; $body }
        { let $r = 1; $body }
        { let $r = 2; $body }
        { let $r = 3; $body }
        { let $r = 4; $body }
        { let $r = 5; $body }
    };
}

/// One row's update at a k-step: A's value broadcast, times B's two vectors, added.
macro_rules! row {
    ($p:expr, $b0:expr, $b1:expr, $acc:ident, $r:literal) => {
        let s = v128_load32_splat($p as *const u32);
        $acc[$r][0] = f32x4_add($acc[$r][0], f32x4_mul(s, $b0));
        $acc[$r][1] = f32x4_add($acc[$r][1], f32x4_mul(s, $b1));
    };
}

/// One whole `TALL_MR × NR` tile of C (`nr` columns of it real) at column `j`. `pa` is the
/// packed strip holding the tile's first row, at lane `PHASE` (0 or 2); the
/// tile's other rows follow, into the next strip (`kc × MR` floats on).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn tile_tall<R: Rows, const PHASE: usize>(
    pa: *const f32,
    pb: *const f32,
    kc: usize,
    c: &R,
    s: &Shape,
    nr: usize,
    j: usize,
    first: bool,
    last: bool,
) {
    let (w0, w1) = (min(nr, 4), if nr > 4 { nr - 4 } else { 0 });
    let mut acc = [[f32x4_splat(0.0); 2]; TALL_MR];
    if !first {
        each_row!(r, {
            acc[r][0] = load_part(c.row(r), w0);
            acc[r][1] = load_part(c.row(r).add(4), w1);
        });
    }
    let mut a0 = pa.add(PHASE);
    let mut a1 = pa.add(kc * MR);
    let mut bp = pb;
    for _ in 0..kc {
        let b0 = load(bp);
        let b1 = load(bp.add(4));
        if PHASE == 0 {
            row!(a0, b0, b1, acc, 0);
            row!(a0.add(1), b0, b1, acc, 1);
            row!(a0.add(2), b0, b1, acc, 2);
            row!(a0.add(3), b0, b1, acc, 3);
            row!(a1, b0, b1, acc, 4);
            row!(a1.add(1), b0, b1, acc, 5);
        } else {
            row!(a0, b0, b1, acc, 0);
            row!(a0.add(1), b0, b1, acc, 1);
            row!(a1, b0, b1, acc, 2);
            row!(a1.add(1), b0, b1, acc, 3);
            row!(a1.add(2), b0, b1, acc, 4);
            row!(a1.add(3), b0, b1, acc, 5);
        }
        a0 = a0.add(MR);
        a1 = a1.add(MR);
        bp = bp.add(NR);
    }
    if last && (!s.bias.is_null() || s.act != 0) {
        let bias = tile_bias!(s, j, w0, w1);
        each_row!(r, {
            bias_act!(acc, r, s, bias);
        });
    }
    each_row!(r, {
        if nr == NR {
            store(c.row(r), acc[r][0]);
            store(c.row(r).add(4), acc[r][1]);
        } else {
            store_part(c.row(r), acc[r][0], w0);
            store_part(c.row(r).add(4), acc[r][1], w1);
        }
    });
}

/// The tall tiles of one column strip of a packed block of `mc` rows (`pa`: its
/// 4-row strips, `pb`: the B strip), two at a time: each pair covers three strips,
/// the first tile at lane 0 of one, the second at lane 2 of the next. `rows(r)` is
/// C from the block's row `r`. Returns the rows done (a multiple of twelve), from
/// which the caller's `MR × NR` tiles go on.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn tall_pairs<R: Rows>(
    pa: *const f32,
    pb: *const f32,
    kc: usize,
    mc: usize,
    rows: impl Fn(usize) -> R,
    s: &Shape,
    nr: usize,
    j: usize,
    first: bool,
    last: bool,
) -> usize {
    let mut ir = 0;
    while ir + 2 * TALL_MR <= mc {
        tile_tall::<_, 0>(pa.add(ir * kc), pb, kc, &rows(ir), s, nr, j, first, last);
        tile_tall::<_, 2>(pa.add((ir + MR) * kc), pb, kc, &rows(ir + TALL_MR), s, nr, j, first, last);
        ir += 2 * TALL_MR;
    }
    ir
}
