//! Small kernels of the backward pass that tfjs-wasm runs slowly: leaky ReLU's
//! gradient (tfjs: `Greater` + `Multiply` + `Select`, the first and last
//! through a generic broadcasting loop) and sums over leading axes (every
//! bias gradient; tfjs-wasm transposes first). Both give tfjs's bits: the
//! same f32 operations, the same summation order.

use core::arch::wasm32::*;

/// `out = x > 0 ? dy : alpha * dy`, elementwise (NaN x takes the `alpha` branch, as `Greater` does).
pub unsafe fn leaky_relu_grad(x: *const f32, dy: *const f32, out: *mut f32, len: usize, alpha: f32) {
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

/// `out[j] = 0 + x[0][j] + x[1][j] + ...` for a row-major `rows × cols` x: each
/// column summed in row order from 0 (tfjs-wasm's order after its transpose).
pub unsafe fn sum_rows(x: *const f32, out: *mut f32, rows: usize, cols: usize) {
    for j in 0..cols {
        *out.add(j) = 0.0;
    }
    for i in 0..rows {
        let row = x.add(i * cols);
        let mut j = 0;
        while j + 4 <= cols {
            let o = out.add(j) as *mut v128;
            v128_store(o, f32x4_add(v128_load(o), v128_load(row.add(j) as *const v128)));
            j += 4;
        }
        while j < cols {
            *out.add(j) += *row.add(j);
            j += 1;
        }
    }
}

/// Scalar reference of [`sum_rows`]: one column at a time.
pub unsafe fn sum_rows_ref(x: *const f32, out: *mut f32, rows: usize, cols: usize) {
    for j in 0..cols {
        let mut s = 0.0f32;
        for i in 0..rows {
            s += *x.add(i * cols + j);
        }
        *out.add(j) = s;
    }
}
