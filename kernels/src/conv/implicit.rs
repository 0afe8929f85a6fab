//! NHWC convolutions as packed GEMMs on gemm.rs's micro-kernel, with
//! implicit im2col: patches are packed straight into the A panels (no im2col
//! buffer), so the workspace is matmul's plus a table of C row pointers.
//!
//! - forward: `y[(b,oy,ox), co] = Σ_(ky,kx,ci) x[b, oy·sh−top+ky·dh, ox·sw−left+kx·dw, ci] · W[(ky,kx,ci), co]`
//!   (M = n·oh·ow, K = kh·kw·cin, N = cout);
//! - filter gradient: `dW[(ky,kx,ci), co] = Σ_(b,oy,ox) x[…] · dy[(b,oy,ox), co]`
//!   (M = kh·kw·cin, K = n·oh·ow, N = cout);
//! - input gradient (conv2d_transpose's forward, input.rs), one GEMM per output phase
//!   `(y mod sh, x mod sw)`: only the taps that reach that phase,
//!   `dx[(b,y,x), ci] = Σ_(ky,kx,co) dy[b, (y+top−ky)/sh, (x+left−kx)/sw, co] · W[ky,kx,ci,co]`
//!   over `ky ≡ y+top (mod sh)` ascending, likewise kx, so no zero-inserted
//!   rows are multiplied (M = pixels of the phase, K = taps·cout, N = cin).
//!
//! Out-of-image positions are packed as zeros and summed like any term, so the
//! summation order is K's order, tap by tap, for every element, whatever the
//! tiling or the row range: the scalar references (`reference.rs`) give
//! the same bits. Each kernel computes the GEMM rows `m0..m1` only (forward:
//! output pixels; filter: `(ky,kx,ci)`; input: dx pixels), for a thread pool.

use super::geom::{div, inside, min, rem, Geom};
use super::pack::{pack_patches, pack_taps};
use crate::gemm::{pack_b, tall_pairs, tile, Rows, Shape, KC, MC, MR, NC, NR};
use core::arch::wasm32::*;

/// Workspace floats: a packed B panel, a packed A block, a C row table.
pub const WORK_LEN: usize = KC * (NC + MC) + MC;

/// Input channels below which the forward pass packs patches 4 k-values at a time
/// across taps (`pack.rs`: 2x faster with 1 channel); with more, 4×4 blocks of
/// a tap's channels.
const PACK_BY_CHUNKS: usize = 4;

/// One implicit GEMM: how to pack its operands and where its C rows are.
pub(crate) trait Problem {
    fn k(&self) -> usize;
    fn n(&self) -> usize;
    /// Packs B rows `pc..pc+kc`, columns `jc..jc+nc` as `matmul::pack_b` does.
    unsafe fn pack_b(&self, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32);
    /// Packs A rows `i..i+mr` (`mr <= MR`), columns `pc..pc+kc` into one
    /// `kc × MR` strip (element (i+r, p) at `(p−pc)·MR + r`), zeros past `mr`.
    unsafe fn pack_a(&self, i: usize, mr: usize, pc: usize, kc: usize, dst: *mut f32);
    /// Row `i` of C.
    unsafe fn row(&self, i: usize) -> *mut f32;
}

/// Zeros column `r` of a `kc × MR` strip.
#[inline(always)]
pub(crate) unsafe fn zero_col(dst: *mut f32, r: usize, kc: usize) {
    for p in 0..kc {
        *dst.add(p * MR + r) = 0.0;
    }
}

/// Copies `len` floats from `src` (zeros when not `valid`: `src` may be
/// anything then, even address 0, which is a valid pointer here) into column
/// `r` of a strip from row `at`.
#[inline(always)]
pub(crate) unsafe fn copy_col(dst: *mut f32, at: usize, r: usize, valid: bool, src: *const f32, len: usize) {
    let out = dst.add(at * MR + r);
    if valid {
        for q in 0..len {
            *out.add(q * MR) = *src.add(q);
        }
    } else {
        for q in 0..len {
            *out.add(q * MR) = 0.0;
        }
    }
}

/// C rows of the current tile: a table of row pointers (in the workspace) and a column.
struct Table {
    rows: *const *mut f32,
    col: usize,
}

impl Rows for Table {
    #[inline(always)]
    unsafe fn row(&self, r: usize) -> *mut f32 {
        (*self.rows.add(r)).add(self.col)
    }
}

/// gemm.rs's loop nest over rows `i0..i1` of `p`, its B packed once per
/// panel, its A packed by `p` (implicit im2col). `TALL`: most rows on the 6 × 8
/// tile (`gemm::tile_tall`), the fused twins' source; same bits.
#[inline(always)]
pub(crate) unsafe fn run<P: Problem, const TALL: bool>(p: &P, i0: usize, i1: usize, work: *mut f32) {
    run_block::<P, TALL>(p, i0, i1, 0, p.n(), work);
}

/// [`run`] on columns `j0..j1` of C only (the same sums: k-order does not depend on the block).
#[inline(always)]
pub(crate) unsafe fn run_block<P: Problem, const TALL: bool>(p: &P, i0: usize, i1: usize, j0: usize, j1: usize, work: *mut f32) {
    let k = p.k();
    let n = min(j1, p.n());
    if i1 <= i0 || n <= j0 {
        return;
    }
    let shape = Shape::new(0, k as u32, n as u32, 0, core::ptr::null(), 0, 0.0);
    let pb = work;
    let pa = work.add(KC * NC);
    let rows = work.add(KC * (NC + MC)) as *mut *mut f32;
    let mut jc = j0;
    while jc < n {
        let nc = min(NC, n - jc);
        let mut pc = 0;
        loop {
            let kc = min(KC, k - pc);
            let (first, last) = (pc == 0, pc + kc >= k);
            p.pack_b(pc, kc, jc, nc, pb);
            let mut ic = i0;
            while ic < i1 {
                let mc = min(MC, i1 - ic);
                let mut ir = 0;
                while ir < mc {
                    let mr = min(MR, mc - ir);
                    p.pack_a(ic + ir, mr, pc, kc, pa.add(ir * kc));
                    for r in 0..mr {
                        *rows.add(ir + r) = p.row(ic + ir + r);
                    }
                    ir += MR;
                }
                let mut jr = 0;
                while jr < nc {
                    let nr = min(NR, nc - jr);
                    let mut ir = 0;
                    if TALL {
                        let j = jc + jr;
                        let table = |r: usize| Table { rows: rows.add(r), col: j };
                        ir = tall_pairs(pa, pb.add(jr * kc), kc, mc, table, &shape, nr, j, first, last);
                    }
                    while ir < mc {
                        let mr = min(MR, mc - ir);
                        let ct = Table {
                            rows: rows.add(ir),
                            col: jc + jr,
                        };
                        tile::<_, false>(
                            pa.add(ir * kc),
                            pb.add(jr * kc),
                            kc,
                            &ct,
                            &shape,
                            mr,
                            nr,
                            jc + jr,
                            first,
                            last,
                        );
                        ir += MR;
                    }
                    jr += NR;
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

/// Packs a plain row-major `k × n` B with matmul's packer.
#[inline(always)]
unsafe fn pack_plain_b(b: *const f32, k: usize, n: usize, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
    let s = Shape::new(0, k as u32, n as u32, 0, core::ptr::null(), 0, 0.0);
    pack_b(b, &s, pc, kc, jc, nc, dst);
}

/// Forward: A = patches of x (rows: output pixels), B = W `[kh·kw·cin, cout]`, C = y.
struct Forward<'a> {
    g: &'a Geom,
    x: *const f32,
    w: *const f32,
    y: *mut f32,
}

impl Problem for Forward<'_> {
    #[inline(always)]
    fn k(&self) -> usize {
        self.g.kh * self.g.kw * self.g.cin
    }
    #[inline(always)]
    fn n(&self) -> usize {
        self.g.cout
    }
    #[inline(always)]
    unsafe fn pack_b(&self, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
        pack_plain_b(self.w, self.k(), self.n(), pc, kc, jc, nc, dst);
    }
    #[inline(always)]
    unsafe fn pack_a(&self, i: usize, mr: usize, pc: usize, kc: usize, dst: *mut f32) {
        let g = self.g;
        if kc == 0 {
            return;
        }
        if g.cin < PACK_BY_CHUNKS {
            return pack_patches(g, self.x, i, mr, pc, kc, dst);
        }
        if kc > 0 {
            return pack_taps(g, self.x, i, mr, pc, kc, dst);
        }
        for r in 0..MR {
            if r >= mr {
                zero_col(dst, r, kc);
                continue;
            }
            let row = i + r;
            let (ox, t) = (rem(row, g.ow), div(row, g.ow));
            let (oy, b) = (rem(t, g.oh), div(t, g.oh));
            let iy0 = (oy * g.sh) as isize - g.top;
            let ix0 = (ox * g.sw) as isize - g.left;
            // Tap (ky, kx) and channel of k = pc, then stepped without dividing (cin may be 1).
            let (tap, mut ci) = (div(pc, g.cin), rem(pc, g.cin));
            let (mut ky, mut kx) = (div(tap, g.kw), rem(tap, g.kw));
            let mut p = pc;
            while p < pc + kc {
                let len = min(g.cin - ci, pc + kc - p);
                let iy = iy0 + (ky * g.dh) as isize;
                let ix = ix0 + (kx * g.dw) as isize;
                let valid = inside(iy, g.h) && inside(ix, g.w);
                let at = ((b * g.h + iy as usize) * g.w + ix as usize) * g.cin + ci;
                copy_col(dst, p - pc, r, valid, self.x.wrapping_add(at), len);
                p += len;
                ci = 0;
                kx += 1;
                if kx == g.kw {
                    kx = 0;
                    ky += 1;
                }
            }
        }
    }
    #[inline(always)]
    unsafe fn row(&self, i: usize) -> *mut f32 {
        self.y.add(i * self.g.cout)
    }
}

/// Filter gradient: A = patches of x transposed (rows: `(ky,kx,ci)`, k: output
/// pixels), B = dy `[n·oh·ow, cout]`, C = dW.
struct Filter<'a> {
    g: &'a Geom,
    x: *const f32,
    dy: *const f32,
    dw: *mut f32,
}

impl Problem for Filter<'_> {
    #[inline(always)]
    fn k(&self) -> usize {
        self.g.n * self.g.oh * self.g.ow
    }
    #[inline(always)]
    fn n(&self) -> usize {
        self.g.cout
    }
    #[inline(always)]
    unsafe fn pack_b(&self, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
        pack_plain_b(self.dy, self.k(), self.n(), pc, kc, jc, nc, dst);
    }
    #[inline(always)]
    unsafe fn pack_a(&self, i: usize, mr: usize, pc: usize, kc: usize, dst: *mut f32) {
        let g = self.g;
        if kc == 0 {
            return;
        }
        let ci0 = rem(i, g.cin);
        // All MR rows at one tap, consecutive channels: one vector per output pixel. With 1
        // channel and dilation 1, rows at consecutive kx of one kernel row are consecutive
        // in x too (`by_kx`: the vector's lanes are then at columns ix..ix+MR).
        let kx0 = rem(div(i, g.cin), g.kw);
        let by_kx = mr == MR && g.cin == 1 && g.dw == 1 && kx0 + MR <= g.kw;
        let wide = (mr == MR && ci0 + MR <= g.cin) || by_kx;
        let rows = if wide { 1 } else { MR };
        for r in 0..rows {
            if r >= mr {
                zero_col(dst, r, kc);
                continue;
            }
            let (ci, tap) = (rem(i + r, g.cin), div(i + r, g.cin));
            let dy0 = (div(tap, g.kw) * g.dh) as isize - g.top;
            let dx0 = (rem(tap, g.kw) * g.dw) as isize - g.left;
            let (mut ox, t) = (rem(pc, g.ow), div(pc, g.ow));
            let (mut oy, mut b) = (rem(t, g.oh), div(t, g.oh));
            let mut p = 0;
            while p < kc {
                // One run of output pixels along a row of y.
                let len = min(g.ow - ox, kc - p);
                let iy = (oy * g.sh) as isize + dy0;
                if !inside(iy, g.h) {
                    if wide {
                        for q in 0..len {
                            (dst.add((p + q) * MR) as *mut v128).write_unaligned(f32x4_splat(0.0));
                        }
                    } else {
                        copy_col(dst, p, r, false, self.x, len);
                    }
                } else {
                    let base = self.x.add((b * g.h + iy as usize) * g.w * g.cin + ci);
                    for q in 0..len {
                        let ix = ((ox + q) * g.sw) as isize + dx0;
                        let at = dst.add((p + q) * MR + r);
                        if wide {
                            let last = if by_kx { ix + (MR - 1) as isize } else { ix };
                            let v = if inside(ix, g.w) && inside(last, g.w) {
                                (base.add(ix as usize * g.cin) as *const v128).read_unaligned()
                            } else if by_kx && last >= 0 && ix < g.w as isize {
                                // Partly inside (a border): lane by lane.
                                let lane = |l: isize| {
                                    if inside(ix + l, g.w) {
                                        *base.offset(ix + l)
                                    } else {
                                        0.0
                                    }
                                };
                                f32x4(lane(0), lane(1), lane(2), lane(3))
                            } else {
                                f32x4_splat(0.0)
                            };
                            (at as *mut v128).write_unaligned(v);
                        } else {
                            *at = if inside(ix, g.w) {
                                *base.add(ix as usize * g.cin)
                            } else {
                                0.0
                            };
                        }
                    }
                }
                p += len;
                ox = 0;
                oy += 1;
                if oy == g.oh {
                    oy = 0;
                    b += 1;
                }
            }
        }
    }
    #[inline(always)]
    unsafe fn row(&self, i: usize) -> *mut f32 {
        self.dw.add(i * self.g.cout)
    }
}

/// Forward convolution, output pixels `m0..m1` (of `n·oh·ow`).
#[inline(always)]
pub unsafe fn forward<const TALL: bool>(g: &Geom, x: *const f32, w: *const f32, y: *mut f32, m0: usize, m1: usize, work: *mut f32) {
    run::<_, TALL>(&Forward { g, x, w, y }, m0, m1, work);
}

/// Filter gradient, rows `m0..m1` (of `kh·kw·cin`) of dW.
#[inline(always)]
pub unsafe fn filter<const TALL: bool>(g: &Geom, x: *const f32, dy: *const f32, dw: *mut f32, m0: usize, m1: usize, work: *mut f32) {
    run::<_, TALL>(&Filter { g, x, dy, dw }, m0, m1, work);
}

/// Filter gradient, columns `n0..n1` (of `cout`) of dW, every row: the split for
/// few rows (`kh·kw·cin` small, e.g. 1 input channel), where splitting rows
/// would make every part pack all of dy.
#[inline(always)]
pub unsafe fn filter_cols<const TALL: bool>(g: &Geom, x: *const f32, dy: *const f32, dw: *mut f32, n0: usize, n1: usize, work: *mut f32) {
    run_block::<_, TALL>(&Filter { g, x, dy, dw }, 0, g.kh * g.kw * g.cin, n0, n1, work);
}
