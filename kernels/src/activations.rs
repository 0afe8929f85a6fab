//! ReLU, leaky ReLU and their gradients, elementwise, in tfjs's bits: tfjs-wasm's
//! leaky forward runs at ~1 ns per element; its gradient is `Greater` + `Multiply` +
//! `Select` (the first and last through a generic broadcasting loop, ~0.5 ms
//! on a 256 × 128 batch), ReLU's `Step` + `Cast` + `Multiply`. Each has a job part
//! (`*_part`, [`elementwise_part!`]) for a call split over the kernel threads.

use core::arch::wasm32::*;

/// `out = x > 0 ? dy : alpha * dy`, elementwise (NaN x takes the `alpha` branch, as `Greater` does).
pub unsafe fn leaky_relu_grad(
    x: *const f32,
    dy: *const f32,
    out: *mut f32,
    len: usize,
    alpha: f32,
) {
    let (zero, al) = (f32x4_splat(0.0), f32x4_splat(alpha));
    let mut j = 0;
    while j + 4 <= len {
        let xj = v128_load(x.add(j) as *const v128);
        let dyj = v128_load(dy.add(j) as *const v128);
        let r = v128_bitselect(dyj, f32x4_mul(al, dyj), f32x4_gt(xj, zero));
        v128_store(out.add(j) as *mut v128, r);
        j += 4;
    }
    while j < len {
        *out.add(j) = leaky1(*x.add(j), *dy.add(j), alpha);
        j += 1;
    }
}

#[inline(always)]
fn leaky1(x: f32, dy: f32, alpha: f32) -> f32 {
    if x > 0.0 {
        dy
    } else {
        alpha * dy
    }
}

/// Scalar reference of [`leaky_relu_grad`].
pub unsafe fn leaky_relu_grad_ref(
    x: *const f32,
    dy: *const f32,
    out: *mut f32,
    len: usize,
    alpha: f32,
) {
    for j in 0..len {
        *out.add(j) = leaky1(*x.add(j), *dy.add(j), alpha);
    }
}

/// `out = x < 0 ? alpha * x : x`, elementwise (tfjs-wasm's LeakyRelu: -0 and NaN pass through).
pub unsafe fn leaky_relu(x: *const f32, out: *mut f32, len: usize, alpha: f32) {
    let (zero, al) = (f32x4_splat(0.0), f32x4_splat(alpha));
    let mut j = 0;
    while j + 4 <= len {
        let xj = v128_load(x.add(j) as *const v128);
        let r = v128_bitselect(f32x4_mul(al, xj), xj, f32x4_lt(xj, zero));
        v128_store(out.add(j) as *mut v128, r);
        j += 4;
    }
    while j < len {
        *out.add(j) = leaky1_fwd(*x.add(j), alpha);
        j += 1;
    }
}

#[inline(always)]
fn leaky1_fwd(x: f32, alpha: f32) -> f32 {
    if x < 0.0 {
        alpha * x
    } else {
        x
    }
}

/// Scalar reference of [`leaky_relu`].
pub unsafe fn leaky_relu_ref(x: *const f32, out: *mut f32, len: usize, alpha: f32) {
    for j in 0..len {
        *out.add(j) = leaky1_fwd(*x.add(j), alpha);
    }
}

/// `out = +0` where x's sign bit is set (negatives, -0, NaNs with the sign set), else `x`:
/// tfjs-wasm's `Relu` bit for bit (it clears by the sign bit).
pub unsafe fn relu(x: *const f32, out: *mut f32, len: usize) {
    let mut j = 0;
    while j + 4 <= len {
        let xj = v128_load(x.add(j) as *const v128);
        v128_store(out.add(j) as *mut v128, v128_andnot(xj, i32x4_shr(xj, 31)));
        j += 4;
    }
    while j < len {
        *out.add(j) = relu1(*x.add(j));
        j += 1;
    }
}

#[inline(always)]
fn relu1(x: f32) -> f32 {
    if x.is_sign_negative() {
        0.0
    } else {
        x
    }
}

/// Scalar reference of [`relu`].
pub unsafe fn relu_ref(x: *const f32, out: *mut f32, len: usize) {
    for j in 0..len {
        *out.add(j) = relu1(*x.add(j));
    }
}

/// ReLU's gradient as tfjs computes it, `dy * step(x)`: `step(x)` is 1 for x > 0,
/// NaN for NaN x (tfjs-wasm's `Step`), else 0, so x ≤ 0 gives `dy * 0` (-0 for
/// negative dy, NaN for infinite or NaN dy).
pub unsafe fn relu_grad(x: *const f32, dy: *const f32, out: *mut f32, len: usize) {
    let (zero, one) = (f32x4_splat(0.0), f32x4_splat(1.0));
    let mut j = 0;
    while j + 4 <= len {
        let xj = v128_load(x.add(j) as *const v128);
        let step = v128_bitselect(one, zero, f32x4_gt(xj, zero));
        let step = v128_bitselect(xj, step, f32x4_ne(xj, xj));
        let dyj = v128_load(dy.add(j) as *const v128);
        v128_store(out.add(j) as *mut v128, f32x4_mul(dyj, step));
        j += 4;
    }
    while j < len {
        *out.add(j) = relu_grad1(*x.add(j), *dy.add(j));
        j += 1;
    }
}

#[inline(always)]
fn relu_grad1(x: f32, dy: f32) -> f32 {
    let step = if x > 0.0 {
        1.0
    } else if x.is_nan() {
        x
    } else {
        0.0
    };
    dy * step
}

/// Scalar reference of [`relu_grad`].
pub unsafe fn relu_grad_ref(x: *const f32, dy: *const f32, out: *mut f32, len: usize) {
    for j in 0..len {
        *out.add(j) = relu_grad1(*x.add(j), *dy.add(j));
    }
}

kernel!(
    /// ReLU's gradient: `out = dy * step(x)` over `len` floats (tfjs:
    /// `mul(dy, cast(step(x), "float32"))`, same bits).
    ///
    /// # Safety
    /// `x`, `dy` and `out` are valid for `len` floats; `out` overlaps neither input.
    relu_grad_f32, relu_grad_f32_ref(x: *const f32, dy: *const f32, out: *mut f32, len: u32)
        => relu_grad, relu_grad_ref(x, dy, out, len as usize)
);

kernel!(
    /// Leaky ReLU's gradient: `out = x > 0 ? dy : alpha * dy` over `len` floats
    /// (tfjs: `where(greater(x, 0), dy, mul(dy, alpha))`, same bits).
    ///
    /// # Safety
    /// `x`, `dy` and `out` are valid for `len` floats; `out` overlaps neither input.
    leaky_relu_grad_f32, leaky_relu_grad_f32_ref(x: *const f32, dy: *const f32, out: *mut f32, len: u32, alpha: f32)
        => leaky_relu_grad, leaky_relu_grad_ref(x, dy, out, len as usize, alpha)
);

kernel!(
    /// Leaky ReLU: `out = x < 0 ? alpha * x : x` over `len` floats (tfjs-wasm's bits).
    ///
    /// # Safety
    /// `x` and `out` are valid for `len` floats and do not overlap.
    leaky_relu_f32, leaky_relu_f32_ref(x: *const f32, out: *mut f32, len: u32, alpha: f32)
        => leaky_relu, leaky_relu_ref(x, out, len as usize, alpha)
);

kernel!(
    /// ReLU as tfjs-wasm computes it: `out = +0` where x's sign bit is set, else `x`.
    ///
    /// # Safety
    /// `x` and `out` are valid for `len` floats and do not overlap.
    relu_f32, relu_f32_ref(x: *const f32, out: *mut f32, len: u32) => relu, relu_ref(x, out, len as usize)
);

elementwise_part!(
    /// `relu_f32` on elements `lo..hi`: one part of a call split over the kernel threads.
    relu_f32_part(x: *const f32, out: *mut f32) => relu_f32
);

elementwise_part!(
    /// `relu_grad_f32` on elements `lo..hi`: one part of a call split over the kernel threads.
    relu_grad_f32_part(x: *const f32, dy: *const f32, out: *mut f32) => relu_grad_f32
);

elementwise_part!(
    /// `leaky_relu_f32` on elements `lo..hi`: one part of a call split over the kernel threads.
    leaky_relu_f32_part(x: *const f32, out: *mut f32; alpha: f32) => leaky_relu_f32
);

elementwise_part!(
    /// `leaky_relu_grad_f32` on elements `lo..hi`: one part of a call split over the kernel
    /// threads.
    leaky_relu_grad_f32_part(x: *const f32, dy: *const f32, out: *mut f32; alpha: f32)
        => leaky_relu_grad_f32
);
