//! Duel's WebAssembly kernels for tfjs-backend-wasm.
//!
//! The module imports tfjs-wasm's own memory and computes on tensors in place
//! (zero-copy). That is only safe because it never writes anywhere it was not
//! told to: it has no data section, no start function and no stack (no
//! `__stack_pointer` use); `deno task build:kernels` checks all three. Hence
//! raw pointers everywhere (no slices, no bounds checks, no panics).
//!
//! Every kernel has a scalar reference with the same signature and the same
//! summation order, exported too, so conformance tests can demand equal bits.
#![no_std]

mod conv;
mod conv_input;
mod conv_input_few;
mod conv_pack;
mod conv_reference;
mod fma;
mod matmul;
mod peak;
mod reference;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Flags of [`matmul_f32`]: bit 0 transposes A, bit 1 transposes B, bit 2 adds `bias`.
pub const TRANSPOSE_A: u32 = 1;
/// See [`TRANSPOSE_A`].
pub const TRANSPOSE_B: u32 = 2;
/// See [`TRANSPOSE_A`].
pub const HAS_BIAS: u32 = 4;

/// Activations applied after the bias, numbered as tfjs-wasm's `FusableActivation`.
pub const ACT_LINEAR: u32 = 0;
/// `x < 0 ? 0 : x`
pub const ACT_RELU: u32 = 1;
/// `x < 0 ? 0 : (x > 6 ? 6 : x)`
pub const ACT_RELU6: u32 = 2;
/// `x < 0 ? alpha * x : x`
pub const ACT_LEAKYRELU: u32 = 4;

/// Floats of workspace [`matmul_f32`] needs (packed panels of A and B).
#[no_mangle]
pub extern "C" fn matmul_f32_work_len() -> u32 {
    matmul::WORK_LEN as u32
}

/// Peak-throughput probe (no memory traffic): `iters` iterations of
/// independent f32x4 chains, [`peak_flops_per_iter`] flops each; `kind` 0 =
/// multiplies and adds mixed (what the matmul issues), 1 = multiplies only,
/// 2 = adds only. Returns a value computed from all chains (keeps them live).
/// Pass `scale = 1`, `step = 0` for kinds 1 and 2, `scale = 0` for kind 0
/// (finite values; the engine cannot fold run-time operands).
#[no_mangle]
pub extern "C" fn peak_flops(iters: u32, scale: f32, step: f32, kind: u32) -> f32 {
    peak::peak(iters, scale, step, kind)
}

/// Clock probe: `iters` iterations of 8 dependent 1-cycle integer operations
/// (`8 · iters / seconds` = cycles per second); pass any `x`, `y`.
#[no_mangle]
pub extern "C" fn peak_clock(iters: u32, x: u32, y: u32) -> u32 {
    peak::clock(iters, x, y)
}

/// Flops per iteration of [`peak_flops`].
#[no_mangle]
pub extern "C" fn peak_flops_per_iter() -> u32 {
    peak::FLOPS_PER_ITER
}

/// Defines a matmul export and its two parts over [`matmul_block`] with one
/// micro-tile (`narrow`: see [`matmul::gemm_block`]); parts take the export's
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
    /// [`HAS_BIAS`]). `work` holds [`matmul_f32_work_len`] floats. Each `C[i][j]`
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
    let shape = matmul::Shape::new(m, k, n, flags, bias, act, alpha);
    let (m, lo, hi) = (m as usize, rows_lo as usize, rows_hi as usize);
    if m == 0 || lo >= hi {
        return;
    }
    let mut i = lo / m;
    while i < batch as usize && i * m < hi {
        let (start, end) = (i * m, (i + 1) * m);
        let i0 = if lo > start { lo - start } else { 0 };
        let i1 = if hi < end { hi - start } else { m };
        matmul::gemm_block::<NARROW>(
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
/// its terms added with [`fma::madd`]`::<$fma>`.
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
    /// each term's multiply-add rounded once, in software ([`fma::fma_f32`]).
    matmul_f32_fma_ref, fma: true
);

/// `at[0..4] = at[8..12] + at[0..4] · at[4..8]`, one `f32x4` multiply and add:
/// the build's fused twin `fma_probe_fma` tells whether this host fuses
/// `f32x4.relaxed_madd` (with `a = b = 1 + 2⁻²³`, `c = -(1 + 2⁻²²)` it gives
/// 2⁻⁴⁶ fused, 0 otherwise). Vectors in memory, so that the compiler cannot
/// make scalar operations of it.
///
/// # Safety
/// `at` must be valid for 12 floats.
#[no_mangle]
pub unsafe extern "C" fn fma_probe(at: *mut f32) {
    use core::arch::wasm32::*;
    let (a, b, c) = (matmul::load(at), matmul::load(at.add(4)), matmul::load(at.add(8)));
    matmul::store(at, f32x4_add(c, f32x4_mul(a, b)));
}

/// Floats of workspace the conv kernels need (packed panels and a row table).
#[no_mangle]
pub extern "C" fn conv_f32_work_len() -> u32 {
    conv::WORK_LEN as u32
}

/// Defines one conv kernel export: `(a, b, out, geometry…, work, m0, m1)` (the kernel
/// threads' convention: `work, lo, hi` last).
macro_rules! conv_export {
    ($(#[$doc:meta])* $name:ident => $body:path) => {
        $(#[$doc])*
        ///
        /// Geometry (the forward convolution's, NHWC, W `[kh, kw, cin, cout]`):
        /// x `[n, h, w, cin]`, y `[n, oh, ow, cout]`, strides `sh, sw`,
        /// dilations `dh, dw`, padding `top, left` (tfjs's `padInfo`).
        ///
        /// # Safety
        /// All pointers must be valid for those shapes; the output must not overlap the rest.
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name(
            a: *const f32,
            b: *const f32,
            out: *mut f32,
            n: u32,
            h: u32,
            w: u32,
            cin: u32,
            oh: u32,
            ow: u32,
            cout: u32,
            kh: u32,
            kw: u32,
            sh: u32,
            sw: u32,
            dh: u32,
            dw: u32,
            top: i32,
            left: i32,
            work: *mut f32,
            m0: u32,
            m1: u32,
        ) {
            let g = conv::Geom {
                n: n as usize,
                h: h as usize,
                w: w as usize,
                cin: cin as usize,
                oh: oh as usize,
                ow: ow as usize,
                cout: cout as usize,
                kh: kh as usize,
                kw: kw as usize,
                sh: sh as usize,
                sw: sw as usize,
                dh: dh as usize,
                dw: dw as usize,
                top: top as isize,
                left: left as isize,
            };
            $body(&g, a, b, out, m0 as usize, m1 as usize, work);
        }
    };
}

conv_export!(
    /// NHWC conv2d: `y = conv(x, W)` (a = x, b = W, out = y), output pixels `m0..m1` of `n·oh·ow`.
    conv2d_f32 => conv::forward
);
conv_export!(
    /// Scalar reference of [`conv2d_f32`]: same signature (`work` unused), same bits.
    conv2d_f32_ref => conv_reference::forward::<false>
);
conv_export!(
    /// Scalar reference of the fused twin `conv2d_f32_fma`: each multiply-add rounded once.
    conv2d_f32_fma_ref => conv_reference::forward::<true>
);
conv_export!(
    /// Conv2DBackpropFilter: dW (a = x, b = dy, out = dW), rows `(ky, kx, ci)` `m0..m1` of `kh·kw·cin`.
    conv2d_backprop_filter_f32 => conv::filter
);
conv_export!(
    /// [`conv2d_backprop_filter_f32`] on columns `m0..m1` (of `cout`) of dW, every row
    /// (the thread split for few rows); same bits.
    conv2d_backprop_filter_f32_cols => conv::filter_cols
);
conv_export!(
    /// Scalar reference of [`conv2d_backprop_filter_f32`]: same signature, same bits.
    conv2d_backprop_filter_f32_ref => conv_reference::filter::<false>
);
conv_export!(
    /// Scalar reference of the fused twin `conv2d_backprop_filter_f32_fma`.
    conv2d_backprop_filter_f32_fma_ref => conv_reference::filter::<true>
);
conv_export!(
    /// Conv2DBackpropInput (conv2d_transpose's forward, dilation 1): dx (a = dy, b = W, out = dx),
    /// dx pixels `m0..m1` of `n·h·w`, one GEMM per output phase (no zero insertion).
    conv2d_backprop_input_f32 => conv_input::input
);
conv_export!(
    /// Scalar reference of [`conv2d_backprop_input_f32`]: same signature, same bits.
    conv2d_backprop_input_f32_ref => conv_reference::input::<false>
);
conv_export!(
    /// Scalar reference of the fused twin `conv2d_backprop_input_f32_fma`.
    conv2d_backprop_input_f32_fma_ref => conv_reference::input::<true>
);
mod adam;

/// `u32`s per entry of an optimiser table: `[param, grad, slot a, slot b,
/// param out, slot a out, slot b out, len]` (byte offsets, then the tensor's
/// length in floats). An output may be its input (in place).
pub const OPT_TABLE_ENTRY: u32 = adam::ENTRY as u32;

/// Adam on the `n` tensors of `table` (slots: a = m, b = v):
/// `m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²; p -= step_size (m / (sqrt(v) / root_c2 + eps))`
/// with `step_size = lr / (1 - b1^t)` and `root_c2 = sqrt(1 - b2^t)`, each
/// operation rounded to f32 once, in this order (the tfjs implementation's bits).
///
/// # Safety
/// `table` holds `n` entries of [`OPT_TABLE_ENTRY`] `u32`s; each entry's
/// pointers are valid for `len` floats; each output is its input or overlaps nothing.
#[no_mangle]
pub unsafe extern "C" fn adam_f32(
    table: *const u32,
    n: u32,
    b1: f32,
    one_minus_b1: f32,
    b2: f32,
    one_minus_b2: f32,
    root_c2: f32,
    eps: f32,
    step_size: f32,
) {
    let c = adam::Adam { b1, one_minus_b1, b2, one_minus_b2, root_c2, eps, step_size };
    adam::adam(table, n as usize, &c);
}

/// Scalar reference of [`adam_f32`]: same signature, same bits.
///
/// # Safety
/// As [`adam_f32`].
#[no_mangle]
pub unsafe extern "C" fn adam_f32_ref(
    table: *const u32,
    n: u32,
    b1: f32,
    one_minus_b1: f32,
    b2: f32,
    one_minus_b2: f32,
    root_c2: f32,
    eps: f32,
    step_size: f32,
) {
    let c = adam::Adam { b1, one_minus_b1, b2, one_minus_b2, root_c2, eps, step_size };
    adam::adam_ref(table, n as usize, &c);
}

/// RMSProp (PyTorch form) on the `n` tensors of `table` (slots: a =
/// v, b = momentum buffer, read only when `momentum > 0`):
/// `v = alpha v + (1-alpha) g²; u = g / (sqrt(v) + eps); [u = momentum buf + u; buf = u;] p -= lr u`,
/// each operation rounded to f32 once, in this order.
///
/// # Safety
/// As [`adam_f32`].
#[no_mangle]
pub unsafe extern "C" fn rmsprop_f32(
    table: *const u32,
    n: u32,
    alpha: f32,
    one_minus_alpha: f32,
    eps: f32,
    momentum: f32,
    lr: f32,
) {
    let c = adam::RmsProp { alpha, one_minus_alpha, eps, momentum, lr };
    adam::rmsprop(table, n as usize, &c);
}

/// Scalar reference of [`rmsprop_f32`]: same signature, same bits.
///
/// # Safety
/// As [`adam_f32`].
#[no_mangle]
pub unsafe extern "C" fn rmsprop_f32_ref(
    table: *const u32,
    n: u32,
    alpha: f32,
    one_minus_alpha: f32,
    eps: f32,
    momentum: f32,
    lr: f32,
) {
    let c = adam::RmsProp { alpha, one_minus_alpha, eps, momentum, lr };
    adam::rmsprop_ref(table, n as usize, &c);
}

mod activations;
mod reduce;

/// Leaky ReLU's gradient: `out = x > 0 ? dy : alpha * dy` over `len` floats
/// (tfjs: `where(greater(x, 0), dy, mul(dy, alpha))`, same bits).
///
/// # Safety
/// `x`, `dy` and `out` are valid for `len` floats; `out` overlaps neither input.
#[no_mangle]
pub unsafe extern "C" fn leaky_relu_grad_f32(
    x: *const f32,
    dy: *const f32,
    out: *mut f32,
    len: u32,
    alpha: f32,
) {
    activations::leaky_relu_grad(x, dy, out, len as usize, alpha);
}

/// Scalar reference of [`leaky_relu_grad_f32`]: same signature, same bits.
///
/// # Safety
/// As [`leaky_relu_grad_f32`].
#[no_mangle]
pub unsafe extern "C" fn leaky_relu_grad_f32_ref(
    x: *const f32,
    dy: *const f32,
    out: *mut f32,
    len: u32,
    alpha: f32,
) {
    activations::leaky_relu_grad_ref(x, dy, out, len as usize, alpha);
}

/// Column sums of a row-major `rows × cols` matrix (a sum over leading axes):
/// `out[j] = 0 + x[0][j] + ... + x[rows-1][j]`, in row order.
///
/// # Safety
/// `x` is valid for `rows * cols` floats, `out` for `cols` and overlaps nothing.
#[no_mangle]
pub unsafe extern "C" fn sum_rows_f32(x: *const f32, out: *mut f32, rows: u32, cols: u32) {
    reduce::sum_rows(x, out, rows as usize, cols as usize);
}

/// Scalar reference of [`sum_rows_f32`]: same signature, same bits.
///
/// # Safety
/// As [`sum_rows_f32`].
#[no_mangle]
pub unsafe extern "C" fn sum_rows_f32_ref(x: *const f32, out: *mut f32, rows: u32, cols: u32) {
    reduce::sum_rows_ref(x, out, rows as usize, cols as usize);
}

/// Leaky ReLU: `out = x < 0 ? alpha * x : x` over `len` floats (tfjs-wasm's bits).
///
/// # Safety
/// `x` and `out` are valid for `len` floats and do not overlap.
#[no_mangle]
pub unsafe extern "C" fn leaky_relu_f32(x: *const f32, out: *mut f32, len: u32, alpha: f32) {
    activations::leaky_relu(x, out, len as usize, alpha);
}

/// Scalar reference of [`leaky_relu_f32`]: same signature, same bits.
///
/// # Safety
/// As [`leaky_relu_f32`].
#[no_mangle]
pub unsafe extern "C" fn leaky_relu_f32_ref(x: *const f32, out: *mut f32, len: u32, alpha: f32) {
    activations::leaky_relu_ref(x, out, len as usize, alpha);
}

/// ReLU as tfjs-wasm computes it: `out = +0` where x's sign bit is set, else `x`.
///
/// # Safety
/// `x` and `out` are valid for `len` floats and do not overlap.
#[no_mangle]
pub unsafe extern "C" fn relu_f32(x: *const f32, out: *mut f32, len: u32) {
    activations::relu(x, out, len as usize);
}

/// Scalar reference of [`relu_f32`]: same signature, same bits.
///
/// # Safety
/// As [`relu_f32`].
#[no_mangle]
pub unsafe extern "C" fn relu_f32_ref(x: *const f32, out: *mut f32, len: u32) {
    activations::relu_ref(x, out, len as usize);
}

mod batch_norm;

/// Defines a batch norm forward export over a row-major `rows × cols` x (one column per
/// channel): `mean`, biased `var` and `y = (x - mean) · (gamma / sqrt(var + eps)) + beta`.
macro_rules! batch_norm_export {
    ($(#[$doc:meta])* $name:ident => $body:path) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `x` and `y` are valid for `rows * cols` floats, `gamma`, `beta`, `mean`, `var` and
        /// `scratch` for `cols`; the outputs and `scratch` overlap nothing.
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name(
            x: *const f32,
            gamma: *const f32,
            beta: *const f32,
            y: *mut f32,
            mean: *mut f32,
            var: *mut f32,
            scratch: *mut f32,
            rows: u32,
            cols: u32,
            eps: f32,
        ) {
            let (r, c) = (rows as usize, cols as usize);
            $body(x, gamma, beta, y, mean, var, scratch, r, c, eps);
        }
    };
}

batch_norm_export!(
    /// Batch norm's forward pass in the f32 operations and order of tfjs's composite
    /// (`moments`, `sub`, `mul`, `add`: same bits on tfjs-wasm).
    batch_norm_f32 => batch_norm::batch_norm
);
batch_norm_export!(
    /// Scalar reference of [`batch_norm_f32`]: same signature, same bits.
    batch_norm_f32_ref => batch_norm::batch_norm_ref
);

/// Defines a batch norm backward export from the forward's `mean` and `var`: `dbeta = Σ dy`,
/// `dgamma = Σ dy x̂` (column sums in row order) and
/// `dx = (dy - dbeta / n - x̂ dgamma / n) · gamma / σ`, with `x̂ = (x - mean) / σ`,
/// `σ = sqrt(var + eps)`, `n = rows`.
macro_rules! batch_norm_grad_export {
    ($(#[$doc:meta])* $name:ident => $body:path) => {
        $(#[$doc])*
        ///
        /// # Safety
        /// `dy`, `x` and `dx` are valid for `rows * cols` floats, `mean`, `var`, `gamma`,
        /// `dgamma` and `dbeta` for `cols`, `scratch` for `4 * cols`; the outputs and
        /// `scratch` overlap nothing.
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name(
            dy: *const f32,
            x: *const f32,
            mean: *const f32,
            var: *const f32,
            gamma: *const f32,
            dx: *mut f32,
            dgamma: *mut f32,
            dbeta: *mut f32,
            scratch: *mut f32,
            rows: u32,
            cols: u32,
            eps: f32,
        ) {
            let (r, c) = (rows as usize, cols as usize);
            $body(dy, x, mean, var, gamma, dx, dgamma, dbeta, scratch, r, c, eps);
        }
    };
}

batch_norm_grad_export!(
    /// Batch norm's closed-form backward pass.
    batch_norm_grad_f32 => batch_norm::batch_norm_grad
);
batch_norm_grad_export!(
    /// Scalar reference of [`batch_norm_grad_f32`]: same signature, same bits.
    batch_norm_grad_f32_ref => batch_norm::batch_norm_grad_ref
);
