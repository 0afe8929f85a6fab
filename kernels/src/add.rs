//! `Add` of two float32 tensors of one shape, or of a tensor and a vector
//! along its last axis (a layer's bias): tfjs-wasm's broadcasting loop takes
//! ~1.7 ns per element on a `[64, 7, 7, 128] + [128]` batch, its same-shape add
//! ~1.2 ns. One f32 add per element, so the bits are tfjs's.

use core::arch::wasm32::*;

/// `out[i][j] = a[i][j] + b[i · b_rows][j]` for a row-major `rows × cols` a:
/// `b_rows` 1 adds a `rows × cols` b, 0 adds one `cols` row of b to every row.
pub unsafe fn add(a: *const f32, b: *const f32, out: *mut f32, rows: usize, cols: usize, b_rows: usize) {
    for i in 0..rows {
        let (ar, br, or) = (a.add(i * cols), b.add(i * b_rows * cols), out.add(i * cols));
        let mut j = 0;
        while j + 4 <= cols {
            let v = f32x4_add(v128_load(ar.add(j) as *const v128), v128_load(br.add(j) as *const v128));
            v128_store(or.add(j) as *mut v128, v);
            j += 4;
        }
        while j < cols {
            *or.add(j) = *ar.add(j) + *br.add(j);
            j += 1;
        }
    }
}

/// Scalar reference of [`add`].
pub unsafe fn add_ref(a: *const f32, b: *const f32, out: *mut f32, rows: usize, cols: usize, b_rows: usize) {
    for i in 0..rows {
        for j in 0..cols {
            *out.add(i * cols + j) = *a.add(i * cols + j) + *b.add(i * b_rows * cols + j);
        }
    }
}
