//! The blocked driver: the BLIS loop nest over packed panels of B and blocks
//! of A, one micro-kernel call per tile of C (or [`gemv`] for at most four columns,
//! [`few_rows`] for at most two rows).

use super::gemv::{gemv, NARROW_N};
use super::small::{few_rows, few_rows_path};
use super::pack::{pack_a, pack_b_w};
use super::shape::{Shape, KC, MC, MM_KC, MM_MR, MM_NR, MR, NC, NR};
use super::tile::tile;
use super::tile_io::Rows;
use super::tile_wide::tile_wide;
use super::tile_tall::tall_pairs;
use super::vector::min;

/// C's rows evenly strided (`n` floats apart) from `c`: the matmul's tile for [`tile`].
struct Strided {
    c: *mut f32,
    n: usize,
}

impl Rows for Strided {
    #[inline(always)]
    unsafe fn row(&self, r: usize) -> *mut f32 {
        self.c.add(r * self.n)
    }
}

/// Rows `i0..i1`, columns `j0..j1` of one matrix's C (the rest untouched), on
/// [`tile_wide`] (`MM_MR × MM_NR`, `MM_KC`-deep blocks) or, when `NARROW`, on
/// the conv kernels' [`tile`] (`MR × NR`, `KC`-deep). The two sum alike (same
/// bits); plain, the wide tile is faster here, while in the fused twins (see
/// `fma_twins.ts`) the narrow one is (45 against 41 GFLOP/s at 512³, 1 thread).
///
/// Every element is the same sum as for the whole matrix (the summation order per
/// element does not depend on the block), so blocks computed apart, on any
/// threads, give the bits of the whole. Blocks starting at a multiple of `MR`
/// rows or `NR` columns waste no lanes; any block is correct.
///
/// `SPLAT` picks how the 4 × 8 tile broadcasts A (see [`tile`]): same bits.
/// `TALL` (narrow only) runs the rows on [`tile_tall`] (6 × 8) twelve at a time,
/// the rest on [`tile`]: same bits, for the fused twins only (see `tile_tall.rs`).
///
/// Always inlined: a call would put `s` on the shadow stack (it is passed by
/// address), which this module must never use.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_block<const NARROW: bool, const SPLAT: bool, const TALL: bool>(
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    s: &Shape,
    work: *mut f32,
    i0: usize,
    i1: usize,
    j0: usize,
    j1: usize,
) {
    let (i1, j1) = (min(i1, s.m), min(j1, s.n));
    if i0 >= i1 || j0 >= j1 {
        return;
    }
    if j1 - j0 <= NARROW_N || few_rows_path(s, i1 - i0) {
        let (m, k, n, bias, act, alpha) = (s.m, s.k, s.n, s.bias, s.act, s.alpha);
        unpacked(a, b, c, m, k, n, s.a_i, s.a_p, s.b_p, s.b_j, bias, act, alpha, i0, i1, j0, j1);
        return;
    }
    let (k, n) = (s.k, s.n);
    let pb = work;
    let pa = work.add(KC * NC);
    let mut jc = j0;
    while jc < j1 {
        let nc = min(NC, j1 - jc);
        let mut pc = 0;
        let (depth, h, w) = if NARROW { (KC, MR, NR) } else { (MM_KC, MM_MR, MM_NR) };
        loop {
            let kc = min(depth, k - pc);
            let (first, last) = (pc == 0, pc + kc >= k);
            if NARROW {
                pack_b_w::<NR>(b, s, pc, kc, jc, nc, pb);
            } else {
                pack_b_w::<MM_NR>(b, s, pc, kc, jc, nc, pb);
            }
            let mut ic = i0;
            while ic < i1 {
                let mc = min(MC, i1 - ic);
                if NARROW {
                    pack_a::<MR>(a, s, ic, mc, pc, kc, pa);
                } else {
                    pack_a::<MM_MR>(a, s, ic, mc, pc, kc, pa);
                }
                let mut jr = 0;
                while jr < nc {
                    let nr = min(w, nc - jr);
                    let mut ir = 0;
                    if NARROW && TALL {
                        let j = jc + jr;
                        let rows = |r: usize| Strided { c: c.add((ic + r) * n + j), n };
                        ir = tall_pairs(pa, pb.add(jr * kc), kc, mc, rows, s, nr, j, first, last);
                    }
                    while ir < mc {
                        let mr = min(h, mc - ir);
                        let (at, bt, j) = (pa.add(ir * kc), pb.add(jr * kc), jc + jr);
                        let ct = c.add((ic + ir) * n + j);
                        if NARROW {
                            tile::<_, SPLAT>(at, bt, kc, &Strided { c: ct, n }, s, mr, nr, j, first, last);
                        } else {
                            tile_wide(at, bt, kc, ct, s, mr, nr, j, first, last);
                        }
                        ir += h;
                    }
                    jr += w;
                }
                ic += MC;
            }
            pc += kc;
            if pc >= k {
                break;
            }
        }
        jc += NC;
    }
}

/// The unpacked paths, [`gemv`] (at most [`NARROW_N`] columns) or [`few_rows`], with `s` as its
/// fields (scalars: a struct passed by address would go on the shadow stack this module must
/// not have), so that their code is in the module once (and once in the fused twins), not
/// inlined into every product.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn unpacked(
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    m: usize,
    k: usize,
    n: usize,
    a_i: usize,
    a_p: usize,
    b_p: usize,
    b_j: usize,
    bias: *const f32,
    act: u32,
    alpha: f32,
    i0: usize,
    i1: usize,
    j0: usize,
    j1: usize,
) {
    let s = &Shape { m, k, n, a_i, a_p, b_p, b_j, bias, act, alpha };
    if j1 - j0 <= NARROW_N {
        gemv(a, b, c, s, i0, i1, j0, j1);
    } else {
        few_rows(a, b, c, s, i0, i1, j0, j1);
    }
}
