//! The packed f32x4 GEMM that the matmul and conv families share: packed panels (cache tiling) and register-blocked
//! micro-kernels: [`tile_wide`] (`MM_MR × MM_NR` = 2 × 16) for the matmul,
//! [`tile`] (`MR × NR` = 4 × 8, generic over where C's rows are) for the conv
//! kernels, and [`tile_tall`] (6 × 8 on the same packed strips) for most rows
//! of the fused twins (`TALL`), where it is the fastest.
//!
//! Loop nest (as in BLIS): column panels of `NC` columns of B, k-blocks of
//! `MM_KC` (one B panel, `MM_KC × NC`, packed into `MM_NR`-wide strips, stays
//! in L2), row blocks of `MC` rows of A (packed into `MM_MR`-tall strips, in
//! L1), then one micro-kernel call per tile of C, with its strip of B in L1.
//!
//! Summation order: every C element is one running sum over k in order. The
//! first k-block starts from 0, later k-blocks continue from the value stored in
//! C, so k-blocking does not change the bits: the result equals the scalar
//! reference (`matmul/reference.rs`) exactly, for every tile size.
//!
//! Modules (no cycles; this one only declares and re-exports them): `shape`
//! (constants and [`Shape`], a leaf) ← `vector` (f32x4 loads, stores, the
//! activation) ← `pack` (packing), `tile_io` (where C's rows are, the tile
//! load/store macros) ← `tile` (4 × 8), `tile_tall` (6 × 8), `tile_wide` (2 × 16), `gemv` (at most
//! four columns, unpacked), `small` (at most two rows, unpacked) ← `block`
//! (the loop nest, [`gemm_block`]).

mod block;
mod gemv;
mod pack;
mod shape;
mod small;
mod tile;
mod tile_io;
mod tile_tall;
mod tile_wide;
mod vector;

pub use block::gemm_block;
pub(crate) use pack::pack_b;
pub use shape::{Shape, ACT_LEAKYRELU, ACT_RELU, ACT_RELU6, HAS_BIAS, TRANSPOSE_A, TRANSPOSE_B, WORK_LEN};
pub(crate) use shape::{KC, MC, MR, NC, NR};
pub(crate) use tile::tile;
pub(crate) use tile_tall::tall_pairs;
pub(crate) use tile_io::{load_tile, store_tile, Rows};
pub(crate) use vector::{load, load_part, store, store_part};
