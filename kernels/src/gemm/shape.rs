//! The GEMM's constants (flags, activation codes, block and tile sizes) and
//! [`Shape`], one product's geometry and epilogue: the leaf every other part of
//! `gemm` reads.

/// Flags of `matmul_f32`: bit 0 transposes A, bit 1 transposes B, bit 2 adds `bias`.
pub const TRANSPOSE_A: u32 = 1;
/// See [`TRANSPOSE_A`].
pub const TRANSPOSE_B: u32 = 2;
/// See [`TRANSPOSE_A`].
pub const HAS_BIAS: u32 = 4;

/// Activations applied after the bias, numbered as tfjs-wasm's `FusableActivation`
/// (0, linear, and any other number leave the sum as it is): `x < 0 ? 0 : x`.
pub const ACT_RELU: u32 = 1;
/// `x < 0 ? 0 : (x > 6 ? 6 : x)`
pub const ACT_RELU6: u32 = 2;
/// `x < 0 ? alpha * x : x`
pub const ACT_LEAKYRELU: u32 = 4;

/// Rows of a micro-tile, and of the packed strips of A. V8 on x64 allocates 15
/// xmm registers; `2·MR` accumulators + 2 B vectors + a broadcast and, unfused, a
/// product must fit: MR = 4. The fused twins run most rows on a 6-row tile that
/// reads these strips (`tile_tall.rs`: 12 + 2 + 1 registers; kernels/.cargo keeps
/// LLVM from hoisting its six broadcasts above their multiply-adds).
pub(crate) const MR: usize = 4;
/// Columns of a micro-tile (two f32x4).
pub(crate) const NR: usize = 8;
/// Depth of a packed block (the conv kernels').
pub(crate) const KC: usize = 256;
/// Depth of the matmul's packed blocks: a `MC × MM_KC` block of A (32 KiB)
/// and a `MM_KC × MM_NR` strip of B (8 KiB) stay in the 48 KiB L1 (256: 64 +
/// 16 KiB did not; measured 4-8% slower at 512³).
pub(crate) const MM_KC: usize = 128;
/// Rows of A packed at once (a multiple of MR).
pub(crate) const MC: usize = 64;
/// Columns of B packed at once (a multiple of NR).
pub(crate) const NC: usize = 512;
/// Rows of the matmul's own micro-tile ([`tile_wide`]; the conv kernels use
/// [`tile`], `MR × NR`).
pub(crate) const MM_MR: usize = 2;
/// Columns of the matmul's own micro-tile (four f32x4).
pub(crate) const MM_NR: usize = 16;
/// Workspace floats: one packed B panel and one packed A block.
pub const WORK_LEN: usize = KC * (NC + MC);

/// One matmul's geometry and epilogue.
pub struct Shape {
    pub m: usize,
    pub(super) k: usize,
    pub n: usize,
    /// Strides of op(A) element (i, p) in A.
    pub(super) a_i: usize,
    pub(super) a_p: usize,
    /// Strides of op(B) element (p, j) in B.
    pub(super) b_p: usize,
    pub(super) b_j: usize,
    pub(super) bias: *const f32,
    pub(super) act: u32,
    pub(super) alpha: f32,
}

impl Shape {
    /// `flags` as `matmul_f32`'s; `bias` and `act` are only read by the tile epilogue.
    pub fn new(m: u32, k: u32, n: u32, flags: u32, bias: *const f32, act: u32, alpha: f32) -> Shape {
        let (m, k, n) = (m as usize, k as usize, n as usize);
        let (a_i, a_p) = if flags & TRANSPOSE_A != 0 { (1, m) } else { (k, 1) };
        let (b_p, b_j) = if flags & TRANSPOSE_B != 0 { (1, k) } else { (n, 1) };
        let bias = if flags & HAS_BIAS != 0 { bias } else { core::ptr::null() };
        Shape { m, k, n, a_i, a_p, b_p, b_j, bias, act, alpha }
    }
}
