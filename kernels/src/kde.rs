//! The KDE's grid sums (src/metrics/kde_density.ts, the divergences `eval/kde_kl` and
//! `eval/kde_js`): for a block of `count` samples, every cell `(i, j)` of a `rows × cols`
//! grid adds `gx[k][i] · gy[k][j]` for `k = 0, 1, ...` in order, the product rounded to f64,
//! then the sum: the bits of a loop over samples adding each one's products cell by cell
//! (simd128 has no fused multiply-add, Rust does not contract, and the fused-twin build step
//! touches only `f32x4` pairs of the roots it is given).
//!
//! The kernel keeps a 4 × 4 tile of sums in eight `f64x2` registers while it runs over the
//! block, so each sum is loaded and stored once per block rather than once per sample.

use core::arch::wasm32::*;

/// Rows and columns of the kernel's tile: `rows` and `cols` must be multiples of it.
pub const TILE: usize = 4;

/// Every cell's sum over the block's samples, one 4 × 4 tile at a time.
pub unsafe fn kde_sums(
    sums: *mut f64,
    gx: *const f64,
    gy: *const f64,
    rows: usize,
    cols: usize,
    count: usize,
) {
    for i in (0..rows).step_by(TILE) {
        for j in (0..cols).step_by(TILE) {
            let cell = sums.add(i * cols + j);
            let mut acc = [f64x2_splat(0.0); 2 * TILE];
            for r in 0..TILE {
                acc[2 * r] = v128_load(cell.add(r * cols) as *const v128);
                acc[2 * r + 1] = v128_load(cell.add(r * cols + 2) as *const v128);
            }
            let (mut x, mut y) = (gx.add(i), gy.add(j));
            for _ in 0..count {
                let (y0, y1) = (v128_load(y as *const v128), v128_load(y.add(2) as *const v128));
                for r in 0..TILE {
                    let a = f64x2_splat(*x.add(r));
                    acc[2 * r] = f64x2_add(acc[2 * r], f64x2_mul(a, y0));
                    acc[2 * r + 1] = f64x2_add(acc[2 * r + 1], f64x2_mul(a, y1));
                }
                x = x.add(rows);
                y = y.add(cols);
            }
            for r in 0..TILE {
                v128_store(cell.add(r * cols) as *mut v128, acc[2 * r]);
                v128_store(cell.add(r * cols + 2) as *mut v128, acc[2 * r + 1]);
            }
        }
    }
}

/// Scalar reference of [`kde_sums`]: sample by sample, cell by cell.
pub unsafe fn kde_sums_ref(
    sums: *mut f64,
    gx: *const f64,
    gy: *const f64,
    rows: usize,
    cols: usize,
    count: usize,
) {
    for k in 0..count {
        for i in 0..rows {
            let a = *gx.add(k * rows + i);
            for j in 0..cols {
                *sums.add(i * cols + j) += a * *gy.add(k * cols + j);
            }
        }
    }
}

kernel!(
    /// The KDE's grid sums over a block of samples: `sums[i][j] += gx[k][i] · gy[k][j]`
    /// for `k` in `0..count` in order, product then sum each rounded to f64 (no fused
    /// multiply-add), `sums` a `rows × cols` grid, `gx` `count × rows`, `gy` `count × cols`,
    /// row-major.
    ///
    /// # Safety
    /// `rows` and `cols` are multiples of [`TILE`]; the pointers are valid for their
    /// grids; `sums` overlaps neither input.
    kde_sums_f64, kde_sums_f64_ref(
        sums: *mut f64, gx: *const f64, gy: *const f64, rows: u32, cols: u32, count: u32
    ) => kde_sums, kde_sums_ref(sums, gx, gy, rows as usize, cols as usize, count as usize)
);
