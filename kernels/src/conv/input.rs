//! The input gradient (Conv2DBackpropInput, conv2d_transpose's forward pass,
//! dilation 1) on implicit.rs's GEMM, one GEMM per output phase
//! `(y mod sh, x mod sw)`: phase rows only receive the taps
//! `ky ≡ y + top (mod sh)` (ascending, likewise kx), so no inserted zeros are
//! multiplied. With at most `FEW` (4) dx channels one dx pixel per f32x4 lane instead
//! (input_few.rs); with at most `NR` A is read in place instead of packed.

use super::geom::{div, inside, min, rem, Axis, Geom};
use super::implicit::{copy_col, run, zero_col, Problem, WORK_LEN};
use super::input_few::{input_few, FEW};
use super::pack::{four, store_transposed};
use crate::gemm::{load, load_part, load_tile, store, store_part, store_tile, Rows, KC, MC, MR, NC, NR};
use core::arch::wasm32::*;

/// Input gradient, one phase: A = dy at the phase's taps (rows: the phase's
/// dx pixels `(b, jy, jx)`, k: `(tap y, tap x, co)`), B = W at those taps,
/// transposed, C = dx rows of the phase.
struct Input<'a> {
    g: &'a Geom,
    dy: *const f32,
    w: *const f32,
    dx: *mut f32,
    ay: Axis,
    ax: Axis,
    ry: usize,
    rx: usize,
}

impl Problem for Input<'_> {
    #[inline(always)]
    fn k(&self) -> usize {
        self.ay.taps * self.ax.taps * self.g.cout
    }
    #[inline(always)]
    fn n(&self) -> usize {
        self.g.cin
    }
    #[inline(always)]
    unsafe fn pack_b(&self, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
        let g = self.g;
        if kc == 0 {
            return;
        }
        let mut jr = 0;
        while jr < nc {
            let strip = dst.add(jr * kc);
            let nr = min(NR, nc - jr);
            let (mut tap, mut co) = (div(pc, g.cout), rem(pc, g.cout));
            for p in 0..kc {
                let ky = self.ay.k0 + div(tap, self.ax.taps) * g.sh;
                let kx = self.ax.k0 + rem(tap, self.ax.taps) * g.sw;
                let src = self.w.add(((ky * g.kw + kx) * g.cin + jc + jr) * g.cout + co);
                let out = strip.add(p * NR);
                for j in 0..NR {
                    *out.add(j) = if j < nr { *src.add(j * g.cout) } else { 0.0 };
                }
                co += 1;
                if co == g.cout {
                    co = 0;
                    tap += 1;
                }
            }
            jr += NR;
        }
    }
    #[inline(always)]
    unsafe fn pack_a(&self, i: usize, mr: usize, pc: usize, kc: usize, dst: *mut f32) {
        let g = self.g;
        if kc == 0 {
            return;
        }
        if g.cout >= 4 {
            return self.pack_a_by_4(i, mr, pc, kc, dst);
        }
        for r in 0..MR {
            if r >= mr {
                zero_col(dst, r, kc);
                continue;
            }
            let row = i + r;
            let (jx, t) = (rem(row, self.ax.count), div(row, self.ax.count));
            let (jy, b) = (rem(t, self.ay.count), div(t, self.ay.count));
            let (mut tap, mut co) = (div(pc, g.cout), rem(pc, g.cout));
            let mut p = pc;
            while p < pc + kc {
                let len = min(g.cout - co, pc + kc - p);
                let oy = (jy as isize) + self.ay.off - div(tap, self.ax.taps) as isize;
                let ox = (jx as isize) + self.ax.off - rem(tap, self.ax.taps) as isize;
                let valid = inside(oy, g.oh) && inside(ox, g.ow);
                let at = ((b * g.oh + oy as usize) * g.ow + ox as usize) * g.cout + co;
                copy_col(dst, p - pc, r, valid, self.dy.wrapping_add(at), len);
                p += len;
                tap += 1;
                co = 0;
            }
        }
    }
    #[inline(always)]
    unsafe fn row(&self, i: usize) -> *mut f32 {
        let g = self.g;
        let (jx, t) = (rem(i, self.ax.count), div(i, self.ax.count));
        let (jy, b) = (rem(t, self.ay.count), div(t, self.ay.count));
        let (y, x) = (jy * g.sh + self.ry, jx * g.sw + self.rx);
        self.dx.add(((b * g.h + y) * g.w + x) * g.cin)
    }
}

impl Input<'_> {
    /// Where phase row `row` reads dy at tap 0: its image, `jy + off_y`, `jx + off_x`;
    /// `None` when not `live`.
    #[inline(always)]
    fn origin(&self, row: usize, live: bool) -> Option<(usize, isize, isize)> {
        if !live {
            return None;
        }
        let (jx, t) = (rem(row, self.ax.count), div(row, self.ax.count));
        let (jy, b) = (rem(t, self.ay.count), div(t, self.ay.count));
        Some((b, jy as isize + self.ay.off, jx as isize + self.ax.off))
    }

    /// dy at tap `(ty, tx)`, channel `co` for a row at `origin`; null outside dy.
    #[inline(always)]
    unsafe fn at(&self, origin: Option<(usize, isize, isize)>, ty: usize, tx: usize, co: usize) -> *const f32 {
        let g = self.g;
        match origin {
            Some((b, y, x)) => {
                let (oy, ox) = (y - ty as isize, x - tx as isize);
                if inside(oy, g.oh) && inside(ox, g.ow) {
                    self.dy.add(((b * g.oh + oy as usize) * g.ow + ox as usize) * g.cout + co)
                } else {
                    core::ptr::null()
                }
            }
            None => core::ptr::null(),
        }
    }

    /// `pack_a` four rows at a time: each tap's run of `cout` channels as 4×4
    /// blocks (four loads, a transpose, four stores); same values.
    #[inline(always)]
    unsafe fn pack_a_by_4(&self, i: usize, mr: usize, pc: usize, kc: usize, dst: *mut f32) {
        let g = self.g;
        let (o0, o1, o2, o3) =
            (self.origin(i, true), self.origin(i + 1, mr > 1), self.origin(i + 2, mr > 2), self.origin(i + 3, mr > 3));
        let (mut tap, mut co) = (div(pc, g.cout), rem(pc, g.cout));
        let mut p = 0;
        while p < kc {
            let len = min(g.cout - co, kc - p);
            let (ty, tx) = (div(tap, self.ax.taps), rem(tap, self.ax.taps));
            let (s0, s1, s2, s3) = (self.at(o0, ty, tx, co), self.at(o1, ty, tx, co), self.at(o2, ty, tx, co), self.at(o3, ty, tx, co));
            let mut q = 0;
            while q < len {
                let n = min(4, len - q);
                store_transposed(dst.add((p + q) * MR), four(s0, q, n), four(s1, q, n), four(s2, q, n), four(s3, q, n), n);
                q += n;
            }
            p += len;
            tap += 1;
            co = 0;
        }
    }
}

/// The phase-`(ry, rx)` pixels among dx pixels `0..m` (`m <= n·h·w`).
#[inline(always)]
fn phase_rows(g: &Geom, ay: &Axis, ax: &Axis, ry: usize, rx: usize, m: usize) -> usize {
    let plane = g.h * g.w;
    let (b, rest) = (div(m, plane), rem(m, plane));
    let (y, x) = (div(rest, g.w), rem(rest, g.w));
    let in_row = if y >= ry && rem(y - ry, g.sh) == 0 {
        ax.before(x, g.sw, rx)
    } else {
        0
    };
    (b * ay.count + ay.before(y, g.sh, ry)) * ax.count + in_row
}

/// C rows given one by one.
struct Ptrs([*mut f32; MR]);

impl Rows for Ptrs {
    #[inline(always)]
    unsafe fn row(&self, r: usize) -> *mut f32 {
        self.0[r]
    }
}

/// matmul's micro-kernel with A read in place: row `r`'s `len` k-steps are
/// `a[r][0..len]` (no packing), B a packed `len × NR` strip. Same sums as `tile`.
#[inline(always)]
unsafe fn tile_direct(a: [*const f32; MR], pb: *const f32, len: usize, c: &Ptrs, mr: usize, nr: usize, first: bool) {
    let (w0, w1) = (min(nr, 4), if nr > 4 { nr - 4 } else { 0 });
    let mut acc = [[f32x4_splat(0.0); 2]; MR];
    if !first {
        load_tile!(c, acc, mr, w0, w1);
    }
    let mut bp = pb;
    for q in 0..len {
        let b0 = load(bp);
        let b1 = load(bp.add(4));
        for r in 0..MR {
            let av = v128_load32_splat(a[r].add(q) as *const u32);
            acc[r][0] = f32x4_add(acc[r][0], f32x4_mul(av, b0));
            acc[r][1] = f32x4_add(acc[r][1], f32x4_mul(av, b1));
        }
        bp = bp.add(NR);
    }
    store_tile!(c, acc, mr, nr, w0, w1);
}

/// The input gradient of one phase when dx has at most `NR` channels: every
/// dy element is used once per tap, so packing A would cost as much as the
/// product; A is read in place, tap by tap, from dy (or from zeros in the
/// workspace for taps outside dy). B (all of K) is packed once.
#[inline(always)]
unsafe fn input_skinny(p: &Input, i0: usize, i1: usize, work: *mut f32) {
    let g = p.g;
    let k = p.k();
    let pb = work;
    let zeros = work.add(KC * NC);
    for q in 0..g.cout {
        *zeros.add(q) = 0.0;
    }
    p.pack_b(0, k, 0, g.cin, pb);
    let taps = p.ay.taps * p.ax.taps;
    let mut i = i0;
    while i < i1 {
        let mr = min(MR, i1 - i);
        let mut rows = Ptrs([core::ptr::null_mut(); MR]);
        // (b, jy, jx) of each row; rows past mr repeat the last (read, never stored).
        let mut pix = [(0usize, 0usize, 0usize); MR];
        for r in 0..MR {
            let row = i + min(r, mr - 1);
            let (jx, t) = (rem(row, p.ax.count), div(row, p.ax.count));
            pix[r] = (div(t, p.ay.count), rem(t, p.ay.count), jx);
            rows.0[r] = p.row(row);
        }
        for t in 0..taps {
            let (ty, tx) = (div(t, p.ax.taps), rem(t, p.ax.taps));
            let mut a = [zeros as *const f32; MR];
            for r in 0..MR {
                let (b, jy, jx) = pix[r];
                let oy = jy as isize + p.ay.off - ty as isize;
                let ox = jx as isize + p.ax.off - tx as isize;
                if inside(oy, g.oh) && inside(ox, g.ow) {
                    a[r] = p.dy.add(((b * g.oh + oy as usize) * g.ow + ox as usize) * g.cout);
                }
            }
            tile_direct(a, pb.add(t * g.cout * NR), g.cout, &rows, mr, g.cin, t == 0);
        }
        i += MR;
    }
}

/// Input gradient (dilation 1), dx pixels `m0..m1` (of `n·h·w`), phase by phase
/// (`TALL`: see `implicit::run`).
#[inline(always)]
pub unsafe fn input<const TALL: bool>(g: &Geom, dy: *const f32, w: *const f32, dx: *mut f32, m0: usize, m1: usize, work: *mut f32) {
    if g.h == 0 || g.w == 0 || g.cin == 0 {
        return;
    }
    // Few dx channels: one dx pixel per lane (input_few.rs), when the image fits the workspace.
    if g.cin <= FEW && input_few(g, dy, w, dx, m0, m1, work, WORK_LEN) {
        return;
    }
    for ry in 0..g.sh {
        let ay = Axis::new(g.h, g.kh, g.sh, g.top, ry);
        for rx in 0..g.sw {
            let ax = Axis::new(g.w, g.kw, g.sw, g.left, rx);
            if ay.count == 0 || ax.count == 0 {
                continue;
            }
            let i0 = phase_rows(g, &ay, &ax, ry, rx, m0);
            let i1 = phase_rows(g, &ay, &ax, ry, rx, m1);
            let p = Input {
                g,
                dy,
                w,
                dx,
                ay,
                ax,
                ry,
                rx,
            };
            // Few channels, some taps, B and a zero row fitting the workspace: A in place.
            let taps = ay.taps * ax.taps;
            if g.cin <= NR && taps > 0 && taps * g.cout <= KC * NC / NR && g.cout <= KC * MC {
                input_skinny(&p, i0, i1, work);
            } else {
                run::<_, TALL>(&p, i0, i1, work);
            }
        }
    }
}
