//! A convolution's geometry and the integer helpers every conv module shares
//! (a leaf: the kernels, the packers and the references all read it, it reads
//! none of them), including one output phase of the input gradient ([`Axis`]).

/// A convolution's geometry (the forward convolution's, for the gradients).
pub struct Geom {
    pub n: usize,
    pub h: usize,
    pub w: usize,
    pub cin: usize,
    pub oh: usize,
    pub ow: usize,
    pub cout: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub dh: usize,
    pub dw: usize,
    pub top: isize,
    pub left: isize,
}

#[inline(always)]
pub(crate) fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

/// `a / b`, 0 when `b == 0` (no panic path: this module has no data section).
#[inline(always)]
pub(crate) fn div(a: usize, b: usize) -> usize {
    if b == 0 {
        0
    } else {
        a / b
    }
}

/// `a % b`, 0 when `b == 0`.
#[inline(always)]
pub(crate) fn rem(a: usize, b: usize) -> usize {
    if b == 0 {
        0
    } else {
        a % b
    }
}

/// `a / b` rounded toward zero for `b > 0` (0 otherwise).
#[inline(always)]
pub(crate) fn idiv(a: isize, b: isize) -> isize {
    if b <= 0 {
        0
    } else {
        a / b
    }
}

/// `0 <= v < len`.
#[inline(always)]
pub(crate) fn inside(v: isize, len: usize) -> bool {
    v >= 0 && (v as usize) < len
}

/// One output phase `(ry, rx)` of the input gradient along one axis: `count`
/// rows `y = j·s + ry`, `taps` kernel taps `k0, k0+s, …`; tap `t` of row `j`
/// reads dy row `j + off − t`.
#[derive(Clone, Copy)]
pub struct Axis {
    pub count: usize,
    pub taps: usize,
    pub k0: usize,
    pub off: isize,
}

impl Axis {
    /// Phase `r` of an axis of `len` output rows, kernel `k`, stride `s`, pad `pad` (dilation 1).
    #[inline(always)]
    pub fn new(len: usize, k: usize, s: usize, pad: isize, r: usize) -> Axis {
        let count = if r < len { div(len - r + s - 1, s) } else { 0 };
        let k0 = {
            let v = r as isize + pad;
            let q = v - idiv(v, s as isize) * s as isize;
            (if q < 0 { q + s as isize } else { q }) as usize
        };
        let taps = if k0 < k { div(k - k0 + s - 1, s) } else { 0 };
        let off = idiv(r as isize + pad - k0 as isize, s as isize);
        Axis { count, taps, k0, off }
    }
    /// Rows of this phase before row `y` of the axis.
    #[inline(always)]
    pub fn before(&self, y: usize, s: usize, r: usize) -> usize {
        if y > r {
            min(div(y - r + s - 1, s), self.count)
        } else {
            0
        }
    }
}
