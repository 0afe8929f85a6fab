//! Products with one column: a matrix-vector product without packing.

use super::shape::Shape;
use super::vector::{activate, min, store_part};
use core::arch::wasm32::*;

/// Rows `i0..i1` of a product with one column (a matrix-vector product, e.g. a
/// critic's last dense layer): each row's sum in `k` order from 0, then the bias
/// and the activation, as [`tile_wide`] computes them (same bits), four rows per
/// vector, without packing a 16-column strip for one column (~10x faster).
#[inline(always)]
pub(super) unsafe fn gemv(a: *const f32, b: *const f32, c: *mut f32, s: &Shape, i0: usize, i1: usize) {
    let bias = if s.bias.is_null() { None } else { Some(f32x4_splat(*s.bias)) };
    let finish = |acc: v128| activate(bias.map_or(acc, |b| f32x4_add(acc, b)), s.act, s.alpha);
    let mut i = i0;
    while i < i1 {
        let rows = min(4, i1 - i);
        let row = |r: usize| a.add(min(i + r, i1 - 1) * s.a_i);
        let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
        let mut acc = f32x4_splat(0.0);
        for p in 0..s.k {
            let at = p * s.a_p;
            let ap = if s.a_i == 1 && rows == 4 {
                v128_load(r0.add(at) as *const v128)
            } else {
                f32x4(*r0.add(at), *r1.add(at), *r2.add(at), *r3.add(at))
            };
            acc = f32x4_add(acc, f32x4_mul(ap, f32x4_splat(*b.add(p * s.b_p))));
        }
        store_part(c.add(i), finish(acc), rows);
        i += 4;
    }
}
