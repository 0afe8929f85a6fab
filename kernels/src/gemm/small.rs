//! Blocks of at most [`SMALL_M`] rows (a first dense layer's weight gradient
//! on 2-D inputs, `2 × 256 · 256 × 128`), computed without packing: the packed
//! path packs all of B for them and wastes half of each 4-row tile (12.7 µs
//! against 6.0 on AMD Zen 5, one thread).
//!
//! Each element's sum is the tiles': from 0, over k in order, one
//! multiply-add per term (the same `f32x4.mul` + `f32x4.add`, which the build
//! fuses alike in the twins), then `+ bias`, then the activation. So the bits
//! are those of the packed path and of the scalar reference, on any block.
//!
//! Tried and left out: a path for a few k-steps (`256 × 2 · 2 × 128`, no
//! packing, B's rows copied once): 3x slower than the packed path's 8.3 µs,
//! which already costs about 3.5 cycles an output vector.

use super::shape::Shape;
use super::vector::{activate, load, load_part, min, store, store_part};
use core::arch::wasm32::*;

/// The most rows a block may have to take [`few_rows`].
pub(super) const SMALL_M: usize = 2;
/// Vectors of C's row [`few_rows`] sums at once (eight accumulators).
const V: usize = 8;

/// Whether a block of `rows` rows of the product `s` takes [`few_rows`]: at most
/// [`SMALL_M`] rows, op(B)'s columns contiguous.
#[inline(always)]
pub(super) fn few_rows_path(s: &Shape, rows: usize) -> bool {
    rows <= SMALL_M && s.b_j == 1
}

/// `acc[q] + bias` (the columns at `bias`, `len` of them real, where there is one) through the
/// activation, as the tiles end.
#[inline(always)]
unsafe fn epilogue(acc: v128, bias: *const f32, len: usize, act: u32, alpha: f32) -> v128 {
    let sum = if bias.is_null() { acc } else { f32x4_add(acc, load_part(bias, len)) };
    activate(sum, act, alpha)
}

/// Rows `i0..i1` (at most [`SMALL_M`]) of C with op(B)'s columns contiguous (`b_j == 1`),
/// columns `j0..j1`: per row, [`V`] vectors of C at a time summed over every k-step, each step
/// one broadcast of A's value and one load of B per vector.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn few_rows(a: *const f32, b: *const f32, c: *mut f32, s: &Shape, i0: usize, i1: usize, j0: usize, j1: usize) {
    let (k, n, a_i, a_p, b_p) = (s.k, s.n, s.a_i, s.a_p, s.b_p);
    let (bias, act, alpha) = (s.bias, s.act, s.alpha);
    for i in i0..i1 {
        let (ai, out) = (a.add(i * a_i), c.add(i * n));
        let mut j = j0;
        while j + 4 * V <= j1 {
            let mut acc = [f32x4_splat(0.0); V];
            for p in 0..k {
                let av = f32x4_splat(*ai.add(p * a_p));
                let bp = b.add(p * b_p + j);
                for (q, x) in acc.iter_mut().enumerate() {
                    *x = f32x4_add(*x, f32x4_mul(av, load(bp.add(4 * q))));
                }
            }
            for (q, x) in acc.iter().enumerate() {
                let bj = if bias.is_null() { bias } else { bias.add(j + 4 * q) };
                store(out.add(j + 4 * q), epilogue(*x, bj, 4, act, alpha));
            }
            j += 4 * V;
        }
        while j < j1 {
            let len = min(4, j1 - j);
            let mut acc = f32x4_splat(0.0);
            for p in 0..k {
                let av = f32x4_splat(*ai.add(p * a_p));
                acc = f32x4_add(acc, f32x4_mul(av, load_part(b.add(p * b_p + j), len)));
            }
            let bj = if bias.is_null() { bias } else { bias.add(j) };
            store_part(out.add(j), epilogue(acc, bj, len, act, alpha), len);
            j += 4;
        }
    }
}
