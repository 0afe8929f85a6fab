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

mod matmul;
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

/// `C[b] = act(op(A[b]) · op(B[b]) + bias)` for `b < batch`, all row-major f32.
///
/// `op(A)` is `m × k` (A stored `k × m` when transposed), `op(B)` is `k × n`,
/// C is `m × n`. `a_stride`/`b_stride` are the batch strides in floats (0
/// broadcasts one matrix over the batch). `bias` has `n` floats (flag
/// [`HAS_BIAS`]). `work` holds [`matmul_f32_work_len`] floats. Each `C[i][j]`
/// is summed over `k` in order, one rounded multiply and one rounded add per
/// term, starting from 0; then `+ bias[j]`, then the activation.
///
/// # Safety
/// All pointers must be valid for the sizes above and C must not overlap the rest.
#[no_mangle]
pub unsafe extern "C" fn matmul_f32(
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
    matmul_block(
        a, b, c, batch, m, k, n, flags, a_stride, b_stride, bias, act, alpha, work, 0, rows, 0, n,
    );
}

/// Part of [`matmul_f32`] (same arguments, then `lo`, `hi`): the rows
/// `lo..hi` of the batch's C stacked (`batch · m` rows; row `r` is row
/// `r % m` of matrix `r / m`). Parts that cover `0..batch·m` give the bits of
/// [`matmul_f32`], so threads can each compute a part (with a `work` each).
///
/// # Safety
/// As [`matmul_f32`]; parts computed at the same time must not overlap.
#[no_mangle]
pub unsafe extern "C" fn matmul_f32_rows(
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
    matmul_block(
        a, b, c, batch, m, k, n, flags, a_stride, b_stride, bias, act, alpha, work, lo, hi, 0, n,
    );
}

/// Part of [`matmul_f32`] (same arguments, then `lo`, `hi`): the columns
/// `lo..hi` of every C of the batch (for products with few rows). Parts that
/// cover `0..n` give the bits of [`matmul_f32`].
///
/// # Safety
/// As [`matmul_f32`]; parts computed at the same time must not overlap.
#[no_mangle]
pub unsafe extern "C" fn matmul_f32_cols(
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
    matmul_block(
        a, b, c, batch, m, k, n, flags, a_stride, b_stride, bias, act, alpha, work, 0, rows, lo, hi,
    );
}

/// Rows `rows_lo..rows_hi` of the stacked C (`batch · m` rows), columns
/// `cols_lo..cols_hi` of each: what the three matmul exports share. One copy
/// (the block loop is inlined here) taking scalars only: a struct or tuple
/// argument would be passed by address, on a stack this module must not have.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
unsafe fn matmul_block(
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
        matmul::gemm_block(
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

/// Scalar reference of [`matmul_f32`]: same signature (`work` unused), same bits.
///
/// # Safety
/// As [`matmul_f32`].
#[no_mangle]
pub unsafe extern "C" fn matmul_f32_ref(
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
        reference::gemm(
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
