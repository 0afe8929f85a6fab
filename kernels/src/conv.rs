//! The conv family: NHWC conv2d and its two gradients as implicit GEMMs on the
//! packed GEMM's micro-kernel (`conv/implicit.rs`, the input gradient phase by
//! phase in `conv/input.rs`), with scalar references (`conv/reference.rs`).
//! Every export takes [`conv_exports!`]'s signature, written once.
//!
//! Modules (no cycles): `geom` (the geometry and integer helpers, a leaf) ←
//! `pack` (patch packing) ← `implicit` (the GEMM loop, forward, filter) ←
//! `input_few` ← `input`; `reference` reads `geom` only.

mod geom;
mod implicit;
mod input;
mod input_few;
mod pack;
mod reference;

/// Floats of workspace the conv kernels need (packed panels and a row table).
#[no_mangle]
pub extern "C" fn conv_f32_work_len() -> u32 {
    implicit::WORK_LEN as u32
}

/// Defines the conv kernel exports, all with one signature, written once here:
/// `name => body;` exports `name(a, b, out, geometry…, work, m0, m1)` (the kernel
/// threads' convention: `work, lo, hi` last) calling `body(&geometry, a, b, out,
/// m0, m1, work)`; `name => body, tall name_tall => body_tall;` also exports
/// `name_tall`, the source of `name`'s fused twin (the build makes `name_fma` from
/// it and drops the export).
macro_rules! conv_exports {
    ($($(#[$doc:meta])* $name:ident => $body:path $(, tall $tall:ident => $tbody:path)?;)*) => {$(
        conv_exports!(@one $(#[$doc])* $name => $body);
        $(conv_exports!(@one
            #[doc = concat!("Not called: the source of `", stringify!($name), "_fma` (see the macro).")]
            $tall => $tbody);)?
    )*};
    (@one $(#[$doc:meta])* $name:ident => $body:path) => {
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
            let g = geom::Geom {
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

conv_exports! {
    /// NHWC conv2d: `y = conv(x, W)` (a = x, b = W, out = y), output pixels `m0..m1` of `n·oh·ow`.
    conv2d_f32 => implicit::forward::<false>, tall conv2d_f32_tall => implicit::forward::<true>;
    /// Scalar reference of [`conv2d_f32`]: same signature (`work` unused), same bits.
    conv2d_f32_ref => reference::forward::<false>;
    /// Scalar reference of the fused twin `conv2d_f32_fma`: each multiply-add rounded once.
    conv2d_f32_fma_ref => reference::forward::<true>;
    /// Conv2DBackpropFilter: dW (a = x, b = dy, out = dW), rows `(ky, kx, ci)` `m0..m1` of `kh·kw·cin`.
    conv2d_backprop_filter_f32 => implicit::filter::<false>, tall conv2d_backprop_filter_f32_tall => implicit::filter::<true>;
    /// [`conv2d_backprop_filter_f32`] on columns `m0..m1` (of `cout`) of dW, every row
    /// (the thread split for few rows); same bits.
    conv2d_backprop_filter_f32_cols => implicit::filter_cols::<false>,
        tall conv2d_backprop_filter_f32_cols_tall => implicit::filter_cols::<true>;
    /// Scalar reference of [`conv2d_backprop_filter_f32`]: same signature, same bits.
    conv2d_backprop_filter_f32_ref => reference::filter::<false>;
    /// Scalar reference of the fused twin `conv2d_backprop_filter_f32_fma`.
    conv2d_backprop_filter_f32_fma_ref => reference::filter::<true>;
    /// Conv2DBackpropInput (conv2d_transpose's forward, dilation 1): dx (a = dy, b = W, out = dx),
    /// dx pixels `m0..m1` of `n·h·w`, one GEMM per output phase (no zero insertion).
    conv2d_backprop_input_f32 => input::input::<false>, tall conv2d_backprop_input_f32_tall => input::input::<true>;
    /// Scalar reference of [`conv2d_backprop_input_f32`]: same signature, same bits.
    conv2d_backprop_input_f32_ref => reference::input::<false>;
    /// Scalar reference of the fused twin `conv2d_backprop_input_f32_fma`.
    conv2d_backprop_input_f32_fma_ref => reference::input::<true>;
}
