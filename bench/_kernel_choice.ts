/**
 * The three matmul implementations benchmarks compare on the wasm backend.
 * @module
 */
import { setKernelFix } from "../src/backend/kernels.ts";

/** Which BatchMatMul/_FusedMatMul the wasm backend runs. */
export const MATMUL_CHOICES = {
  builtin: "tfjs-wasm's own kernels (XNNPACK for plain products, a scalar loop otherwise)",
  tfjs: "pure-tfjs replacement: explicit transposes, then XNNPACK (matmul_transpose)",
  rust: "Duel's Rust f32x4 kernels (matmul_rust, fused_matmul_rust)",
} as const;

/** A key of {@link MATMUL_CHOICES}. */
export type MatmulChoice = keyof typeof MATMUL_CHOICES;

/** Makes `choice` the wasm backend's matmul (call with the wasm backend registered). */
export function useMatmul(choice: MatmulChoice): void {
  setKernelFix("matmul_rust", choice === "rust");
  setKernelFix("fused_matmul_rust", choice === "rust");
  setKernelFix("matmul_transpose", choice === "tfjs");
}
