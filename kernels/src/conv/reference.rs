//! Scalar references of the convolutions in conv.rs (implicit.rs, input.rs): the plain definitions, in
//! the summation order the GEMMs promise (K's order, out-of-image positions
//! summed as zeros), over the same row ranges; `FMA` rounds each term's
//! multiply-add once, as the fused twins do.

use super::geom::{div, rem, Axis, Geom};
use crate::fma::madd;

/// `x[b, iy, ix, ci]`, or 0 outside the image.
#[inline(always)]
unsafe fn pixel(g: &Geom, x: *const f32, b: usize, iy: isize, ix: isize, ci: usize) -> f32 {
    if iy >= 0 && (iy as usize) < g.h && ix >= 0 && (ix as usize) < g.w {
        *x.add(((b * g.h + iy as usize) * g.w + ix as usize) * g.cin + ci)
    } else {
        0.0
    }
}

/// See `conv::forward`.
#[inline(always)]
pub unsafe fn forward<const FMA: bool>(g: &Geom, x: *const f32, w: *const f32, y: *mut f32, m0: usize, m1: usize, _work: *mut f32) {
    for row in m0..m1 {
        let (ox, t) = (rem(row, g.ow), div(row, g.ow));
        let (oy, b) = (rem(t, g.oh), div(t, g.oh));
        for co in 0..g.cout {
            let mut acc = 0.0f32;
            for ky in 0..g.kh {
                for kx in 0..g.kw {
                    let iy = (oy * g.sh + ky * g.dh) as isize - g.top;
                    let ix = (ox * g.sw + kx * g.dw) as isize - g.left;
                    for ci in 0..g.cin {
                        let wv = *w.add(((ky * g.kw + kx) * g.cin + ci) * g.cout + co);
                        acc = madd::<FMA>(pixel(g, x, b, iy, ix, ci), wv, acc);
                    }
                }
            }
            *y.add(row * g.cout + co) = acc;
        }
    }
}

/// See `conv::filter`.
#[inline(always)]
pub unsafe fn filter<const FMA: bool>(g: &Geom, x: *const f32, dy: *const f32, dw: *mut f32, m0: usize, m1: usize, _work: *mut f32) {
    for row in m0..m1 {
        let (ci, tap) = (rem(row, g.cin), div(row, g.cin));
        let (ky, kx) = (div(tap, g.kw), rem(tap, g.kw));
        for co in 0..g.cout {
            let mut acc = 0.0f32;
            for b in 0..g.n {
                for oy in 0..g.oh {
                    for ox in 0..g.ow {
                        let iy = (oy * g.sh + ky * g.dh) as isize - g.top;
                        let ix = (ox * g.sw + kx * g.dw) as isize - g.left;
                        let d = *dy.add(((b * g.oh + oy) * g.ow + ox) * g.cout + co);
                        acc = madd::<FMA>(pixel(g, x, b, iy, ix, ci), d, acc);
                    }
                }
            }
            *dw.add(row * g.cout + co) = acc;
        }
    }
}

/// See `conv::input`.
#[inline(always)]
pub unsafe fn input<const FMA: bool>(g: &Geom, dy: *const f32, w: *const f32, dx: *mut f32, m0: usize, m1: usize, _work: *mut f32) {
    for pix in m0..m1 {
        let (x, t) = (rem(pix, g.w), div(pix, g.w));
        let (y, b) = (rem(t, g.h), div(t, g.h));
        let (ry, rx) = (rem(y, g.sh), rem(x, g.sw));
        let (ay, ax) = (
            Axis::new(g.h, g.kh, g.sh, g.top, ry),
            Axis::new(g.w, g.kw, g.sw, g.left, rx),
        );
        let (jy, jx) = (div(y, g.sh) as isize, div(x, g.sw) as isize);
        for ci in 0..g.cin {
            let mut acc = 0.0f32;
            for ty in 0..ay.taps {
                for tx in 0..ax.taps {
                    let (ky, kx) = (ay.k0 + ty * g.sh, ax.k0 + tx * g.sw);
                    let (oy, ox) = (jy + ay.off - ty as isize, jx + ax.off - tx as isize);
                    let inside = oy >= 0 && (oy as usize) < g.oh && ox >= 0 && (ox as usize) < g.ow;
                    for co in 0..g.cout {
                        let d = if inside {
                            *dy.add(((b * g.oh + oy as usize) * g.ow + ox as usize) * g.cout + co)
                        } else {
                            0.0
                        };
                        acc = madd::<FMA>(d, *w.add(((ky * g.kw + kx) * g.cin + ci) * g.cout + co), acc);
                    }
                }
            }
            *dx.add(pix * g.cin + ci) = acc;
        }
    }
}
