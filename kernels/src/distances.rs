//! Exact squared Euclidean distances between two sets of vectors (src/metrics/distances.ts:
//! precision, recall, density and coverage's nearest neighbours, the Parzen window): for each
//! row `i` of `a` and row `j` of `b`, `s = 0; s += (a[i][k] - b[j][k])²` for `k = 0, 1, ...`
//! in order, each difference, square and sum rounded to f64, then `s` rounded to f32: the bits
//! of the JavaScript loop it replaces (its values are f32 read as f64; simd128 has no fused
//! multiply-add and Rust does not contract).
//!
//! `b` comes in pairs of rows interleaved (`b[2p + l][k]` at `(p · dim + k) · 2 + l`) so one
//! `f64x2` load holds one column of two rows; the kernel keeps 4 rows of `a` against 2 pairs
//! of `b` (16 sums) in eight `f64x2` registers over the whole row, one sum per lane, so every
//! pair's order is the scalar loop's.

use core::arch::wasm32::*;

/// Rows of `a` per tile.
const ROWS: usize = 4;
/// Pairs of rows of `b` per tile.
const PAIRS: usize = 2;

/// One tile: `R` rows of `a` from `ai` against `P` pairs of `b` from pair `p`.
#[inline(always)]
unsafe fn tile<const R: usize, const P: usize>(
    out: *mut f32,
    a: *const f64,
    b: *const f64,
    nb: usize,
    dim: usize,
    ai: usize,
    p: usize,
) {
    let mut acc = [[f64x2_splat(0.0); P]; R];
    let bp = b.add(2 * p * dim);
    for k in 0..dim {
        let mut col = [f64x2_splat(0.0); P];
        for q in 0..P {
            col[q] = v128_load(bp.add(2 * (q * dim + k)) as *const v128);
        }
        for r in 0..R {
            let x = f64x2_splat(*a.add((ai + r) * dim + k));
            for q in 0..P {
                let d = f64x2_sub(x, col[q]);
                acc[r][q] = f64x2_add(acc[r][q], f64x2_mul(d, d));
            }
        }
    }
    for r in 0..R {
        let row = out.add((ai + r) * nb);
        for q in 0..P {
            let j = 2 * (p + q);
            *row.add(j) = f64x2_extract_lane::<0>(acc[r][q]) as f32;
            if j + 1 < nb {
                *row.add(j + 1) = f64x2_extract_lane::<1>(acc[r][q]) as f32;
            }
        }
    }
}

/// Every row of `a` against every row of `b`, tile by tile.
pub unsafe fn sqdist(out: *mut f32, a: *const f64, b: *const f64, na: usize, nb: usize, dim: usize) {
    let pairs = (nb + 1) / 2;
    let mut i = 0;
    while i < na {
        let four = i + ROWS <= na;
        let mut p = 0;
        while p + PAIRS <= pairs {
            if four {
                tile::<ROWS, PAIRS>(out, a, b, nb, dim, i, p);
            } else {
                tile::<1, PAIRS>(out, a, b, nb, dim, i, p);
            }
            p += PAIRS;
        }
        if p < pairs {
            if four {
                tile::<ROWS, 1>(out, a, b, nb, dim, i, p);
            } else {
                tile::<1, 1>(out, a, b, nb, dim, i, p);
            }
        }
        i += if four { ROWS } else { 1 };
    }
}

/// Scalar reference of [`sqdist`]: pair by pair, column by column.
pub unsafe fn sqdist_ref(
    out: *mut f32,
    a: *const f64,
    b: *const f64,
    na: usize,
    nb: usize,
    dim: usize,
) {
    for i in 0..na {
        for j in 0..nb {
            let mut s = 0.0f64;
            for k in 0..dim {
                let d = *a.add(i * dim + k) - *b.add(2 * ((j / 2) * dim + k) + j % 2);
                s += d * d;
            }
            *out.add(i * nb + j) = s as f32;
        }
    }
}

kernel!(
    /// Squared distances: `out[i][j] = Σ_k (a[i][k] − b[j][k])²` in f64, `k` in order, rounded
    /// to f32 at the end; `a` row-major `na × dim`, `b` as pairs of rows interleaved (`b[j][k]`
    /// at `(j / 2 · dim + k) · 2 + j % 2`, `⌈nb / 2⌉` pairs, the last one's second row any
    /// finite values when `nb` is odd), `out` row-major `na × nb`.
    ///
    /// # Safety
    /// The pointers are valid for those sizes; `out` overlaps
    /// neither input.
    sqdist_f64, sqdist_f64_ref(
        out: *mut f32, a: *const f64, b: *const f64, na: u32, nb: u32, dim: u32
    ) => sqdist, sqdist_ref(out, a, b, na as usize, nb as usize, dim as usize)
);
