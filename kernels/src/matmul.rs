//! The matmul family: `C[b] = act(op(A[b]) · op(B[b]) + bias)` on the packed
//! GEMM (`gemm.rs`), its parts for the kernel threads, the `4 × 8` variant the
//! fused twins are made from, and the scalar references (`matmul/reference.rs`).
//! Every export of the family takes [`matmul_exports!`]'s signature, written
//! once (the parts append `lo, hi`).

pub(crate) mod reference;

use crate::gemm;

/// Floats of workspace [`matmul_f32`] needs (packed panels of A and B).
#[no_mangle]
pub extern "C" fn matmul_f32_work_len() -> u32 {
    gemm::WORK_LEN as u32
}

/// Which computation [`matmul_block`] runs (its const parameter): the 2 × 16
/// micro-tile ([`gemm::gemm_block`] wide), the conv kernels' 4 × 8 one (narrow),
/// or the scalar reference, plain or with every multiply-add rounded once.
const WIDE: u8 = 0;
/// See [`WIDE`].
const NARROW: u8 = 1;
/// See [`WIDE`].
const SCALAR: u8 = 2;
/// See [`WIDE`].
const SCALAR_FMA: u8 = 3;
/// See [`WIDE`]: the 4 × 8 tile broadcasting A by loads, for a plain memory (same bits).
const NARROW_SPLAT: u8 = 4;
/// See [`WIDE`]: [`NARROW`] with most rows on the 6 × 8 tile (`gemm::tile_tall`), the
/// source of the fused twins of the `4 × 8` exports (same bits).
const TALL: u8 = 5;
/// See [`WIDE`]: [`NARROW_SPLAT`] with most rows on the 6 × 8 tile.
const TALL_SPLAT: u8 = 6;
/// A whole range of rows or columns (bounds are clipped to the product).
const ALL: u32 = u32::MAX;

/// Defines the matmul exports, all with one signature, written once here:
/// `name(extra) => how, rows r0..r1, cols c0..c1;` exports `name(a, …, work,
/// extra: u32…)` computing rows `r0..r1` of the batch's C stacked (`batch · m`
/// rows; row `r` is row `r % m` of matrix `r / m`), columns `c0..c1` of each,
/// by [`matmul_block`]`::<how>`. The parts append `lo, hi`.
macro_rules! matmul_exports {
    ($(
        $(#[$doc:meta])*
        $name:ident($($part:ident),*) => $how:ident, rows $rows:expr, cols $cols:expr;
    )*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// All pointers must be valid for the sizes of [`matmul_f32`] and C must not
        /// overlap the rest; parts computed at the same time must not overlap.
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name(
            a: *const f32,
            b: *const f32,
            c: *mut f32,
            batch: u32,
            m: u32,
            k: u32,
            n: u32,
            flags: u32,
            a_stride: u32,
            b_stride: u32,
            bias: *const f32,
            act: u32,
            alpha: f32,
            work: *mut f32,
            $($part: u32),*
        ) {
            let (rows, cols): (core::ops::Range<u32>, core::ops::Range<u32>) = ($rows, $cols);
            matmul_block::<$how>(
                a, b, c, batch, m, k, n, flags, a_stride, b_stride, bias, act, alpha, work,
                rows.start, rows.end, cols.start, cols.end,
            );
        }
    )*};
}

matmul_exports! {
    /// `C[b] = act(op(A[b]) · op(B[b]) + bias)` for `b < batch`, all row-major f32.
    ///
    /// `op(A)` is `m × k` (A stored `k × m` when transposed), `op(B)` is `k × n`,
    /// C is `m × n`. `a_stride`/`b_stride` are the batch strides in floats (0
    /// broadcasts one matrix over the batch). `bias` has `n` floats (flag
    /// `HAS_BIAS`). `work` holds [`matmul_f32_work_len`] floats. Each `C[i][j]`
    /// is summed over `k` in order, one rounded multiply and one rounded add per
    /// term, starting from 0; then `+ bias[j]`, then the activation.
    matmul_f32() => WIDE, rows 0..ALL, cols 0..ALL;
    /// Part of [`matmul_f32`] (same arguments, then `lo`, `hi`): the rows `lo..hi` of
    /// the batch's C stacked (`batch · m` rows; row `r` is row `r % m` of matrix
    /// `r / m`). Parts that cover `0..batch·m` give the whole product's bits, so
    /// threads can each compute a part (with a `work` each).
    matmul_f32_rows(lo, hi) => WIDE, rows lo..hi, cols 0..ALL;
    /// Part of [`matmul_f32`] (same arguments, then `lo`, `hi`): the columns `lo..hi`
    /// of every C of the batch (for products with few rows). Parts that cover
    /// `0..n` give the whole product's bits.
    matmul_f32_cols(lo, hi) => WIDE, rows 0..ALL, cols lo..hi;
    /// [`matmul_f32`] on the conv kernels' `4 × 8` micro-tile: same arguments, same
    /// bits. The build's fused twins (`matmul4x8_f32_fma`, …) are made from these:
    /// with fused multiply-adds this tile is the faster one.
    matmul4x8_f32() => NARROW, rows 0..ALL, cols 0..ALL;
    /// [`matmul_f32_rows`] on the `4 × 8` micro-tile.
    matmul4x8_f32_rows(lo, hi) => NARROW, rows lo..hi, cols 0..ALL;
    /// [`matmul_f32_cols`] on the `4 × 8` micro-tile.
    matmul4x8_f32_cols(lo, hi) => NARROW, rows 0..ALL, cols lo..hi;
    /// [`matmul4x8_f32`] broadcasting A by loads (`gemm::tile`'s `SPLAT`), for a plain
    /// memory: same arguments, same bits.
    matmul4x8_f32_splat() => NARROW_SPLAT, rows 0..ALL, cols 0..ALL;
    /// Not called: the source of `matmul4x8_f32_fma` (the build makes each fused twin of
    /// `name` from `name_tall` where it exists, then drops the `_tall` export).
    matmul4x8_f32_tall() => TALL, rows 0..ALL, cols 0..ALL;
    /// Not called: the source of `matmul4x8_f32_rows_fma`.
    matmul4x8_f32_rows_tall(lo, hi) => TALL, rows lo..hi, cols 0..ALL;
    /// Not called: the source of `matmul4x8_f32_cols_fma`.
    matmul4x8_f32_cols_tall(lo, hi) => TALL, rows 0..ALL, cols lo..hi;
    /// Not called: the source of `matmul4x8_f32_splat_fma`.
    matmul4x8_f32_splat_tall() => TALL_SPLAT, rows 0..ALL, cols 0..ALL;
    /// Scalar reference of [`matmul_f32`] and [`matmul4x8_f32`]: same signature
    /// (`work` unused), same bits.
    matmul_f32_ref() => SCALAR, rows 0..ALL, cols 0..ALL;
    /// Scalar reference of the fused twins `matmul_f32_fma`, `matmul4x8_f32_fma`:
    /// each term's multiply-add rounded once, in software (`fma::fma_f32`).
    matmul_f32_fma_ref() => SCALAR_FMA, rows 0..ALL, cols 0..ALL;
}

/// Rows `rows_lo..rows_hi` of the stacked C (`batch · m` rows), columns
/// `cols_lo..cols_hi` of each (both clipped to the product), by `HOW` (see
/// [`WIDE`]): what the matmul exports share. One copy per `HOW` (the block loop
/// is inlined here) taking scalars only: a struct or tuple argument would be
/// passed by address, on a stack this module must not have.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn matmul_block<const HOW: u8>(
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    batch: u32,
    m: u32,
    k: u32,
    n: u32,
    flags: u32,
    a_stride: u32,
    b_stride: u32,
    bias: *const f32,
    act: u32,
    alpha: f32,
    work: *mut f32,
    rows_lo: u32,
    rows_hi: u32,
    cols_lo: u32,
    cols_hi: u32,
) {
    let shape = gemm::Shape::new(m, k, n, flags, bias, act, alpha);
    let (m, lo, hi) = (m as usize, rows_lo as usize, rows_hi as usize);
    let (j0, j1) = (cols_lo as usize, cols_hi as usize);
    if m == 0 || lo >= hi {
        return;
    }
    let mut i = lo / m;
    while i < batch as usize && i * m < hi {
        let (start, end) = (i * m, (i + 1) * m);
        let i0 = if lo > start { lo - start } else { 0 };
        let i1 = if hi < end { hi - start } else { m };
        let a = a.add(i * a_stride as usize);
        let b = b.add(i * b_stride as usize);
        let c = c.add(i * m * n as usize);
        match HOW {
            WIDE => gemm::gemm_block::<false, false, false>(a, b, c, &shape, work, i0, i1, j0, j1),
            NARROW => gemm::gemm_block::<true, false, false>(a, b, c, &shape, work, i0, i1, j0, j1),
            NARROW_SPLAT => gemm::gemm_block::<true, true, false>(a, b, c, &shape, work, i0, i1, j0, j1),
            TALL => gemm::gemm_block::<true, false, true>(a, b, c, &shape, work, i0, i1, j0, j1),
            TALL_SPLAT => gemm::gemm_block::<true, true, true>(a, b, c, &shape, work, i0, i1, j0, j1),
            SCALAR => reference::gemm::<false>(a, b, c, m, k as usize, n as usize, flags, bias, act, alpha, i0, i1, j0, j1),
            _ => reference::gemm::<true>(a, b, c, m, k as usize, n as usize, flags, bias, act, alpha, i0, i1, j0, j1),
        }
        i += 1;
    }
}
