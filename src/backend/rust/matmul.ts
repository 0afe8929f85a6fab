/**
 * BatchMatMul and _FusedMatMul on Duel's Rust kernels (kernels/src/matmul.rs),
 * zero-copy in the wasm backend's memory; large products are split over the
 * kernel threads (`split.ts`; same bits on any thread count). Registration is
 * in `../kernels.ts` (`KERNEL_FIXES`, `setKernelFix`).
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import {
  type Info,
  type KernelFunc,
  offsetOf,
  type WasmBackend,
  wasmBackendOf,
} from "../wasm_backend.ts";
import { boundRustKernels, matmulWith } from "./bound.ts";
import { gemmExport, type GemmRounding } from "./gemm.ts";
import { planMatmul } from "./split.ts";

/** `matmul_f32` flags. */
export const MATMUL_FLAGS = { transposeA: 1, transposeB: 2, bias: 4 } as const;

/** Fused activations the Rust matmul applies, numbered as tfjs-wasm's `FusableActivation`. */
export const RUST_ACTIVATIONS = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4 } as const;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Computes `op(a) op(b) (+ bias, activation)` with the Rust kernel, or returns
 * `undefined` when the case is not covered (the caller uses the built-in):
 * non-float32, batch dimensions that broadcast other than one-to-all, a bias
 * other than one value per column.
 */
function rustMatMul(
  backend: WasmBackend,
  a: Info,
  b: Info,
  transposeA: boolean,
  transposeB: boolean,
  rounding: GemmRounding,
  bias?: Info,
  act = 0,
  alpha = 0,
): Info | undefined {
  if (a.dtype !== "float32" || b.dtype !== "float32") return undefined;
  if (bias && bias.dtype !== "float32") return undefined;
  const ra = a.shape.length, rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const kb = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k !== kb) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ` +
        `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const outerA = a.shape.slice(0, -2), outerB = b.shape.slice(0, -2);
  const outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  const batch = size(outer), batchA = size(outerA), batchB = size(outerB);
  // One matrix broadcast over the batch, or as many as the batch (then in its order).
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return undefined;
  if (bias && (size(bias.shape) !== n || bias.shape[bias.shape.length - 1] !== n)) return undefined;
  const { kernels, work, threads } = boundRustKernels(backend);
  const out = backend.makeOutput([...outer, m, n], "float32");
  const at = (t: Info) => offsetOf(backend, t);
  const flags = (transposeA ? MATMUL_FLAGS.transposeA : 0) |
    (transposeB ? MATMUL_FLAGS.transposeB : 0) | (bias ? MATMUL_FLAGS.bias : 0);
  const args = [
    at(a),
    at(b),
    at(out),
    batch,
    m,
    k,
    n,
    flags,
    batchA === 1 ? 0 : m * k,
    batchB === 1 ? 0 : k * n,
    bias ? at(bias) : 0,
    act,
    alpha,
  ] as const;
  const split = threads && planMatmul(batch, m, k, n, threads.threads);
  if (split) threads.run(gemmExport(split.fn, rounding), args, split.bounds);
  else matmulWith(kernels, rounding)(...args, work[0]);
  return out;
}

/**
 * BatchMatMul on the Rust kernel with `rounding` (the built-in for what it
 * does not cover).
 *
 * Inside Duel it is used as `tf.registerKernel({ kernelName: "BatchMatMul", backendName: "wasm",
 * kernelFunc: rustBatchMatMul(builtin, "fused") });`.
 */
export function rustBatchMatMul(builtin: KernelFunc, rounding: GemmRounding = "plain"): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const backend = wasmBackendOf(args);
    return rustMatMul(backend, a, b, transposeA, transposeB, rounding) ?? builtin(args);
  };
}

/**
 * _FusedMatMul (matmul + bias + activation) on the Rust kernel with
 * `rounding`, for the activations in {@link RUST_ACTIVATIONS}; prelu, sigmoid
 * and elu go to the built-in.
 *
 * Inside Duel it is used as `tf.registerKernel({ kernelName: "_FusedMatMul", backendName: "wasm",
 * kernelFunc: rustFusedMatMul(builtin) });`.
 */
export function rustFusedMatMul(builtin: KernelFunc, rounding: GemmRounding = "plain"): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, Info | undefined>;
    const { transposeA, transposeB, activation, leakyreluAlpha } = args.attrs as {
      transposeA: boolean;
      transposeB: boolean;
      activation: string;
      leakyreluAlpha?: number;
    };
    const act = RUST_ACTIVATIONS[activation as keyof typeof RUST_ACTIVATIONS];
    if (act === undefined || preluActivationWeights) return builtin(args);
    const backend = wasmBackendOf(args);
    const alpha = leakyreluAlpha ?? 0;
    return rustMatMul(
      backend,
      a!,
      b!,
      transposeA,
      transposeB,
      rounding,
      bias ?? undefined,
      act,
      alpha,
    ) ??
      builtin(args);
  };
}
