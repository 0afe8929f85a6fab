/**
 * The host probes of Duel's Rust kernels (kernels/src/probes.rs): whether
 * `f32x4.relaxed_madd` fuses here (`fma_probe` and its fused twin). The
 * roofline probes (`peak_flops`, `peak_clock`) are called by
 * bench/matmul_roofline.ts directly.
 * @module
 */
import { rustKernels } from "./loader.ts";

let fuses: boolean | undefined;

/**
 * Whether this host fuses `f32x4.relaxed_madd` (one rounding; a host without
 * FMA may round twice, and then the fused twins compute the plain bits). The
 * kernels' own probe, `fma_probe_fma`, on a scratch memory; asked once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostFusesMultiplyAdd } from "../../../mod.ts";
 * assert.equal(typeof hostFusesMultiplyAdd(), "boolean");
 * ```
 */
export function hostFusesMultiplyAdd(): boolean {
  if (fuses === undefined) {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const probe = rustKernels(memory).fma_probe_fma;
    const f = new Float32Array(memory.buffer, 0, 12);
    // a = b = 1 + 2⁻²³, c = -(1 + 2⁻²²): c + a·b is 2⁻⁴⁶ rounded once, 0 rounded twice.
    f.fill(1 + 2 ** -23, 0, 8).fill(-(1 + 2 ** -22), 8, 12);
    probe(0);
    fuses = f[0] !== 0;
  }
  return fuses;
}
