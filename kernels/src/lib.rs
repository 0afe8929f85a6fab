//! Duel's WebAssembly kernels for tfjs-backend-wasm.
//!
//! The module imports tfjs-wasm's own memory and computes on tensors in place
//! (zero-copy). That is only safe because it never writes anywhere it was not
//! told to: it has no data section, no start function and no stack (no
//! `__stack_pointer` use); `deno task build:kernels` checks all three. Hence
//! raw pointers everywhere (no slices, no bounds checks, no panics).
//!
//! One module per kernel family, each with its own exports (`#[no_mangle]
//! extern "C"`, made by [`kernel!`] or a family macro): `matmul`, `conv`,
//! `optimizers`, `activations`, `bias`, `reduce`, `batch_norm`, `ema`, `probes`,
//! `dense_chain`, `kde`, `distances`, `proxy_conv`, `tanh`; the
//! TypeScript side has a module of the same name in `src/backend/rust/`, and
//! the export table `src/backend/rust/abi.ts`, checked against this module's
//! exports by `tests/kernels_abi_test.ts`. Shared code: `gemm` (the packed
//! GEMM of matmul and conv) and `fma` (an exact software fma).
//!
//! Every kernel has a scalar reference with the same signature and the same
//! summation order, exported too, so conformance tests can demand equal bits
//! (`tanh_f32`, scalar itself, is checked against tfjs-wasm's own `Tanh`).
#![no_std]

/// Exports a kernel and its scalar reference with one signature, written once:
/// `name, name_ref (params) => simd_fn, scalar_fn (arguments)`. Both are
/// `#[no_mangle] extern "C"`; the doc comments go on the kernel, the reference
/// gets "Scalar reference of `name`: same signature, same bits."
macro_rules! kernel {
    (
        $(#[$doc:meta])*
        $name:ident, $reference:ident ($($arg:ident: $ty:ty),* $(,)?)
            => $simd:ident, $scalar:ident ($($call:expr),* $(,)?)
    ) => {
        $(#[$doc])*
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) {
            $simd($($call),*)
        }

        #[doc = concat!("Scalar reference of `", stringify!($name), "`: same signature, same bits.")]
        ///
        /// # Safety
        #[doc = concat!("As `", stringify!($name), "`.")]
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub unsafe extern "C" fn $reference($($arg: $ty),*) {
            $scalar($($call),*)
        }
    };
}

/// Exports an elementwise kernel's job part for the kernel threads
/// (`src/backend/rust/kernel_threads.ts`): `name(pointers.., scalars.., work, lo, hi)`
/// runs `kernel(pointers.., len, scalars..)` on elements `lo..hi` alone (each pointer
/// advanced by `lo`, `len = hi - lo`; `work` unused). Every element is computed as the
/// whole call computes it, so any split gives the same bits.
macro_rules! elementwise_part {
    (
        $(#[$doc:meta])*
        $name:ident ($($p:ident: $pt:ty),+ $(; $($s:ident: $st:ty),*)?) => $kernel:ident
    ) => {
        $(#[$doc])*
        ///
        /// # Safety
        #[doc = concat!("As `", stringify!($kernel), "` on elements `lo..hi`, `lo <= hi`.")]
        #[no_mangle]
        pub unsafe extern "C" fn $name(
            $($p: $pt,)+ $($($s: $st,)*)? _work: *mut f32, lo: u32, hi: u32,
        ) {
            $kernel($($p.add(lo as usize),)+ hi - lo $($(, $s)*)?)
        }
    };
}

mod activations;
mod batch_norm;
mod bias;
mod conv;
mod dense_chain;
mod distances;
mod ema;
mod fma;
mod gemm;
mod kde;
mod matmul;
mod optimizers;
mod probes;
mod proxy_conv;
mod reduce;
mod rows;
mod tanh;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
