//! Where a tile of C lives ([`Rows`]) and the `MR × NR` tile's load and store
//! ([`load_tile!`], [`store_tile!`]), shared by [`super::tile`] and the conv
//! kernels' own micro-kernels.

/// Where the rows of a tile of C are: `row(r)` points at the tile's first
/// column in row `r` (matmul: evenly strided rows; conv: a table of rows).
pub(crate) trait Rows {
    /// Row `r` (< `MR`) of the tile.
    unsafe fn row(&self, r: usize) -> *mut f32;
}

/// Loads the `mr × nr` part of an `MR × NR` tile of C (rows by `$c: Rows`; `w0`,
/// `w1` the real lanes of its two f32x4 halves) into the accumulators `$acc`: the
/// running sums a later k-block continues from. A macro, so that every
/// micro-kernel compiles exactly as if written out (a function taking the
/// accumulators changed LLVM's unrolling: +15% code).
macro_rules! load_tile {
    ($c:expr, $acc:ident, $mr:expr, $w0:expr, $w1:expr) => {
        for r in 0..MR {
            if r < $mr {
                $acc[r][0] = load_part($c.row(r), $w0);
                $acc[r][1] = load_part($c.row(r).add(4), $w1);
            }
        }
    };
}

/// Stores the `mr × nr` part of the accumulators `$acc` into an `MR × NR` tile
/// of C: whole vectors when the tile is full width, lane by lane otherwise. The
/// tile store every `MR × NR` micro-kernel ends with (see [`load_tile!`]).
macro_rules! store_tile {
    ($c:expr, $acc:ident, $mr:expr, $nr:expr, $w0:expr, $w1:expr) => {
        for r in 0..MR {
            if r < $mr {
                if $nr == NR {
                    store($c.row(r), $acc[r][0]);
                    store($c.row(r).add(4), $acc[r][1]);
                } else {
                    store_part($c.row(r), $acc[r][0], $w0);
                    store_part($c.row(r).add(4), $acc[r][1], $w1);
                }
            }
        }
    };
}
pub(crate) use {load_tile, store_tile};
