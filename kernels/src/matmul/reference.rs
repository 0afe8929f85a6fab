//! Scalar references: the plain definition, in the summation order the SIMD
//! kernels promise.

use crate::fma::madd;
use crate::gemm::{ACT_LEAKYRELU, ACT_RELU, ACT_RELU6, HAS_BIAS, TRANSPOSE_A, TRANSPOSE_B};

/// The activation of `x` (unknown codes are linear).
#[inline(always)]
pub fn activate(x: f32, act: u32, alpha: f32) -> f32 {
    match act {
        ACT_RELU => {
            if x < 0.0 {
                0.0
            } else {
                x
            }
        }
        ACT_RELU6 => {
            if x < 0.0 {
                0.0
            } else if x > 6.0 {
                6.0
            } else {
                x
            }
        }
        ACT_LEAKYRELU => {
            if x < 0.0 {
                alpha * x
            } else {
                x
            }
        }
        _ => x,
    }
}

/// Rows `i0..i1`, columns `j0..j1` (clipped to `m`, `n`) of one matrix:
/// `C = act(op(A) op(B) + bias)`, see `matmul_f32`; each term added with
/// [`madd`] (`FMA`: rounded once, as the fused twins).
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm<const FMA: bool>(
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    m: usize,
    k: usize,
    n: usize,
    flags: u32,
    bias: *const f32,
    act: u32,
    alpha: f32,
    i0: usize,
    i1: usize,
    j0: usize,
    j1: usize,
) {
    // Element (i, p) of op(A) and (p, j) of op(B).
    let (ai, ap) = if flags & TRANSPOSE_A != 0 { (1, m) } else { (k, 1) };
    let (bp, bj) = if flags & TRANSPOSE_B != 0 { (1, k) } else { (n, 1) };
    for i in i0..i1.min(m) {
        for j in j0..j1.min(n) {
            let mut acc = 0.0f32;
            for p in 0..k {
                acc = madd::<FMA>(*a.add(i * ai + p * ap), *b.add(p * bp + j * bj), acc);
            }
            if flags & HAS_BIAS != 0 {
                acc += *bias.add(j);
            }
            *c.add(i * n + j) = activate(acc, act, alpha);
        }
    }
}
