//! The exponential moving average of a generator's parameters, all of them in
//! one call: `avg = decay · avg + (1 - decay) · param` per element, each
//! product and the sum rounded to f32 once, in this order: the bits of the
//! trainer's tfjs formulation (`add(mul(decay, avg), mul(1 - decay, param))`;
//! simd128 has no FMA and Rust does not contract).
//!
//! `table` holds [`ENTRY`] `u32`s per tensor: byte offsets of the parameter,
//! its average and where the new average goes, then the length in floats. The
//! output may be the average itself (in place); tfjs gives fresh outputs.

use core::arch::wasm32::*;

/// `u32`s per table entry: `[param, avg, avg out, len]`.
pub const ENTRY: usize = 4;

/// One table entry as pointers.
struct Entry {
    p: *const f32,
    avg: *const f32,
    out: *mut f32,
    len: usize,
}

#[inline(always)]
unsafe fn entry(table: *const u32, i: usize) -> Entry {
    let e = table.add(i * ENTRY);
    let at = |k: usize| *e.add(k) as usize;
    Entry { p: at(0) as *const f32, avg: at(1) as *const f32, out: at(2) as *mut f32, len: at(3) }
}

/// One element: `decay · avg + one_minus_decay · p`, three roundings.
#[inline(always)]
fn ema1(decay: f32, one_minus_decay: f32, avg: f32, p: f32) -> f32 {
    decay * avg + one_minus_decay * p
}

/// The average of every entry, four elements at a time, then a scalar tail.
pub unsafe fn ema(table: *const u32, n: usize, decay: f32, one_minus_decay: f32) {
    let (d, o) = (f32x4_splat(decay), f32x4_splat(one_minus_decay));
    for i in 0..n {
        let e = entry(table, i);
        let mut j = 0;
        while j + 4 <= e.len {
            let avg = v128_load(e.avg.add(j) as *const v128);
            let p = v128_load(e.p.add(j) as *const v128);
            v128_store(e.out.add(j) as *mut v128, f32x4_add(f32x4_mul(d, avg), f32x4_mul(o, p)));
            j += 4;
        }
        while j < e.len {
            *e.out.add(j) = ema1(decay, one_minus_decay, *e.avg.add(j), *e.p.add(j));
            j += 1;
        }
    }
}

/// Scalar reference of [`ema`]: element by element.
pub unsafe fn ema_ref(table: *const u32, n: usize, decay: f32, one_minus_decay: f32) {
    for i in 0..n {
        let e = entry(table, i);
        for j in 0..e.len {
            *e.out.add(j) = ema1(decay, one_minus_decay, *e.avg.add(j), *e.p.add(j));
        }
    }
}

kernel!(
    /// The moving average of `n` tensors: for each entry `[param, avg, avg out, len]`
    /// of `table`, `avg out = decay · avg + one_minus_decay · param`, each operation
    /// rounded to f32 once, in this order (the trainer's tfjs bits).
    ///
    /// # Safety
    /// `table` holds `n` entries of [`ENTRY`] `u32`s; each entry's pointers are
    /// valid for `len` floats; each output is its average or overlaps nothing.
    ema_f32, ema_f32_ref(table: *const u32, n: u32, decay: f32, one_minus_decay: f32)
        => ema, ema_ref(table, n as usize, decay, one_minus_decay)
);

kernel!(
    /// [`ema_f32`] on the table entries `lo..hi` only: one part of a call split
    /// over the kernel threads. Elements are independent, so any split of the
    /// table gives the whole call's bits. `work` is unused.
    ///
    /// # Safety
    /// As `ema_f32`, for entries `lo..hi` of `table`.
    ema_f32_part, ema_f32_part_ref(
        table: *const u32,
        decay: f32,
        one_minus_decay: f32,
        _work: *mut f32,
        lo: u32,
        hi: u32,
    ) => ema, ema_ref(table.add(lo as usize * ENTRY), hi.saturating_sub(lo) as usize, decay, one_minus_decay)
);
