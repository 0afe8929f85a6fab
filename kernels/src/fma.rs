//! Exact f32 fused multiply-add in software: what `f32x4.relaxed_madd` computes
//! on a host with FMA, for the scalar references of the fused twins (the build
//! makes them, `tools/fma_twins.ts`).

/// `a·b + c` rounded once, to nearest even (IEEE 754 fusedMultiplyAdd).
///
/// The product is exact in f64 (24 + 24 bits ≤ 53). The f64 sum is made
/// round-to-odd (TwoSum gives its exact error; a sum that was rounded and came
/// out even moves one step toward the exact value), and rounding a
/// round-to-odd value with ≥ 2 extra bits to f32 gives the correctly rounded
/// result (Boldo and Melquiond, 2008): no double rounding.
#[inline(always)]
pub fn fma_f32(a: f32, b: f32, c: f32) -> f32 {
    let (p, c) = (a as f64 * b as f64, c as f64);
    let s = p + c;
    if !s.is_finite() {
        return s as f32;
    }
    let back = s - p;
    let err = (p - (s - back)) + (c - back);
    let bits = s.to_bits();
    if err == 0.0 || bits & 1 == 1 {
        return s as f32;
    }
    // Away from zero when the exact sum is beyond `s`, toward it otherwise.
    let away = (err > 0.0) == (s > 0.0);
    f64::from_bits(if away { bits + 1 } else { bits - 1 }) as f32
}

/// `c + a·b`: with `FMA` rounded once ([`fma_f32`]), otherwise the product and
/// the sum each rounded (the plain kernels' f32 operations).
#[inline(always)]
pub fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA {
        fma_f32(a, b, c)
    } else {
        c + a * b
    }
}
