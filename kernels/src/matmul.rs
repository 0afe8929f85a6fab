//! The matmul family: `C[b] = act(op(A[b]) · op(B[b]) + bias)` on the packed
//! GEMM (`gemm.rs`), its parts for the kernel threads, the `4 × 8` variant the
//! fused twins are made from, and the scalar references (`matmul/reference.rs`).
//! Every export of the family takes [`matmul_exports!`]'s signature, written
//! once (the parts append `lo, hi`).

mod reference;

use crate::gemm;

/// Floats of workspace [`matmul_f32`] needs (packed panels of A and B).
#[no_mangle]
pub extern "C" fn matmul_f32_work_len() -> u32 {
    gemm::WORK_LEN as u32
}

/// Defines a matmul export and its two parts over [`matmul_block`] with one
/// micro-tile (`narrow`: see [`gemm::gemm_block`]); parts take the export's
/// arguments, then `lo, hi`.
macro_rules! matmul_exports {
    ($(#[$doc:meta])* $name:ident, $rows:ident, $cols:ident, narrow: $narrow:literal) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// All pointers must be valid for the sizes above and C must not overlap the rest.
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
        ) {
            let rows = batch * m;
            matmul_block::<$narrow>(
                a, b, c, batch, m, k, n, flags, a_stride, b_stride, bias, act, alpha, work, 0, rows, 0, n,
            );
        }

        /// Part of the product (same arguments, then `lo`, `hi`): the rows `lo..hi` of
        /// the batch's C stacked (`batch · m` rows; row `r` is row `r % m` of matrix
        /// `r / m`). Parts that cover `0..batch·m` give the whole product's bits, so
        /// threads can each compute a part (with a `work` each).
        ///
        /// # Safety
        /// As the whole product; parts computed at the same time must not overlap.
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $rows(
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
            lo: u32,
            hi: u32,
        ) {
            matmul_block::<$narrow>(
                a, b, c, batch, m, k, n, flags, a_stride, b_stride, bias, act, alpha, work, lo, hi, 0, n,
            );
        }

        /// Part of the product (same arguments, then `lo`, `hi`): the columns `lo..hi`
        /// of every C of the batch (for products with few rows). Parts that cover
        /// `0..n` give the whole product's bits.
        ///
        /// # Safety
        /// As the whole product; parts computed at the same time must not overlap.
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $cols(
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
            lo: u32,
            hi: u32,
        ) {
            let rows = batch * m;
            matmul_block::<$narrow>(
                a, b, c, batch, m, k, n, flags, a_stride, b_stride, bias, act, alpha, work, 0, rows, lo, hi,
            );
        }
    };
}

matmul_exports!(
    /// `C[b] = act(op(A[b]) · op(B[b]) + bias)` for `b < batch`, all row-major f32.
    ///
    /// `op(A)` is `m × k` (A stored `k × m` when transposed), `op(B)` is `k × n`,
    /// C is `m × n`. `a_stride`/`b_stride` are the batch strides in floats (0
    /// broadcasts one matrix over the batch). `bias` has `n` floats (flag
    /// `HAS_BIAS`). `work` holds [`matmul_f32_work_len`] floats. Each `C[i][j]`
    /// is summed over `k` in order, one rounded multiply and one rounded add per
    /// term, starting from 0; then `+ bias[j]`, then the activation.
    matmul_f32, matmul_f32_rows, matmul_f32_cols, narrow: false
);
matmul_exports!(
    /// [`matmul_f32`] on the conv kernels' `4 × 8` micro-tile: same arguments, same
    /// bits. The build's fused twins (`matmul4x8_f32_fma`, …) are made from these:
    /// with fused multiply-adds this tile is the faster one.
    matmul4x8_f32, matmul4x8_f32_rows, matmul4x8_f32_cols, narrow: true
);

/// Rows `rows_lo..rows_hi` of the stacked C (`batch · m` rows), columns
/// `cols_lo..cols_hi` of each: what the matmul exports share. One copy per
/// micro-tile (the block loop is inlined here) taking scalars only: a struct or
/// tuple argument would be passed by address, on a stack this module must not have.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn matmul_block<const NARROW: bool>(
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
    if m == 0 || lo >= hi {
        return;
    }
    let mut i = lo / m;
    while i < batch as usize && i * m < hi {
        let (start, end) = (i * m, (i + 1) * m);
        let i0 = if lo > start { lo - start } else { 0 };
        let i1 = if hi < end { hi - start } else { m };
        gemm::gemm_block::<NARROW>(
            a.add(i * a_stride as usize),
            b.add(i * b_stride as usize),
            c.add(i * m * n as usize),
            &shape,
            work,
            i0,
            i1,
            cols_lo as usize,
            cols_hi as usize,
        );
        i += 1;
    }
}

/// Defines a scalar reference of [`matmul_f32`] (same signature, `work` unused),
/// its terms added with `fma::madd::<$fma>`.
macro_rules! matmul_ref_export {
    ($(#[$doc:meta])* $name:ident, fma: $fma:literal) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// As [`matmul_f32`].
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
            _work: *mut f32,
        ) {
            for i in 0..batch as usize {
                reference::gemm::<$fma>(
                    a.add(i * a_stride as usize),
                    b.add(i * b_stride as usize),
                    c.add(i * (m * n) as usize),
                    m as usize,
                    k as usize,
                    n as usize,
                    flags,
                    bias,
                    act,
                    alpha,
                );
            }
        }
    };
}

matmul_ref_export!(
    /// Scalar reference of [`matmul_f32`] and [`matmul4x8_f32`]: same signature, same bits.
    matmul_f32_ref, fma: false
);
matmul_ref_export!(
    /// Scalar reference of the fused twins `matmul_f32_fma`, `matmul4x8_f32_fma`:
    /// each term's multiply-add rounded once, in software (`fma::fma_f32`).
    matmul_f32_fma_ref, fma: true
);
