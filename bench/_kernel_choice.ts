/**
 * The matmul and conv implementations benchmarks compare on the wasm backend.
 * @module
 */
import { type KernelFixName, setKernelFix } from "../src/backend/kernels.ts";

/** Which BatchMatMul/_FusedMatMul the wasm backend runs. */
export const MATMUL_CHOICES = {
  builtin: "tfjs-wasm's own kernels (XNNPACK for plain products, a scalar loop otherwise)",
  tfjs: "pure-tfjs replacement: explicit transposes, then XNNPACK (matmul_transpose)",
  rust: "Duel's Rust f32x4 kernels (matmul_rust, fused_matmul_rust)",
  rust_fma: "their fused twins, each multiply-add rounded once (matmul_rust_fma, " +
    "fused_matmul_rust_fma; where the host fuses)",
} as const;

/** A key of {@link MATMUL_CHOICES}. */
export type MatmulChoice = keyof typeof MATMUL_CHOICES;

/** The replacements each matmul choice turns on. */
const MATMUL_FIXES: Record<MatmulChoice, readonly KernelFixName[]> = {
  builtin: [],
  tfjs: ["matmul_transpose"],
  rust: ["matmul_rust", "fused_matmul_rust"],
  rust_fma: ["matmul_rust_fma", "fused_matmul_rust_fma"],
};

/** Makes `choice` the wasm backend's matmul (call with the wasm backend registered). */
export function useMatmul(choice: MatmulChoice): void {
  for (const fix of Object.values(MATMUL_FIXES).flat()) setKernelFix(fix, false);
  for (const fix of MATMUL_FIXES[choice]) setKernelFix(fix, true);
}

/** Which conv kernels (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter) the wasm backend runs. */
export const CONV_CHOICES = {
  builtin: "tfjs-wasm's own (XNNPACK Conv2D, scalar-loop Conv2DBackpropInput); it has no " +
    "Conv2DBackpropFilter, so the XNNPACK-based replacement stands in",
  xnnpack: "XNNPACK Conv2D and the XNNPACK-based gradient replacements (conv2d_backprop_filter, " +
    "conv2d_backprop_input)",
  rust: "Duel's Rust kernels for all three (conv2d_rust, conv2d_backprop_input_rust, " +
    "conv2d_backprop_filter_rust)",
  rust_fma: "their fused twins for all three, each multiply-add rounded once (the _fma " +
    "replacements; where the host fuses)",
  rust_grads: "Rust Conv2DBackpropInput and Conv2DBackpropFilter, XNNPACK Conv2D",
  rust_conv2d: "Rust Conv2D only, XNNPACK-based gradients",
  rust_input: "Rust Conv2DBackpropInput only, XNNPACK otherwise",
  rust_filter: "Rust Conv2DBackpropFilter only, XNNPACK otherwise",
} as const;

/** A key of {@link CONV_CHOICES}. */
export type ConvChoice = keyof typeof CONV_CHOICES;

const FUSED_CONVS: readonly KernelFixName[] = [
  "conv2d_rust_fma",
  "conv2d_backprop_input_rust_fma",
  "conv2d_backprop_filter_rust_fma",
];

/** Makes `choice` the wasm backend's conv kernels (call with the wasm backend registered). */
export function useConv(choice: ConvChoice): void {
  for (const fix of FUSED_CONVS) setKernelFix(fix, false);
  if (choice === "rust_fma") {
    useConv("rust");
    for (const fix of FUSED_CONVS) setKernelFix(fix, true);
    return;
  }
  const grads = choice === "rust" || choice === "rust_grads";
  const rust = (part: ConvChoice) =>
    choice === part || choice === "rust" || (grads && part !== "rust_conv2d");
  // Each pair: turn the loser off first, then the winner on (alternatives of one tfjs kernel).
  setKernelFix("conv2d_rust", rust("rust_conv2d"));
  setKernelFix("conv2d_backprop_input", false);
  setKernelFix("conv2d_backprop_input_rust", false);
  if (rust("rust_input")) setKernelFix("conv2d_backprop_input_rust", true);
  else if (choice !== "builtin") setKernelFix("conv2d_backprop_input", true);
  setKernelFix("conv2d_backprop_filter", !rust("rust_filter"));
  if (rust("rust_filter")) setKernelFix("conv2d_backprop_filter_rust", true);
}
