//! Packing: panels of B into `W`-wide strips and blocks of op(A) into `H`-tall
//! strips (k-major), zero-padded at the edges, so that every transpose runs the
//! same micro-kernels.

use super::shape::{Shape, NR};
use super::vector::{load, load_part, min, store, transpose};

/// Packs B rows `pc..pc+kc`, columns `jc..jc+nc` into `NR`-wide strips, each
/// `kc × NR` row-major, zero-padded past `nc`.
pub(crate) unsafe fn pack_b(b: *const f32, s: &Shape, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
    pack_b_w::<NR>(b, s, pc, kc, jc, nc, dst)
}

/// [`pack_b`] into `W`-wide strips (`W` a multiple of 4).
pub(super) unsafe fn pack_b_w<const W: usize>(b: *const f32, s: &Shape, pc: usize, kc: usize, jc: usize, nc: usize, dst: *mut f32) {
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
        } else if s.b_p == 1 && nr == W {
            // B is transposed, its columns (our k) contiguous: four columns' four k
            // at a time, transposed into four rows of the strip (same values).
            for q in 0..W / 4 {
                let col = |j: usize| src.add((4 * q + j) * s.b_j);
                let (c0, c1, c2, c3) = (col(0), col(1), col(2), col(3));
                let out = strip.add(4 * q);
                let mut p = 0;
                while p + 4 <= kc {
                    let t = transpose([load(c0.add(p)), load(c1.add(p)), load(c2.add(p)), load(c3.add(p))]);
                    for (i, row) in t.iter().enumerate() {
                        store(out.add((p + i) * W), *row);
                    }
                    p += 4;
                }
                while p < kc {
                    for j in 0..4 {
                        *out.add(p * W + j) = *col(j).add(p);
                    }
                    p += 1;
                }
            }
        } else {
            // B is transposed (a partial strip): element by element.
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
pub(super) unsafe fn pack_a<const H: usize>(a: *const f32, s: &Shape, ic: usize, mc: usize, pc: usize, kc: usize, dst: *mut f32) {
    let mut ir = 0;
    while ir < mc {
        let mr = min(H, mc - ir);
        let strip = dst.add(ir * kc);
        let src = a.add((ic + ir) * s.a_i + pc * s.a_p);
        if H == 4 && mr == 4 && s.a_p == 1 {
            // Rows contiguous: four rows' four k at a time, transposed into four k-steps.
            let row = |r: usize| src.add(r * s.a_i);
            let (r0, r1, r2, r3) = (row(0), row(1), row(2), row(3));
            let mut p = 0;
            while p + 4 <= kc {
                let t = transpose([load(r0.add(p)), load(r1.add(p)), load(r2.add(p)), load(r3.add(p))]);
                for (i, step) in t.iter().enumerate() {
                    store(strip.add((p + i) * 4), *step);
                }
                p += 4;
            }
            while p < kc {
                for r in 0..4 {
                    *strip.add(p * 4 + r) = *row(r).add(p);
                }
                p += 1;
            }
        } else if H == 4 && mr == 4 && s.a_i == 1 {
            // Transposed: one k-step's four rows are contiguous, one load each.
            for p in 0..kc {
                store(strip.add(p * 4), load(src.add(p * s.a_p)));
            }
        } else if s.a_p == 1 {
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
