//! The packed f32x4 GEMM that the matmul and conv families share: packed panels (cache tiling) and register-blocked
//! micro-kernels: [`tile_wide`] (`MM_MR × MM_NR` = 2 × 16) for the matmul,
//! [`tile`] (`MR × NR` = 4 × 8, generic over where C's rows are) for the conv
//! kernels.
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

use core::arch::wasm32::*;

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

/// Rows of a micro-tile. V8 on x64 allocates 15 xmm registers; LLVM schedules
/// all `MR` broadcasts of a k-step before their use, so `2·MR` accumulators +
/// 2 B vectors + `MR` broadcasts must fit: MR = 4 (14 live). MR = 5 spills
/// (half speed); MR = 6 even puts the accumulators on the shadow stack, which
/// this module must never use (the build rejects it).
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
    k: usize,
    pub n: usize,
    /// Strides of op(A) element (i, p) in A.
    a_i: usize,
    a_p: usize,
    /// Strides of op(B) element (p, j) in B.
    b_p: usize,
    b_j: usize,
    bias: *const f32,
    act: u32,
    alpha: f32,
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

#[inline(always)]
fn min(a: usize, b: usize) -> usize {
    if a < b {
        a
    } else {
        b
    }
}

#[inline(always)]
pub(crate) unsafe fn load(p: *const f32) -> v128 {
    (p as *const v128).read_unaligned()
}

#[inline(always)]
pub(crate) unsafe fn store(p: *mut f32, v: v128) {
    (p as *mut v128).write_unaligned(v)
}

/// The first `len` (0..=4) floats at `p`, zeros after.
#[inline(always)]
pub(crate) unsafe fn load_part(p: *const f32, len: usize) -> v128 {
    if len >= 4 {
        return load(p);
    }
    let mut v = f32x4_splat(0.0);
    if len > 0 {
        v = f32x4_replace_lane::<0>(v, *p);
    }
    if len > 1 {
        v = f32x4_replace_lane::<1>(v, *p.add(1));
    }
    if len > 2 {
        v = f32x4_replace_lane::<2>(v, *p.add(2));
    }
    v
}

/// Stores the first `len` (0..=4) lanes of `v` at `p`.
#[inline(always)]
pub(crate) unsafe fn store_part(p: *mut f32, v: v128, len: usize) {
    if len >= 4 {
        return store(p, v);
    }
    if len > 0 {
        *p = f32x4_extract_lane::<0>(v);
    }
    if len > 1 {
        *p.add(1) = f32x4_extract_lane::<1>(v);
    }
    if len > 2 {
        *p.add(2) = f32x4_extract_lane::<2>(v);
    }
}

/// `act(v)` with the scalar reference's comparisons (NaN and -0 included).
#[inline(always)]
fn activate(v: v128, act: u32, alpha: f32) -> v128 {
    let zero = f32x4_splat(0.0);
    match act {
        ACT_RELU => v128_bitselect(zero, v, f32x4_lt(v, zero)),
        ACT_RELU6 => {
            let six = f32x4_splat(6.0);
            let r = v128_bitselect(zero, v, f32x4_lt(v, zero));
            v128_bitselect(six, r, f32x4_gt(r, six))
        }
        ACT_LEAKYRELU => v128_bitselect(f32x4_mul(f32x4_splat(alpha), v), v, f32x4_lt(v, zero)),
        _ => v,
    }
}

/// Packs B rows `pc..pc+kc`, columns `jc..jc+nc` into `NR`-wide strips, each
/// `kc × NR` row-major, zero-padded past `nc`.
pub(crate) unsafe fn pack_b(b: *const f32, s: &Shape, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
    pack_b_w::<NR>(b, s, pc, kc, jc, nc, dst)
}

/// [`pack_b`] into `W`-wide strips (`W` a multiple of 4).
unsafe fn pack_b_w<const W: usize>(b: *const f32, s: &Shape, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
    let mut jr = 0;
    while jr < nc {
        let nr = min(W, nc - jr);
        let strip = dst.add(jr * kc);
        let src = b.add(pc * s.b_p + (jc + jr) * s.b_j);
        if s.b_j == 1 {
            // Rows of B are contiguous.
            for p in 0..kc {
                let row = src.add(p * s.b_p);
                let out = strip.add(p * W);
                if nr == W {
                    for q in 0..W / 4 {
                        store(out.add(4 * q), load(row.add(4 * q)));
                    }
                } else {
                    for q in 0..W / 4 {
                        let len = if nr > 4 * q { nr - 4 * q } else { 0 };
                        store(out.add(4 * q), load_part(row.add(4 * q), len));
                    }
                }
            }
        } else {
            // B is transposed: its columns (our k) are contiguous.
            for j in 0..W {
                let col = src.add(j * s.b_j);
                if j < nr {
                    for p in 0..kc {
                        *strip.add(p * W + j) = *col.add(p);
                    }
                } else {
                    for p in 0..kc {
                        *strip.add(p * W + j) = 0.0;
                    }
                }
            }
        }
        jr += W;
    }
}

/// Packs op(A) rows `ic..ic+mc`, columns `pc..pc+kc` into `H`-tall strips (`H` = `MM_MR` for the matmul),
/// each `kc × H` (k-major), zero-padded past `mc`.
unsafe fn pack_a<const H: usize>(a: *const f32, s: &Shape, ic: usize, mc: usize, pc: usize, kc: usize, dst: *mut f32) {
    let mut ir = 0;
    while ir < mc {
        let mr = min(H, mc - ir);
        let strip = dst.add(ir * kc);
        let src = a.add((ic + ir) * s.a_i + pc * s.a_p);
        if s.a_p == 1 {
            for r in 0..H {
                let row = src.add(r * s.a_i);
                if r < mr {
                    for p in 0..kc {
                        *strip.add(p * H + r) = *row.add(p);
                    }
                } else {
                    for p in 0..kc {
                        *strip.add(p * H + r) = 0.0;
                    }
                }
            }
        } else {
            for p in 0..kc {
                let col = src.add(p * s.a_p);
                for r in 0..H {
                    *strip.add(p * H + r) = if r < mr { *col.add(r) } else { 0.0 };
                }
            }
        }
        ir += H;
    }
}

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

/// One `MR × NR` tile of C (`mr × nr` of it real) at column `j` of the matrix.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn tile<R: Rows>(
    pa: *const f32,
    pb: *const f32,
    kc: usize,
    c: &R,
    s: &Shape,
    mr: usize,
    nr: usize,
    j: usize,
    first: bool,
    last: bool,
) {
    let (w0, w1) = (min(nr, 4), if nr > 4 { nr - 4 } else { 0 });
    let mut acc = [[f32x4_splat(0.0); 2]; MR];
    if !first {
        load_tile!(c, acc, mr, w0, w1);
    }
    let mut ap = pa;
    let mut bp = pb;
    for _ in 0..kc {
        let b0 = load(bp);
        let b1 = load(bp.add(4));
        // One load of the k-step's MR values of A, broadcast lane by lane: V8 bounds-checks
        // every access, and on a shared memory each check reloads the memory size (4
        // `v128_load32_splat` made the threaded build 15-20% slower).
        let a4 = load(ap);
        let s0 = i32x4_shuffle::<0, 0, 0, 0>(a4, a4);
        acc[0][0] = f32x4_add(acc[0][0], f32x4_mul(s0, b0));
        acc[0][1] = f32x4_add(acc[0][1], f32x4_mul(s0, b1));
        let s1 = i32x4_shuffle::<1, 1, 1, 1>(a4, a4);
        acc[1][0] = f32x4_add(acc[1][0], f32x4_mul(s1, b0));
        acc[1][1] = f32x4_add(acc[1][1], f32x4_mul(s1, b1));
        let s2 = i32x4_shuffle::<2, 2, 2, 2>(a4, a4);
        acc[2][0] = f32x4_add(acc[2][0], f32x4_mul(s2, b0));
        acc[2][1] = f32x4_add(acc[2][1], f32x4_mul(s2, b1));
        let s3 = i32x4_shuffle::<3, 3, 3, 3>(a4, a4);
        acc[3][0] = f32x4_add(acc[3][0], f32x4_mul(s3, b0));
        acc[3][1] = f32x4_add(acc[3][1], f32x4_mul(s3, b1));
        ap = ap.add(MR);
        bp = bp.add(NR);
    }
    if last && (!s.bias.is_null() || s.act != 0) {
        let (bias0, bias1) = if s.bias.is_null() {
            (f32x4_splat(0.0), f32x4_splat(0.0))
        } else {
            (load_part(s.bias.add(j), w0), load_part(s.bias.add(j + 4), w1))
        };
        for r in 0..MR {
            if !s.bias.is_null() {
                acc[r][0] = f32x4_add(acc[r][0], bias0);
                acc[r][1] = f32x4_add(acc[r][1], bias1);
            }
            acc[r][0] = activate(acc[r][0], s.act, s.alpha);
            acc[r][1] = activate(acc[r][1], s.act, s.alpha);
        }
    }
    store_tile!(c, acc, mr, nr, w0, w1);
}

/// The matmul's micro-kernel: one `MM_MR × MM_NR` tile of C (`mr × nr` of it
/// real) at column `j`, from a `kc × MM_MR` strip of A and a `kc × MM_NR` strip
/// of B. Same sums as [`tile`]. Per k-step: one 8-byte load of A, 2 lane
/// broadcasts, 4 loads of B, 8 `f32x4.mul` + 8 `f32x4.add`: 2 shuffles per
/// 16 arithmetic operations (`tile`: 4 per 16; the shuffles take the
/// multiply and add pipes). 8 accumulators + 4 of B + A + 2 broadcasts = 15
/// xmm registers, what V8 allocates on x64.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile_wide(
    pa: *const f32,
    pb: *const f32,
    kc: usize,
    c: *mut f32,
    s: &Shape,
    mr: usize,
    nr: usize,
    j: usize,
    first: bool,
    last: bool,
) {
    const Q: usize = MM_NR / 4;
    let n = s.n;
    let mut w = [0usize; Q];
    for q in 0..Q {
        w[q] = if nr > 4 * q { min(nr - 4 * q, 4) } else { 0 };
    }
    let mut acc = [[f32x4_splat(0.0); Q]; MM_MR];
    if !first {
        for r in 0..MM_MR {
            if r < mr {
                for q in 0..Q {
                    acc[r][q] = load_part(c.add(r * n + 4 * q), w[q]);
                }
            }
        }
    }
    let mut ap = pa;
    let mut bp = pb;
    for _ in 0..kc {
        let a2 = v128_load64_zero(ap as *const u64);
        let b0 = load(bp);
        let b1 = load(bp.add(4));
        let b2 = load(bp.add(8));
        let b3 = load(bp.add(12));
        let s0 = i32x4_shuffle::<0, 0, 0, 0>(a2, a2);
        acc[0][0] = f32x4_add(acc[0][0], f32x4_mul(s0, b0));
        acc[0][1] = f32x4_add(acc[0][1], f32x4_mul(s0, b1));
        acc[0][2] = f32x4_add(acc[0][2], f32x4_mul(s0, b2));
        acc[0][3] = f32x4_add(acc[0][3], f32x4_mul(s0, b3));
        let s1 = i32x4_shuffle::<1, 1, 1, 1>(a2, a2);
        acc[1][0] = f32x4_add(acc[1][0], f32x4_mul(s1, b0));
        acc[1][1] = f32x4_add(acc[1][1], f32x4_mul(s1, b1));
        acc[1][2] = f32x4_add(acc[1][2], f32x4_mul(s1, b2));
        acc[1][3] = f32x4_add(acc[1][3], f32x4_mul(s1, b3));
        ap = ap.add(MM_MR);
        bp = bp.add(MM_NR);
    }
    if last && (!s.bias.is_null() || s.act != 0) {
        let mut bias = [f32x4_splat(0.0); Q];
        if !s.bias.is_null() {
            for q in 0..Q {
                bias[q] = load_part(s.bias.add(j + 4 * q), w[q]);
            }
        }
        for r in 0..MM_MR {
            for q in 0..Q {
                if !s.bias.is_null() {
                    acc[r][q] = f32x4_add(acc[r][q], bias[q]);
                }
                acc[r][q] = activate(acc[r][q], s.act, s.alpha);
            }
        }
    }
    for r in 0..MM_MR {
        if r < mr {
            for q in 0..Q {
                if nr == MM_NR {
                    store(c.add(r * n + 4 * q), acc[r][q]);
                } else {
                    store_part(c.add(r * n + 4 * q), acc[r][q], w[q]);
                }
            }
        }
    }
}

/// Rows `i0..i1` of a product with one column (a matrix-vector product, e.g. a
/// critic's last dense layer): each row's sum in `k` order from 0, then the bias
/// and the activation, as [`tile_wide`] computes them (same bits), four rows per
/// vector, without packing a 16-column strip for one column (~10x faster).
#[inline(always)]
unsafe fn gemv(a: *const f32, b: *const f32, c: *mut f32, s: &Shape, i0: usize, i1: usize) {
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

/// C's rows evenly strided (`n` floats apart) from `c`: the matmul's tile for [`tile`].
struct Strided {
    c: *mut f32,
    n: usize,
}

impl Rows for Strided {
    #[inline(always)]
    unsafe fn row(&self, r: usize) -> *mut f32 {
        self.c.add(r * self.n)
    }
}

/// Rows `i0..i1`, columns `j0..j1` of one matrix's C (the rest untouched), on
/// [`tile_wide`] (`MM_MR × MM_NR`, `MM_KC`-deep blocks) or, when `NARROW`, on
/// the conv kernels' [`tile`] (`MR × NR`, `KC`-deep). The two sum alike (same
/// bits); plain, the wide tile is faster here, while in the fused twins (see
/// `fma_twins.ts`) the narrow one is (45 against 41 GFLOP/s at 512³, 1 thread).
///
/// Every element is the same sum as for the whole matrix (the summation order per
/// element does not depend on the block), so blocks computed apart, on any
/// threads, give the bits of the whole. Blocks starting at a multiple of `MR`
/// rows or `NR` columns waste no lanes; any block is correct.
///
/// Always inlined: a call would put `s` on the shadow stack (it is passed by
/// address), which this module must never use.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_block<const NARROW: bool>(
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    s: &Shape,
    work: *mut f32,
    i0: usize,
    i1: usize,
    j0: usize,
    j1: usize,
) {
    let (i1, j1) = (min(i1, s.m), min(j1, s.n));
    if i0 >= i1 || j0 >= j1 {
        return;
    }
    if s.n == 1 {
        gemv(a, b, c, s, i0, i1);
        return;
    }
    let (k, n) = (s.k, s.n);
    let pb = work;
    let pa = work.add(KC * NC);
    let mut jc = j0;
    while jc < j1 {
        let nc = min(NC, j1 - jc);
        let mut pc = 0;
        let (depth, h, w) = if NARROW { (KC, MR, NR) } else { (MM_KC, MM_MR, MM_NR) };
        loop {
            let kc = min(depth, k - pc);
            let (first, last) = (pc == 0, pc + kc >= k);
            if NARROW {
                pack_b_w::<NR>(b, s, pc, kc, jc, nc, pb);
            } else {
                pack_b_w::<MM_NR>(b, s, pc, kc, jc, nc, pb);
            }
            let mut ic = i0;
            while ic < i1 {
                let mc = min(MC, i1 - ic);
                if NARROW {
                    pack_a::<MR>(a, s, ic, mc, pc, kc, pa);
                } else {
                    pack_a::<MM_MR>(a, s, ic, mc, pc, kc, pa);
                }
                let mut jr = 0;
                while jr < nc {
                    let nr = min(w, nc - jr);
                    let mut ir = 0;
                    while ir < mc {
                        let mr = min(h, mc - ir);
                        let (at, bt, j) = (pa.add(ir * kc), pb.add(jr * kc), jc + jr);
                        let ct = c.add((ic + ir) * n + j);
                        if NARROW {
                            tile(at, bt, kc, &Strided { c: ct, n }, s, mr, nr, j, first, last);
                        } else {
                            tile_wide(at, bt, kc, ct, s, mr, nr, j, first, last);
                        }
                        ir += h;
                    }
                    jr += w;
                }
                ic += MC;
            }
            pc += kc;
            if pc >= k {
                break;
            }
        }
        jc += NC;
    }
}
