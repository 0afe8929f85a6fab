//! The KDE's grid sums (src/metrics/kde_density.ts, the divergences `eval/kde_kl` and
//! `eval/kde_js`): for a block of `count` samples, every cell `(i, j)` of a `rows × cols`
//! grid adds `gx[k][i] · gy[k][j]` for `k = 0, 1, ...` in order, the product rounded to f64,
//! then the sum: the bits of a loop over samples adding each one's products cell by cell
//! (simd128 has no fused multiply-add, Rust does not contract, and the fused-twin build step
//! touches only `f32x4` pairs of the roots it is given).
//!
//! The kernel keeps a 4 × 4 tile of sums in eight `f64x2` registers while it runs over a
//! block of [`BLOCK`] samples, so each sum is loaded and stored once per block rather than
//! once per sample, and a block's kernel values stay in the core's cache across its tiles.
//! A call covers the grid rows `lo..hi`, so the kernel threads can split a grid by rows:
//! each cell's order, and so its bits, are the same whatever the split.

use core::arch::wasm32::*;

/// Rows and columns of the kernel's tile: `rows` and `cols` must be multiples of it.
pub const TILE: usize = 4;

/// Samples whose kernel values a tile runs over before the next tile (2 × 128 × 100
/// doubles on the usual 100 × 100 grid: 200 KiB, within a core's L2).
const BLOCK: usize = 128;

/// Every cell's sum of the rows `lo..hi` over the samples, a block of samples at a time,
/// one 4 × 4 tile at a time.
#[allow(clippy::too_many_arguments)]
pub unsafe fn kde_sums(
    sums: *mut f64,
    gx: *const f64,
    gy: *const f64,
    rows: usize,
    cols: usize,
    count: usize,
    lo: usize,
    hi: usize,
) {
    for first in (0..count).step_by(BLOCK) {
        let n = BLOCK.min(count - first);
        let (bx, by) = (gx.add(first * rows), gy.add(first * cols));
        for i in (lo..hi).step_by(TILE) {
            for j in (0..cols).step_by(TILE) {
                tile(sums.add(i * cols + j), bx.add(i), by.add(j), rows, cols, n);
            }
        }
    }
}

/// One 4 × 4 tile's sums (`cell` its first) over `count` samples' values (`gx`, `gy` at
/// the first sample's for the tile).
#[inline(always)]
unsafe fn tile(
    cell: *mut f64,
    gx: *const f64,
    gy: *const f64,
    rows: usize,
    cols: usize,
    count: usize,
) {
    let mut acc = [f64x2_splat(0.0); 2 * TILE];
    for r in 0..TILE {
        acc[2 * r] = v128_load(cell.add(r * cols) as *const v128);
        acc[2 * r + 1] = v128_load(cell.add(r * cols + 2) as *const v128);
    }
    let (mut x, mut y) = (gx, gy);
    for _ in 0..count {
        let (y0, y1) = (
            v128_load(y as *const v128),
            v128_load(y.add(2) as *const v128),
        );
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

/// Scalar reference of [`kde_sums`]: sample by sample, cell by cell.
#[allow(clippy::too_many_arguments)]
pub unsafe fn kde_sums_ref(
    sums: *mut f64,
    gx: *const f64,
    gy: *const f64,
    rows: usize,
    cols: usize,
    count: usize,
    lo: usize,
    hi: usize,
) {
    for k in 0..count {
        for i in lo..hi {
            let a = *gx.add(k * rows + i);
            for j in 0..cols {
                *sums.add(i * cols + j) += a * *gy.add(k * cols + j);
            }
        }
    }
}

kernel!(
    /// The KDE's grid sums over `count` samples: `sums[i][j] += gx[k][i] · gy[k][j]`
    /// for `k` in `0..count` in order, product then sum each rounded to f64 (no fused
    /// multiply-add), `sums` a `rows × cols` grid, `gx` `count × rows`, `gy` `count × cols`,
    /// row-major; only the rows `lo..hi` (a part, for the kernel threads; `work` unused).
    ///
    /// # Safety
    /// `rows`, `cols`, `lo` and `hi` are multiples of [`TILE`], `lo <= hi <= rows`; the
    /// pointers are valid for their grids; `sums` overlaps neither input.
    kde_sums_f64, kde_sums_f64_ref(
        sums: *mut f64, gx: *const f64, gy: *const f64, rows: u32, cols: u32, count: u32,
        _work: *mut f32, lo: u32, hi: u32
    ) => kde_sums, kde_sums_ref(
        sums, gx, gy, rows as usize, cols as usize, count as usize, lo as usize, hi as usize
    )
);
