//! Where a tile of C lives ([`Rows`]) and the `MR × NR` tile's load and store
//! ([`load_tile!`], [`store_tile!`]), shared by [`super::tile`] and the conv
//! kernels' own micro-kernels, and the `NR`-wide tiles' epilogue ([`tile_bias!`],
//! [`bias_act!`]), shared with `tile_tall`.

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
/// The bias of a tile's two f32x4 halves at column `$j` (`$w0`, `$w1` real lanes), or
/// zeros when `$s` has none: what [`bias_act!`] adds.
macro_rules! tile_bias {
    ($s:expr, $j:expr, $w0:expr, $w1:expr) => {
        if $s.bias.is_null() {
            (f32x4_splat(0.0), f32x4_splat(0.0))
        } else {
            (load_part($s.bias.add($j), $w0), load_part($s.bias.add($j + 4), $w1))
        }
    };
}

/// The last k-block's epilogue on row `$r` of the accumulators `$acc`: `+ bias` (the pair
/// from [`tile_bias!`], when `$s` has one), then `$s`'s activation.
macro_rules! bias_act {
    ($acc:ident, $r:expr, $s:expr, $bias:expr) => {
        if !$s.bias.is_null() {
            $acc[$r][0] = f32x4_add($acc[$r][0], $bias.0);
            $acc[$r][1] = f32x4_add($acc[$r][1], $bias.1);
        }
        $acc[$r][0] = activate($acc[$r][0], $s.act, $s.alpha);
        $acc[$r][1] = activate($acc[$r][1], $s.act, $s.alpha);
    };
}
pub(crate) use {bias_act, load_tile, store_tile, tile_bias};
