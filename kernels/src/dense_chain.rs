//! Chains of dense layers (`h = act(x · W + b)`, one after another) in one
//! call per pass: the forward pass for a range of the batch's rows, the
//! backward pass in two phases (the output gradients `dz` of every layer for a
//! range of rows, then every `dW` and `db` for a range of their rows), each
//! product on the packed GEMM (`gemm_block`, the conv kernels' `4 × 8` tile,
//! whose fused twins the build makes) with the operands and flags of the
//! per-op path (tfjs's `matMul`, `add`, `relu` / `leakyRelu` and their
//! gradients): every element is the same sum in the same order, so the bits
//! are those of the per-op path on any split.
//!
//! `table` holds [`ENTRY`] `u32`s per layer, in layer order:
//! `[fan_in, units, act, alpha bits, x, w, b, z, h, dh, dz, dw, db]`, the
//! pointers as byte offsets. `x` is the layer's input (`batch × fan_in`: the
//! chain's input or the previous layer's `h`), `z = x · W + b` and
//! `h = act(z)` (`batch × units`; `h == z` for a linear layer); `dh` is the
//! gradient of `h` (the chain's output gradient for the last layer, else the
//! layer's own `dz`, computed in place), `dz` the gradient of `z`, `dw` and
//! `db` the parameter gradients.

use crate::activations::{leaky_relu, leaky_relu_grad, leaky_relu_grad_ref, leaky_relu_ref, relu, relu_ref};
use crate::gemm::{self, HAS_BIAS, TRANSPOSE_A, TRANSPOSE_B};
use crate::matmul::reference;
use crate::reduce::{sum_rows, sum_rows_ref};
use core::arch::wasm32::*;

/// `u32`s per layer in the table.
pub const ENTRY: usize = 13;
/// Activation codes (tfjs-wasm's `FusableActivation` numbers; any other
/// code, e.g. 0, is linear: `h == z`). `relu`: `h = +0` where `z`'s sign bit is set, else `z` (tfjs-wasm's `Relu`).
const RELU: u32 = 1;
/// `leaky_relu`: `h = z < 0 ? alpha · z : z` (tfjs-wasm's `LeakyRelu`).
const LEAKY: u32 = 4;

/// How a pass computes (its const parameter): SIMD on the packed GEMM, or the
/// scalar reference, plain or with every multiply-add rounded once.
const SIMD: u8 = 0;
/// See [`SIMD`].
const SCALAR: u8 = 1;
/// See [`SIMD`].
const SCALAR_FMA: u8 = 2;
/// See [`SIMD`]: the packed GEMM broadcasting A by loads (`gemm::tile`'s `SPLAT`), for a
/// plain memory; same bits.
const SIMD_SPLAT: u8 = 3;
/// See [`SIMD`]: most rows on the 6 × 8 tile (`gemm::tile_tall`), the fused twins' source.
const SIMD_TALL: u8 = 4;
/// See [`SIMD`]: [`SIMD_SPLAT`] with most rows on the 6 × 8 tile.
const SIMD_SPLAT_TALL: u8 = 5;

/// Whether `HOW` computes on SIMD (the GEMM's tiles and the f32x4 element passes).
#[inline(always)]
const fn simd(how: u8) -> bool {
    how == SIMD || how == SIMD_SPLAT || how == SIMD_TALL || how == SIMD_SPLAT_TALL
}

/// One layer of the table as pointers (used inline only: no stack).
struct Layer {
    fan_in: usize,
    units: usize,
    act: u32,
    alpha: f32,
    x: *const f32,
    w: *const f32,
    b: *const f32,
    z: *mut f32,
    h: *mut f32,
    dh: *const f32,
    dz: *mut f32,
    dw: *mut f32,
    db: *mut f32,
}

#[inline(always)]
unsafe fn layer(table: *const u32, l: usize) -> Layer {
    let e = table.add(l * ENTRY);
    let at = |k: usize| *e.add(k) as usize;
    Layer {
        fan_in: at(0),
        units: at(1),
        act: *e.add(2),
        alpha: f32::from_bits(*e.add(3)),
        x: at(4) as *const f32,
        w: at(5) as *const f32,
        b: at(6) as *const f32,
        z: at(7) as *mut f32,
        h: at(8) as *mut f32,
        dh: at(9) as *const f32,
        dz: at(10) as *mut f32,
        dw: at(11) as *mut f32,
        db: at(12) as *mut f32,
    }
}

/// Rows `i0..i1` of `C = op(A) · op(B) (+ bias)` (`m × n`, depth `k`), as
/// `matmul_f32` computes them (`flags` as its), by `HOW`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn product<const HOW: u8>(
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    (m, k, n): (usize, usize, usize),
    flags: u32,
    bias: *const f32,
    work: *mut f32,
    (i0, i1): (usize, usize),
) {
    match HOW {
        SIMD | SIMD_SPLAT | SIMD_TALL | SIMD_SPLAT_TALL => {
            let s = gemm::Shape::new(m as u32, k as u32, n as u32, flags, bias, 0, 0.0);
            match HOW {
                SIMD_SPLAT => gemm::gemm_block::<true, true, false>(a, b, c, &s, work, i0, i1, 0, n),
                SIMD_TALL => gemm::gemm_block::<true, false, true>(a, b, c, &s, work, i0, i1, 0, n),
                SIMD_SPLAT_TALL => gemm::gemm_block::<true, true, true>(a, b, c, &s, work, i0, i1, 0, n),
                _ => gemm::gemm_block::<true, false, false>(a, b, c, &s, work, i0, i1, 0, n),
            }
        }
        SCALAR => reference::gemm::<false>(a, b, c, m, k, n, flags, bias, 0, 0.0, i0, i1, 0, n),
        _ => reference::gemm::<true>(a, b, c, m, k, n, flags, bias, 0, 0.0, i0, i1, 0, n),
    }
}

/// `out = dy · s` with `s = 1` where `z > 0`, `z` where `z` is NaN, else `0`:
/// tfjs's ReLU gradient `mul(dy, step(z))` (tfjs-wasm's `Step` keeps NaN), so
/// `dy · 0` keeps its sign. `out` may be `dy`.
unsafe fn relu_grad(z: *const f32, dy: *const f32, out: *mut f32, len: usize) {
    let (zero, one) = (f32x4_splat(0.0), f32x4_splat(1.0));
    let mut j = 0;
    while j + 4 <= len {
        let zj = v128_load(z.add(j) as *const v128);
        let dyj = v128_load(dy.add(j) as *const v128);
        let step = v128_bitselect(zj, v128_and(one, f32x4_gt(zj, zero)), f32x4_ne(zj, zj));
        v128_store(out.add(j) as *mut v128, f32x4_mul(dyj, step));
        j += 4;
    }
    while j < len {
        *out.add(j) = relu_grad1(*z.add(j), *dy.add(j));
        j += 1;
    }
}

#[inline(always)]
fn relu_grad1(z: f32, dy: f32) -> f32 {
    let step = if z.is_nan() {
        z
    } else if z > 0.0 {
        1.0
    } else {
        0.0
    };
    dy * step
}

/// Scalar reference of [`relu_grad`].
unsafe fn relu_grad_ref(z: *const f32, dy: *const f32, out: *mut f32, len: usize) {
    for j in 0..len {
        *out.add(j) = relu_grad1(*z.add(j), *dy.add(j));
    }
}

/// `len` floats from `from` to `to` (distinct).
unsafe fn copy(from: *const f32, to: *mut f32, len: usize) {
    let mut j = 0;
    while j + 4 <= len {
        v128_store(to.add(j) as *mut v128, v128_load(from.add(j) as *const v128));
        j += 4;
    }
    while j < len {
        *to.add(j) = *from.add(j);
        j += 1;
    }
}

/// The forward pass for rows `lo..hi` of the batch: per layer, `z = x · W + b`
/// (`matMul` then `add`: the GEMM adds the bias after the sum), then
/// `h = act(z)`. Rows are independent, so parts of the batch run apart.
#[inline(never)]
unsafe fn forward<const HOW: u8>(table: *const u32, layers: u32, batch: u32, work: *mut f32, lo: u32, hi: u32) {
    let (batch, lo) = (batch as usize, lo as usize);
    let hi = if (hi as usize) < batch { hi as usize } else { batch };
    if lo >= hi {
        return;
    }
    for l in 0..layers as usize {
        let e = layer(table, l);
        product::<HOW>(e.x, e.w, e.z, (batch, e.fan_in, e.units), HAS_BIAS, e.b, work, (lo, hi));
        let (off, len) = (lo * e.units, (hi - lo) * e.units);
        let (z, h) = (e.z.add(off), e.h.add(off));
        match (e.act, simd(HOW)) {
            (RELU, true) => relu(z, h, len),
            (RELU, _) => relu_ref(z, h, len),
            (LEAKY, true) => leaky_relu(z, h, len, e.alpha),
            (LEAKY, _) => leaky_relu_ref(z, h, len, e.alpha),
            _ => {}
        }
    }
}

/// Backward, first phase, for rows `lo..hi` of the batch, last layer first:
/// `dz = act'(z) ⊙ dh` (tfjs's gradients of `relu` and `leakyRelu`), then
/// the gradient of the layer's input `dz · Wᵀ` (`matMul(dz, W, false, true)`)
/// into the previous layer's `dz`, where its activation's gradient is applied
/// in place. The first layer's input gradient is left to the caller.
#[inline(never)]
unsafe fn grad<const HOW: u8>(table: *const u32, layers: u32, batch: u32, work: *mut f32, lo: u32, hi: u32) {
    let (batch, lo) = (batch as usize, lo as usize);
    let hi = if (hi as usize) < batch { hi as usize } else { batch };
    if lo >= hi {
        return;
    }
    let mut l = layers as usize;
    while l > 0 {
        l -= 1;
        let e = layer(table, l);
        let (off, len) = (lo * e.units, (hi - lo) * e.units);
        let (z, dh, dz) = (e.z.add(off), e.dh.add(off), e.dz.add(off));
        match (e.act, simd(HOW)) {
            (RELU, true) => relu_grad(z, dh, dz, len),
            (RELU, _) => relu_grad_ref(z, dh, dz, len),
            (LEAKY, true) => leaky_relu_grad(z, dh, dz, len, e.alpha),
            (LEAKY, _) => leaky_relu_grad_ref(z, dh, dz, len, e.alpha),
            _ => {
                if dh != dz as *const f32 {
                    copy(dh, dz, len);
                }
            }
        }
        if l > 0 {
            let below = layer(table, l - 1).dz;
            product::<HOW>(e.dz, e.w, below, (batch, e.units, e.fan_in), TRANSPOSE_B, core::ptr::null(), work, (lo, hi));
        }
    }
}

/// Backward, second phase: rows `lo..hi` of all the `dW` stacked (layer `l`'s
/// rows follow layer `l - 1`'s: `Σ fan_in` rows), `dW = xᵀ · dz`
/// (`matMul(x, dz, true, false)`), and `db` (column sums of `dz` in row order,
/// as `sum` over the batch) of every layer whose first `dW` row is in range.
#[inline(never)]
unsafe fn weights<const HOW: u8>(table: *const u32, layers: u32, batch: u32, work: *mut f32, lo: u32, hi: u32) {
    let (batch, lo, hi) = (batch as usize, lo as usize, hi as usize);
    let mut start = 0;
    for l in 0..layers as usize {
        let e = layer(table, l);
        if hi > start && lo < start + e.fan_in {
            let r0 = lo.saturating_sub(start);
            let r1 = if hi - start < e.fan_in { hi - start } else { e.fan_in };
            product::<HOW>(e.x, e.dz, e.dw, (e.fan_in, batch, e.units), TRANSPOSE_A, core::ptr::null(), work, (r0, r1));
        }
        if lo <= start && start < hi {
            if simd(HOW) {
                sum_rows(e.dz, e.db, batch, e.units)
            } else {
                sum_rows_ref(e.dz, e.db, batch, e.units)
            }
        }
        start += e.fan_in;
    }
}

/// The whole second phase of stacked batches `lo..hi`: `tables` holds one table
/// per batch (`layers` entries each, batch after batch), and each batch's every
/// `dW` and `db` is [`weights`] over all its rows, as one call per batch would
/// compute it. Parts are whole batches, so on threads each batch's sums run on
/// one thread, over the rows that thread's earlier parts wrote.
#[inline(never)]
unsafe fn weight_sets<const HOW: u8>(tables: *const u32, layers: u32, batch: u32, work: *mut f32, lo: u32, hi: u32) {
    for set in lo as usize..hi as usize {
        weights::<HOW>(tables.add(set * layers as usize * ENTRY), layers, batch, work, 0, u32::MAX);
    }
}

/// The sum of the stacked batches' weight gradients, rows `lo..hi` of the
/// stacked `dW` (as [`weights`] numbers them) and the `db` of every layer whose
/// first `dW` row is in range: `tables` holds `batch` + 1 tables (here `batch`
/// counts the batches), the last one's `dw` and `db` receive
/// `… + set 1 + set 0` (one f32 add per pair, as tfjs's `add` of two; from
/// the last set down), the others' hold each set's (written by
/// [`weight_sets`]).
#[inline(never)]
unsafe fn sum_sets<const HOW: u8>(tables: *const u32, layers: u32, sets: u32, _work: *mut f32, lo: u32, hi: u32) {
    let (layers, sets, lo, hi) = (layers as usize, sets as usize, lo as usize, hi as usize);
    let table = |set: usize, l: usize| layer(tables.add(set * layers * ENTRY), l);
    let mut start = 0;
    for l in 0..layers {
        let out = table(sets, l);
        if hi > start && lo < start + out.fan_in {
            let r0 = lo.saturating_sub(start);
            let r1 = if hi - start < out.fan_in { hi - start } else { out.fan_in };
            let (at, len) = (r0 * out.units, (r1 - r0) * out.units);
            sum_into::<HOW>(tables, layers, sets, l, out.dw.add(at), |e: &Layer| e.dw.add(at) as *const f32, len);
        }
        if lo <= start && start < hi {
            sum_into::<HOW>(tables, layers, sets, l, out.db, |e: &Layer| e.db as *const f32, out.units);
        }
        start += out.fan_in;
    }
}

/// `out[j] = x_last[j] + … + x_0[j]` over the sets' tables (`x_s = part(set s's layer l)`),
/// one set at a time: `out = x_last + x_(last-1)`, then `out = out + x_(last-2)`, …
/// (each sum rounded to f32, as a chain of tfjs `add`s); every pointer read once.
#[inline(always)]
unsafe fn sum_into<const HOW: u8>(
    tables: *const u32,
    layers: usize,
    sets: usize,
    l: usize,
    out: *mut f32,
    part: impl Fn(&Layer) -> *const f32,
    len: usize,
) {
    let x = |set: usize| part(&layer(tables.add(set * layers * ENTRY), l));
    let mut a = x(sets - 1);
    for set in (0..sets - 1).rev() {
        add::<HOW>(a, x(set), out, len);
        a = out;
    }
}

/// `out[j] = a[j] + b[j]` (`out` may be `a`).
#[inline(always)]
unsafe fn add<const HOW: u8>(a: *const f32, b: *const f32, out: *mut f32, len: usize) {
    let mut j = 0;
    if simd(HOW) {
        while j + 4 <= len {
            let (x, y) = (v128_load(a.add(j) as *const v128), v128_load(b.add(j) as *const v128));
            v128_store(out.add(j) as *mut v128, f32x4_add(x, y));
            j += 4;
        }
    }
    while j < len {
        *out.add(j) = *a.add(j) + *b.add(j);
        j += 1;
    }
}

/// Defines the chain's exports, all with one signature, written once here:
/// `name => pass, how;` exports `name(table, layers, batch, work, lo, hi)`
/// running `pass::<how>` on the part `lo..hi`; `name => pass, how, tall
/// name_tall: how_tall;` also exports `name_tall`, the source of `name`'s fused
/// twin (the build makes `name_fma` from it and drops the export).
macro_rules! dense_chain_exports {
    ($(
        $(#[$doc:meta])*
        $name:ident => $pass:ident, $how:ident $(, tall $tall:ident: $thow:ident)?;
    )*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// `table` holds `layers` entries of valid pointers for `batch` rows
        /// (see the module); `work` holds `matmul_f32_work_len` floats; parts
        /// run at the same time must not overlap.
        #[no_mangle]
        pub unsafe extern "C" fn $name(table: *const u32, layers: u32, batch: u32, work: *mut f32, lo: u32, hi: u32) {
            $pass::<$how>(table, layers, batch, work, lo, hi)
        }
        $(
            #[doc = concat!("Not called: the source of `", stringify!($name), "_fma` (see the macro).")]
            ///
            /// # Safety
            /// As the export it is the source of.
            #[no_mangle]
            pub unsafe extern "C" fn $tall(table: *const u32, layers: u32, batch: u32, work: *mut f32, lo: u32, hi: u32) {
                $pass::<$thow>(table, layers, batch, work, lo, hi)
            }
        )?
    )*};
}

dense_chain_exports! {
    /// The forward pass of a dense chain for batch rows `lo..hi`: per layer
    /// `z = x · W + b`, `h = act(z)`, in the per-op path's bits.
    dense_chain_f32 => forward, SIMD, tall dense_chain_f32_tall: SIMD_TALL;
    /// Scalar reference of [`dense_chain_f32`]: same signature, same bits.
    dense_chain_f32_ref => forward, SCALAR;
    /// Scalar reference of `dense_chain_f32_fma` (each multiply-add rounded once).
    dense_chain_f32_fma_ref => forward, SCALAR_FMA;
    /// Backward, first phase, for batch rows `lo..hi`: every layer's `dz`
    /// (activation gradient, then `dz · Wᵀ` into the layer below).
    dense_chain_grad_f32 => grad, SIMD, tall dense_chain_grad_f32_tall: SIMD_TALL;
    /// Scalar reference of [`dense_chain_grad_f32`]: same signature, same bits.
    dense_chain_grad_f32_ref => grad, SCALAR;
    /// Scalar reference of `dense_chain_grad_f32_fma`.
    dense_chain_grad_f32_fma_ref => grad, SCALAR_FMA;
    /// Backward, second phase: rows `lo..hi` of every `dW = xᵀ · dz` stacked,
    /// and the `db` column sums of the layers starting in range.
    dense_chain_weights_f32 => weights, SIMD, tall dense_chain_weights_f32_tall: SIMD_TALL;
    /// Scalar reference of [`dense_chain_weights_f32`]: same signature, same bits.
    dense_chain_weights_f32_ref => weights, SCALAR;
    /// Scalar reference of `dense_chain_weights_f32_fma`.
    dense_chain_weights_f32_fma_ref => weights, SCALAR_FMA;
    /// The second phase of whole stacked batches `lo..hi` (`table`: one table
    /// per batch, batch after batch): each batch's every `dW` and `db`.
    dense_chain_weight_sets_f32 => weight_sets, SIMD, tall dense_chain_weight_sets_f32_tall: SIMD_TALL;
    /// Scalar reference of [`dense_chain_weight_sets_f32`]: same signature, same bits.
    dense_chain_weight_sets_f32_ref => weight_sets, SCALAR;
    /// Scalar reference of `dense_chain_weight_sets_f32_fma`.
    dense_chain_weight_sets_f32_fma_ref => weight_sets, SCALAR_FMA;
    /// [`dense_chain_f32`] broadcasting A by loads (`gemm::tile`'s `SPLAT`), for a plain
    /// memory: same arguments, same bits.
    dense_chain_f32_splat => forward, SIMD_SPLAT, tall dense_chain_f32_splat_tall: SIMD_SPLAT_TALL;
    /// [`dense_chain_grad_f32`] for a plain memory (see [`dense_chain_f32_splat`]).
    dense_chain_grad_f32_splat => grad, SIMD_SPLAT, tall dense_chain_grad_f32_splat_tall: SIMD_SPLAT_TALL;
    /// [`dense_chain_weights_f32`] for a plain memory (see [`dense_chain_f32_splat`]).
    dense_chain_weights_f32_splat => weights, SIMD_SPLAT, tall dense_chain_weights_f32_splat_tall: SIMD_SPLAT_TALL;
    /// [`dense_chain_weight_sets_f32`] for a plain memory (see [`dense_chain_f32_splat`]).
    dense_chain_weight_sets_f32_splat => weight_sets, SIMD_SPLAT, tall dense_chain_weight_sets_f32_splat_tall: SIMD_SPLAT_TALL;
    /// The stacked batches' weight gradients summed (`batch`: the number of
    /// batches; `table`: theirs, then the sums'), stacked `dW` rows `lo..hi`.
    dense_chain_sum_sets_f32 => sum_sets, SIMD;
    /// Scalar reference of [`dense_chain_sum_sets_f32`]: same signature, same bits.
    dense_chain_sum_sets_f32_ref => sum_sets, SCALAR;
}
