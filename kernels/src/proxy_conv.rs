//! One layer of the proxy feature extractor (src/metrics/proxy_features.ts): a 3 × 3
//! convolution, stride 2, padding 1, no bias, then ReLU, on `n` images `side × side × cin`
//! (NHWC, f32) giving `side / 2 × side / 2 × cout`. Each output channel starts at 0 and adds
//! `x · w` over the taps inside the image, row `ky`, column `kx`, input channel `ci` in that
//! order, product and sum each rounded to f64 (the weights come as f64, exact copies of the
//! extractor's f32 ones), then ReLU and rounding to f32 (NaN gives 0): the bits of the
//! JavaScript loop it replaces. That loop and the scalar reference skip inputs equal to 0 (half
//! of a layer's, after ReLU); the SIMD kernel adds their products, ±0 with finite weights, to
//! a sum that is never −0 (it starts at +0, and a sum that rounds to zero is +0), which changes
//! nothing and spares a branch the processor mispredicts half the time.
//!
//! The kernel keeps 16 output channels of one pixel in eight `f64x2` registers across all of
//! its taps; channels left over go two at a time, then one.

use core::arch::wasm32::*;

/// Output channels per register block.
const BLOCK: usize = 16;

/// The geometry of one call.
#[derive(Clone, Copy)]
struct Geom {
    side: usize,
    cin: usize,
    cout: usize,
}

/// Calls `f(x, w)` for each tap of output pixel `(oy, ox)` inside the image, row `ky` then
/// column `kx`: `x` at the tap's input pixel, `w` at its weights for output channel `co`.
#[inline(always)]
unsafe fn taps<F: FnMut(*const f32, *const f64)>(
    x: *const f32,
    w: *const f64,
    g: Geom,
    (oy, ox, co): (usize, usize, usize),
    mut f: F,
) {
    for ky in 0..3 {
        let iy = (2 * oy + ky) as isize - 1;
        if iy < 0 || iy as usize >= g.side {
            continue;
        }
        for kx in 0..3 {
            let ix = (2 * ox + kx) as isize - 1;
            if ix < 0 || ix as usize >= g.side {
                continue;
            }
            f(
                x.add((iy as usize * g.side + ix as usize) * g.cin),
                w.add((ky * 3 + kx) * g.cin * g.cout + co),
            );
        }
    }
}

/// `2 · G` output channels from `co` of output pixel `(oy, ox)` of the image at `x`.
#[inline(always)]
unsafe fn block<const G: usize>(
    y: *mut f32,
    x: *const f32,
    w: *const f64,
    g: Geom,
    oy: usize,
    ox: usize,
    co: usize,
) {
    let mut acc = [f64x2_splat(0.0); G];
    taps(x, w, g, (oy, ox, co), |xo, wo| {
        for ci in 0..g.cin {
            let s = f64x2_splat(*xo.add(ci) as f64);
            let wr = wo.add(ci * g.cout);
            for q in 0..G {
                let wq = v128_load(wr.add(2 * q) as *const v128);
                acc[q] = f64x2_add(acc[q], f64x2_mul(s, wq));
            }
        }
    });
    let zero = f64x2_splat(0.0);
    let out = y.add((oy * (g.side / 2) + ox) * g.cout + co);
    for q in 0..G {
        let kept = v128_and(acc[q], f64x2_gt(acc[q], zero));
        *out.add(2 * q) = f64x2_extract_lane::<0>(kept) as f32;
        *out.add(2 * q + 1) = f64x2_extract_lane::<1>(kept) as f32;
    }
}

/// One output channel `co` of pixel `(oy, ox)`, scalar: the reference's loop.
#[inline(always)]
unsafe fn channel(y: *mut f32, x: *const f32, w: *const f64, g: Geom, oy: usize, ox: usize, co: usize) {
    let mut acc = 0.0f64;
    taps(x, w, g, (oy, ox, co), |xo, wo| {
        for ci in 0..g.cin {
            let v = *xo.add(ci);
            if v != 0.0 {
                acc += v as f64 * *wo.add(ci * g.cout);
            }
        }
    });
    *y.add((oy * (g.side / 2) + ox) * g.cout + co) = if acc > 0.0 { acc as f32 } else { 0.0 };
}

/// Calls `f(y, x, oy, ox)` for each output pixel of each image: `x` and `y` at the image.
#[inline(always)]
unsafe fn pixels<F: FnMut(*mut f32, *const f32, usize, usize)>(
    y: *mut f32,
    x: *const f32,
    n: usize,
    g: Geom,
    mut f: F,
) {
    let half = g.side / 2;
    for i in 0..n {
        let (xi, yi) = (x.add(i * g.side * g.side * g.cin), y.add(i * half * half * g.cout));
        for oy in 0..half {
            for ox in 0..half {
                f(yi, xi, oy, ox);
            }
        }
    }
}

/// Every image, pixel and channel block.
pub unsafe fn proxy_conv(
    y: *mut f32,
    x: *const f32,
    w: *const f64,
    n: usize,
    side: usize,
    cin: usize,
    cout: usize,
) {
    let g = Geom { side, cin, cout };
    let (blocks, pairs) = (cout / BLOCK * BLOCK, cout / 2 * 2);
    pixels(y, x, n, g, |yi, xi, oy, ox| {
        let mut co = 0;
        while co < blocks {
            block::<{ BLOCK / 2 }>(yi, xi, w, g, oy, ox, co);
            co += BLOCK;
        }
        while co < pairs {
            block::<1>(yi, xi, w, g, oy, ox, co);
            co += 2;
        }
        if co < cout {
            channel(yi, xi, w, g, oy, ox, co);
        }
    });
}

/// Scalar reference of [`proxy_conv`]: channel by channel.
pub unsafe fn proxy_conv_ref(
    y: *mut f32,
    x: *const f32,
    w: *const f64,
    n: usize,
    side: usize,
    cin: usize,
    cout: usize,
) {
    let g = Geom { side, cin, cout };
    pixels(y, x, n, g, |yi, xi, oy, ox| {
        for co in 0..cout {
            channel(yi, xi, w, g, oy, ox, co);
        }
    });
}

kernel!(
    /// The proxy extractor's layer: `y = relu(conv3x3, stride 2, padding 1 (x, w))` per image,
    /// sums in f64 in tap order (row, column, input channel; inputs equal to 0 add nothing),
    /// rounded to f32 (NaN to 0); `x` `n × side × side × cin` f32, `w` `3 × 3 × cin × cout`
    /// f64, `y` `n × side/2 × side/2 × cout` f32, all row-major.
    ///
    /// # Safety
    /// `side` is even; the weights are finite; the pointers are valid for those sizes; `y`
    /// overlaps neither input.
    proxy_conv_f64, proxy_conv_f64_ref(
        y: *mut f32, x: *const f32, w: *const f64, n: u32, side: u32, cin: u32, cout: u32
    ) => proxy_conv, proxy_conv_ref(
        y, x, w, n as usize, side as usize, cin as usize, cout as usize
    )
);
