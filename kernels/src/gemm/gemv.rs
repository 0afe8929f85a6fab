//! Products with at most [`NARROW_N`] columns (a critic's or a 2-D generator's
//! last dense layer, their weight gradients): no packing. Four rows of C per
//! vector, one vector per column; each element's sum runs over `k` in order
//! from 0, then the bias and the activation, as [`super::tile`] and
//! [`super::tile_wide`] compute them (same bits).
//!
//! Packing a 4-row strip of A for one or two columns cost as much as the
//! products themselves (`256 × 128 · 128 × 2`: 24 µs, 5 GFLOP/s). Here op(A)'s
//! rows come straight from A: four rows at one `k` in one load where they are
//! contiguous (A transposed), else four `k` of four rows in four loads and a
//! 4 × 4 transpose in registers (A row-major), else one float at a time.
//!
//! One group's `N` sums are chains of dependent multiply-adds as long as `k`:
//! alone they wait on the unit's latency (`128 × 256 · 256 × 1` with A
//! transposed, a last layer's weight gradient: 9.6 µs on AMD Zen 5, one
//! thread). So where A is transposed, `G` groups of four rows run side by side,
//! each with its own sums (four groups for one or two columns, two for three or
//! four: V8 gives a kernel 15 vector registers on x64): 2.8 µs there. Each
//! element's sum is the one a group alone computes.
//!
//! Tried for row-major A and left out: the groups side by side straight from
//! A (LLVM then writes some sums as `product + sum`, which the build's fused
//! twins do not fuse, so the twins lost their bits), and from a transposed
//! copy of the rows (the copy's shuffles ate the gain: 0.96-0.99 of before).

use super::shape::Shape;
use super::vector::{activate, load, min, store, store_part, transpose};
use core::arch::wasm32::*;

/// The most columns a product may have to take this path.
pub(super) const NARROW_N: usize = 4;

/// Rows `i0..i1`, columns `j0..j1` (at most [`NARROW_N`]) of C.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn gemv(a: *const f32, b: *const f32, c: *mut f32, s: &Shape, i0: usize, i1: usize, j0: usize, j1: usize) {
    match j1 - j0 {
        1 => columns::<1, 4>(a, b, c, s, i0, i1, j0),
        2 => columns::<2, 4>(a, b, c, s, i0, i1, j0),
        3 => columns::<3, 2>(a, b, c, s, i0, i1, j0),
        _ => columns::<4, 2>(a, b, c, s, i0, i1, j0),
    }
}

/// `acc[j] += av · B[p][j]` for the `N` columns: one multiply-add per column and k-step.
#[inline(always)]
unsafe fn step<const N: usize>(acc: &mut [v128; N], av: v128, b: *const f32, s: &Shape, p: usize) {
    for (j, x) in acc.iter_mut().enumerate() {
        *x = f32x4_add(*x, f32x4_mul(av, f32x4_splat(*b.add(p * s.b_p + j * s.b_j))));
    }
}

/// [`gemv`] for `N` columns from `j0` (constants, so that the sums stay in registers):
/// `4 · G` whole rows at a time where A is transposed, then four rows at a time.
#[inline(always)]
unsafe fn columns<const N: usize, const G: usize>(a: *const f32, b: *const f32, c: *mut f32, s: &Shape, i0: usize, i1: usize, j0: usize) {
    let b = b.add(j0 * s.b_j);
    let mut i = i0;
    if s.a_i == 1 {
        while i + 4 * G <= i1 {
            groups::<N, G>(a, b, c, s, i, j0);
            i += 4 * G;
        }
    }
    while i < i1 {
        let rows = min(4, i1 - i);
        // Rows past i1 read the last real row (their sums are never stored).
        let r0 = a.add(i * s.a_i);
        let r1 = a.add(min(i + 1, i1 - 1) * s.a_i);
        let r2 = a.add(min(i + 2, i1 - 1) * s.a_i);
        let r3 = a.add(min(i + 3, i1 - 1) * s.a_i);
        let mut acc = [f32x4_splat(0.0); N];
        let mut p = 0;
        if s.a_i == 1 && rows == 4 {
            // op(A) transposed: rows i..i+4 at one k are contiguous.
            while p < s.k {
                step(&mut acc, load(r0.add(p * s.a_p)), b, s, p);
                p += 1;
            }
        } else if s.a_p == 1 {
            // Row-major: four k of each row, transposed into four k-steps.
            while p + 4 <= s.k {
                let [t0, t1, t2, t3] = transpose([load(r0.add(p)), load(r1.add(p)), load(r2.add(p)), load(r3.add(p))]);
                step(&mut acc, t0, b, s, p);
                step(&mut acc, t1, b, s, p + 1);
                step(&mut acc, t2, b, s, p + 2);
                step(&mut acc, t3, b, s, p + 3);
                p += 4;
            }
        }
        while p < s.k {
            let at = p * s.a_p;
            step(&mut acc, f32x4(*r0.add(at), *r1.add(at), *r2.add(at), *r3.add(at)), b, s, p);
            p += 1;
        }
        finish(&mut acc, c, s, i, rows, j0);
        i += 4;
    }
}

/// Runs `$body` with `$g` and `$sums` bound to each group `0..G` (at most four) and its sums,
/// written out with constant indices: a loop over the groups could leave the sums in memory,
/// which this module must not use.
macro_rules! each_group {
    ($acc:ident, $G:expr, |$g:ident, $sums:ident| $body:block) => {
        {
            let ($g, $sums) = (0usize, &mut $acc[0]);
            $body
        }
        if $G > 1 {
            let ($g, $sums) = (1usize, &mut $acc[1 % $G]);
            $body
        }
        if $G > 2 {
            let ($g, $sums) = (2usize, &mut $acc[2 % $G]);
            $body
        }
        if $G > 3 {
            let ($g, $sums) = (3usize, &mut $acc[3 % $G]);
            $body
        }
    };
}

/// Rows `i..i + 4 · G` (all real) of a product with A transposed, `G` (at most four) groups
/// of four rows side by side, a group's rows at one k in one load.
#[inline(always)]
unsafe fn groups<const N: usize, const G: usize>(a: *const f32, b: *const f32, c: *mut f32, s: &Shape, i: usize, j0: usize) {
    let mut acc = [[f32x4_splat(0.0); N]; G];
    for p in 0..s.k {
        each_group!(acc, G, |g, sums| {
            step(sums, load(a.add(i + 4 * g + p * s.a_p)), b, s, p);
        });
    }
    each_group!(acc, G, |g, sums| {
        finish(sums, c, s, i + 4 * g, 4, j0);
    });
}

/// A group's sums (`rows` of its four real) plus the bias, through the activation, into C.
#[inline(always)]
unsafe fn finish<const N: usize>(acc: &mut [v128; N], c: *mut f32, s: &Shape, i: usize, rows: usize, j0: usize) {
    let n = s.n;
    for (j, x) in acc.iter_mut().enumerate() {
        let sum = if s.bias.is_null() { *x } else { f32x4_add(*x, f32x4_splat(*s.bias.add(j0 + j))) };
        *x = activate(sum, s.act, s.alpha);
    }
    let out = c.add(i * n + j0);
    if N == 1 && n == 1 {
        store_part(out, acc[0], rows);
    } else if N == 2 && n == 2 && rows == 4 {
        // Two whole rows per store: (row 0, row 1) and (row 2, row 3).
        store(out, i32x4_shuffle::<0, 4, 1, 5>(acc[0], acc[N - 1]));
        store(out.add(4), i32x4_shuffle::<2, 6, 3, 7>(acc[0], acc[N - 1]));
    } else {
        // Rows as vectors (the transpose), each stored in part: no lane picked by a variable
        // index (that goes through memory, which this module must not use).
        let zero = f32x4_splat(0.0);
        let col = |j: usize| if j < N { acc[j] } else { zero };
        let [t0, t1, t2, t3] = transpose([col(0), col(1), col(2), col(3)]);
        store_part(out, t0, N);
        if rows > 1 {
            store_part(out.add(n), t1, N);
        }
        if rows > 2 {
            store_part(out.add(2 * n), t2, N);
        }
        if rows > 3 {
            store_part(out.add(3 * n), t3, N);
        }
    }
}
