//! The input gradient (Conv2DBackpropInput, dilation 1) when dx has few channels
//! (conv2d_transpose to 1-4 channels, e.g. a generator's image layer): as a GEMM its
//! N is `cin`, so the micro-kernel's 8 columns would be mostly padding. Instead each
//! f32x4 lane is one dx pixel: per image, dy is copied transposed to `[oy][co][ox]`
//! with zero borders into the workspace, so 8 dx pixels of one row and phase (`x =
//! jx·sw + rx`, consecutive `jx`) read consecutive `ox` with two vector loads per
//! `(tap, co)`, times one broadcast weight. Every lane sums its terms in the
//! reference's order (taps `ty`, `tx` ascending, then `co`; out-of-image terms as
//! `0 · w`), so the bits are the reference's, for any row range.

use super::geom::{div, min, rem, Axis, Geom};
use core::arch::wasm32::*;

/// dx channels up to which this path beats `input_skinny` (8 useful lanes per
/// broadcast here, `cin` of 8 columns there).
pub const FEW: usize = 4;
/// dx pixels per step (two f32x4).
const LANES: usize = 8;

/// The zero-bordered, transposed copy of one image's dy: `[rows][cout][cols]`, dy
/// `(oy, ox)` at row `oy + py`, column `ox + px`.
#[derive(Clone, Copy)]
struct Plane {
    py: usize,
    px: usize,
    rows: usize,
    cols: usize,
}

impl Plane {
    /// The plane holding every dy position any phase reads (lanes past a phase's
    /// row included), or `None` when it does not fit in `len` floats.
    #[inline(always)]
    fn new(g: &Geom, len: usize) -> Option<Plane> {
        let (mut lo_y, mut hi_y, mut lo_x, mut hi_x) =
            (0isize, g.oh as isize, 0isize, g.ow as isize);
        for ry in 0..g.sh {
            let a = Axis::new(g.h, g.kh, g.sh, g.top, ry);
            if a.count > 0 && a.taps > 0 {
                lo_y = lo_y.min(a.off - (a.taps as isize - 1));
                // Rows past the phase's last (up to ROWS − 1) are read too.
                hi_y = hi_y.max((a.count + ROWS - 1) as isize + a.off);
            }
        }
        for rx in 0..g.sw {
            let a = Axis::new(g.w, g.kw, g.sw, g.left, rx);
            if a.count > 0 && a.taps > 0 {
                lo_x = lo_x.min(a.off - (a.taps as isize - 1));
                // A step's lanes run up to LANES − 1 past the phase's last pixel.
                hi_x = hi_x.max((a.count + LANES - 1) as isize + a.off);
            }
        }
        let (py, px) = ((-lo_y) as usize, (-lo_x) as usize);
        let (rows, cols) = ((hi_y - lo_y) as usize, (hi_x - lo_x) as usize);
        if rows.checked_mul(cols)?.checked_mul(g.cout)? > len {
            return None;
        }
        Some(Plane { py, px, rows, cols })
    }

    /// Copies image `b` of dy into `t`, transposed (4×4 blocks by shuffles), zeros around.
    #[inline(always)]
    unsafe fn fill(&self, g: &Geom, dy: *const f32, b: usize, t: *mut f32) {
        let row = g.cout * self.cols;
        zero(t, self.py * row);
        zero(
            t.add((self.py + g.oh) * row),
            (self.rows - self.py - g.oh) * row,
        );
        for oy in 0..g.oh {
            let src = dy.add((b * g.oh + oy) * g.ow * g.cout);
            let dst = t.add((oy + self.py) * row);
            for co in 0..g.cout {
                zero(dst.add(co * self.cols), self.px);
                zero(
                    dst.add(co * self.cols + self.px + g.ow),
                    self.cols - self.px - g.ow,
                );
            }
            let dst = dst.add(self.px);
            let (mut ox, mut co) = (0, 0);
            while ox + 4 <= g.ow {
                co = 0;
                while co + 4 <= g.cout {
                    let at = |q: usize| {
                        (src.add((ox + q) * g.cout + co) as *const v128).read_unaligned()
                    };
                    let (r0, r1, r2, r3) = (at(0), at(1), at(2), at(3));
                    let t0 = i32x4_shuffle::<0, 4, 1, 5>(r0, r1);
                    let t1 = i32x4_shuffle::<2, 6, 3, 7>(r0, r1);
                    let t2 = i32x4_shuffle::<0, 4, 1, 5>(r2, r3);
                    let t3 = i32x4_shuffle::<2, 6, 3, 7>(r2, r3);
                    let put = |q: usize, v: v128| {
                        (dst.add((co + q) * self.cols + ox) as *mut v128).write_unaligned(v)
                    };
                    put(0, i32x4_shuffle::<0, 1, 4, 5>(t0, t2));
                    put(1, i32x4_shuffle::<2, 3, 6, 7>(t0, t2));
                    put(2, i32x4_shuffle::<0, 1, 4, 5>(t1, t3));
                    put(3, i32x4_shuffle::<2, 3, 6, 7>(t1, t3));
                    co += 4;
                }
                for c in co..g.cout {
                    for q in 0..4 {
                        *dst.add(c * self.cols + ox + q) = *src.add((ox + q) * g.cout + c);
                    }
                }
                ox += 4;
            }
            for x in ox..g.ow {
                for c in 0..g.cout {
                    *dst.add(c * self.cols + x) = *src.add(x * g.cout + c);
                }
            }
            let _ = co;
        }
    }
}

/// Zeros `n` floats at `p`.
#[inline(always)]
unsafe fn zero(p: *mut f32, n: usize) {
    let mut i = 0;
    while i + 4 <= n {
        (p.add(i) as *mut v128).write_unaligned(f32x4_splat(0.0));
        i += 4;
    }
    while i < n {
        *p.add(i) = 0.0;
        i += 1;
    }
}

/// Input gradient for `cin <= FEW`, dx pixels `m0..m1`; `false` (nothing
/// written) when the transposed image does not fit in `len` floats of `work`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn input_few(
    g: &Geom,
    dy: *const f32,
    w: *const f32,
    dx: *mut f32,
    m0: usize,
    m1: usize,
    work: *mut f32,
    len: usize,
) -> bool {
    let plane = match Plane::new(g, len) {
        Some(p) => p,
        None => return false,
    };
    let image = g.h * g.w;
    let mut pix = m0;
    while pix < m1 {
        let (b, rest) = (div(pix, image), rem(pix, image));
        let end = min(m1, (b + 1) * image); // this image's part of the range
        plane.fill(g, dy, b, work);
        let (y0, x0) = (div(rest, g.w), rem(rest, g.w));
        let (y1, x1) = (div(end - b * image, g.w), rem(end - b * image, g.w));
        if y0 == y1 {
            // Within one row.
            rows(g, &plane, work, w, dx, b, y0, 1, x0, x1);
        } else {
            let mut full = y0;
            if x0 > 0 {
                rows(g, &plane, work, w, dx, b, y0, 1, x0, g.w);
                full += 1;
            }
            // Whole rows full..y1, phase by phase, ROWS at a time.
            for ry in 0..g.sh {
                let mut y = full + rem(g.sh - rem(full, g.sh) + ry, g.sh);
                while y < y1 {
                    let count = min(ROWS, div(y1 - y + g.sh - 1, g.sh));
                    rows(g, &plane, work, w, dx, b, y, count, 0, g.w);
                    y += count * g.sh;
                }
            }
            if x1 > 0 {
                rows(g, &plane, work, w, dx, b, y1, 1, 0, x1);
            }
        }
        pix = end;
    }
    true
}

/// dx rows of one phase computed together (they share every weight broadcast).
const ROWS: usize = 4;

/// dx rows `y, y + sh, …` (`count <= ROWS` of them) of image `b`, columns `x0..x1`,
/// from the plane in `t`: [`rows_by`] with 4, 2 or 1 rows of accumulators.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn rows(
    g: &Geom,
    plane: &Plane,
    t: *const f32,
    w: *const f32,
    dx: *mut f32,
    b: usize,
    y: usize,
    count: usize,
    x0: usize,
    x1: usize,
) {
    match count {
        1 => rows_by::<1>(g, plane, t, w, dx, b, y, count, x0, x1),
        2 => rows_by::<2>(g, plane, t, w, dx, b, y, count, x0, x1),
        _ => rows_by::<ROWS>(g, plane, t, w, dx, b, y, count, x0, x1),
    }
}

/// [`rows`] with `R` rows of accumulators (`count <= R`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn rows_by<const R: usize>(
    g: &Geom,
    plane: &Plane,
    t: *const f32,
    w: *const f32,
    dx: *mut f32,
    b: usize,
    y: usize,
    count: usize,
    x0: usize,
    x1: usize,
) {
    let row_stride = g.cout * plane.cols;
    let ay = Axis::new(g.h, g.kh, g.sh, g.top, rem(y, g.sh));
    let jy = div(y, g.sh) as isize;
    let step = g.sw * g.cin;
    let dx_step = g.sh * g.w * g.cin; // one phase row down
    for rx in 0..min(g.sw, g.w) {
        let ax = Axis::new(g.w, g.kw, g.sw, g.left, rx);
        // Phase pixels jx with x0 <= jx·sw + rx < x1.
        let j0 = if x0 > rx {
            div(x0 - rx + g.sw - 1, g.sw)
        } else {
            0
        };
        let j1 = if x1 > rx {
            min(div(x1 - rx + g.sw - 1, g.sw), ax.count)
        } else {
            0
        };
        let mut jx = j0;
        while jx < j1 {
            let lanes = min(LANES, j1 - jx);
            for ci in 0..g.cin {
                let mut acc = [[f32x4_splat(0.0); 2]; R];
                for ty in 0..ay.taps {
                    let oy = jy + ay.off - ty as isize;
                    let src_row = t.add((oy + plane.py as isize) as usize * row_stride);
                    let ky = ay.k0 + ty * g.sh;
                    for tx in 0..ax.taps {
                        let kx = ax.k0 + tx * g.sw;
                        let ox = jx as isize + ax.off - tx as isize;
                        let mut src = src_row.add((ox + plane.px as isize) as usize);
                        let mut wp = w.add(((ky * g.kw + kx) * g.cin + ci) * g.cout);
                        for _ in 0..g.cout {
                            let wv = v128_load32_splat(wp as *const u32);
                            for r in 0..R {
                                let at = src.add(r * row_stride);
                                let d0 = (at as *const v128).read_unaligned();
                                let d1 = (at.add(4) as *const v128).read_unaligned();
                                acc[r][0] = f32x4_add(acc[r][0], f32x4_mul(d0, wv));
                                acc[r][1] = f32x4_add(acc[r][1], f32x4_mul(d1, wv));
                            }
                            src = src.add(plane.cols);
                            wp = wp.add(1);
                        }
                    }
                }
                let first = dx.add(((b * g.h + y) * g.w + jx * g.sw + rx) * g.cin + ci);
                for r in 0..R {
                    if r < count {
                        let out = first.add(r * dx_step);
                        store_lanes(out, step, acc[r][0], min(lanes, 4));
                        store_lanes(
                            out.add(4 * step),
                            step,
                            acc[r][1],
                            if lanes > 4 { lanes - 4 } else { 0 },
                        );
                    }
                }
            }
            jx += LANES;
        }
    }
}

/// Stores the first `n` (0..=4) lanes of `v` at `out`, `step` floats apart.
#[inline(always)]
unsafe fn store_lanes(out: *mut f32, step: usize, v: v128, n: usize) {
    if n > 0 {
        *out = f32x4_extract_lane::<0>(v);
    }
    if n > 1 {
        *out.add(step) = f32x4_extract_lane::<1>(v);
    }
    if n > 2 {
        *out.add(2 * step) = f32x4_extract_lane::<2>(v);
    }
    if n > 3 {
        *out.add(3 * step) = f32x4_extract_lane::<3>(v);
    }
}
