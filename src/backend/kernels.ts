/**
 * Kernel replacements for the wasm backend, all registered here, each with
 * a switch so benchmarks can compare them in one run. Replacements of the
 * same tfjs kernel are alternatives: turning one on replaces the other, and
 * turning it off restores the built-in. The threaded backend follows the
 * stock one.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { conv2dBackpropFilter, conv2dBackpropInput } from "./conv_kernels.ts";
import { rustBatchMatMul, rustFusedMatMul } from "./rust/matmul.ts";
import { hostFusesMultiplyAdd } from "./rust/probes.ts";
import { rustConv2D, rustConv2DBackpropFilter, rustConv2DBackpropInput } from "./rust/conv.ts";
import { STREAM_FIXES, type StreamFixName } from "./stream_fixes.ts";
import { adamKernel, FUSED_UPDATE_KERNELS, rmspropKernel } from "./rust/optimizers.ts";
import { EMA_KERNEL, emaKernel } from "./rust/ema.ts";
import { BOX_MULLER_KERNEL, boxMullerKernel } from "./rust/normal_noise.ts";
import {
  DENSE_CHAIN_GRAD_KERNEL,
  DENSE_CHAIN_KERNEL,
  denseChainGradKernel,
  denseChainKernel,
} from "./rust/dense_chain.ts";
import type { GemmRounding } from "./rust/gemm.ts";
import type { KernelFix } from "./kernel_fix.ts";
import { THREADED_BACKEND_NAME } from "./threads.ts";

import { type Info, type KernelArgs, wasmBackendOf } from "./wasm_backend.ts";

export type { KernelFix } from "./kernel_fix.ts";

/** Fused replacements: only where the host fuses, else they would compute the plain kernels' bits. */
const fused = { available: hostFusesMultiplyAdd } as const;

function transposeLast2(x: Info, args: KernelArgs): Info {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const transpose = tf.getKernel("Transpose", "wasm")!.kernelFunc;
  return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as Info;
}

/** A kernel replacement name from {@link KERNEL_FIXES} (a new entry is named here too). */
export type KernelFixName =
  | StreamFixName
  | "matmul_transpose"
  | "conv2d_backprop_filter"
  | "conv2d_backprop_input"
  | "matmul_rust"
  | "matmul_rust_fma"
  | "fused_matmul_rust"
  | "fused_matmul_rust_fma"
  | "conv2d_rust"
  | "conv2d_rust_fma"
  | "conv2d_backprop_input_rust"
  | "conv2d_backprop_input_rust_fma"
  | "conv2d_backprop_filter_rust"
  | "conv2d_backprop_filter_rust_fma"
  | "adam_rust"
  | "rmsprop_rust"
  | "ema_rust"
  | "identity_shared"
  | "dense_chain_rust"
  | "dense_chain_grad_rust"
  | "box_muller_threads";

/** Every kernel replacement, by name. */
export const KERNEL_FIXES: Readonly<Record<KernelFixName, KernelFix>> = {
  matmul_transpose: {
    doc: "BatchMatMul with a transposed operand (every dense-layer gradient): transpose " +
      "explicitly, then use XNNPACK's plain matmul instead of tfjs-wasm's scalar loop",
    kernelName: "BatchMatMul",
    wrap: (builtin) => (args) => {
      const { a, b } = args.inputs as { a: Info; b: Info };
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return builtin!(args);
      const at = transposeA ? transposeLast2(a, args) : a;
      const bt = transposeB ? transposeLast2(b, args) : b;
      const out = builtin!({
        ...args,
        inputs: { a: at, b: bt },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
      const backend = wasmBackendOf(args);
      if (at !== a) backend.disposeData(at.dataId);
      if (bt !== b) backend.disposeData(bt.dataId);
      return out;
    },
  },
  conv2d_backprop_filter: {
    doc: "Conv2DBackpropFilter (every conv weight gradient; missing from tfjs-backend-wasm): a " +
      "stride-1 XNNPACK conv of the transposed input with the transposed output gradient, " +
      "dilated by the stride",
    kernelName: "Conv2DBackpropFilter",
    wrap: () => conv2dBackpropFilter,
  },
  conv2d_backprop_input: {
    doc: "Conv2DBackpropInput (conv input gradients, conv2d_transpose's forward pass): one " +
      "stride-1 XNNPACK conv per output phase, interleaved, instead of tfjs-wasm's scalar loop",
    kernelName: "Conv2DBackpropInput",
    wrap: () => conv2dBackpropInput,
  },
  matmul_rust: {
    doc: "BatchMatMul on Duel's Rust f32x4 kernel (kernels/, zero-copy in tfjs's memory): every " +
      "transpose combination and batch as fast as the plain product, deterministic summation order",
    kernelName: "BatchMatMul",
    wrap: rustBatchMatMul,
  },
  matmul_rust_fma: {
    doc: "BatchMatMul on the Rust kernel's fused twin (f32x4.relaxed_madd: each multiply-add " +
      "rounded once) on its 4 × 8 tile: 45 against 40 GFLOP/s at 512³; where the host fuses",
    kernelName: "BatchMatMul",
    wrap: (builtin) => rustBatchMatMul(builtin!, "fused"),
    ...fused,
  },
  fused_matmul_rust: {
    doc: "_FusedMatMul (matmul + bias + relu/relu6/leaky-relu) on the same Rust kernel, the bias " +
      "and activation applied in the tile before it is stored",
    kernelName: "_FusedMatMul",
    wrap: rustFusedMatMul,
  },
  fused_matmul_rust_fma: {
    doc: "_FusedMatMul on the fused twin (each multiply-add rounded once); where the host fuses",
    kernelName: "_FusedMatMul",
    wrap: (builtin) => rustFusedMatMul(builtin!, "fused"),
    ...fused,
  },
  conv2d_rust: {
    doc: "Conv2D (NHWC) on the Rust kernels: a packed GEMM on the matmul micro-kernel, patches " +
      "packed straight from the input (implicit im2col), deterministic summation order",
    kernelName: "Conv2D",
    wrap: (builtin) => rustConv2D(builtin!),
  },
  conv2d_rust_fma: {
    doc: "Conv2D on the fused twin (each multiply-add rounded once): 11-13% faster on the " +
      "DCGAN critic's convolution; where the host fuses",
    kernelName: "Conv2D",
    wrap: (builtin) => rustConv2D(builtin!, "fused"),
    ...fused,
  },
  conv2d_backprop_input_rust: {
    doc:
      "Conv2DBackpropInput (conv input gradients, conv2d_transpose's forward pass) on the Rust " +
      "kernels: one implicit GEMM per output phase over the taps that reach it (no zero insertion)",
    kernelName: "Conv2DBackpropInput",
    wrap: (builtin) => rustConv2DBackpropInput(builtin!),
  },
  conv2d_backprop_input_rust_fma: {
    doc: "Conv2DBackpropInput on the fused twin (each multiply-add rounded once); where the " +
      "host fuses",
    kernelName: "Conv2DBackpropInput",
    wrap: (builtin) => rustConv2DBackpropInput(builtin!, "fused"),
    ...fused,
  },
  conv2d_backprop_filter_rust: {
    doc: "Conv2DBackpropFilter (conv weight gradients) on the Rust kernels: an implicit GEMM of " +
      "the input's patches, transposed, with the output gradient",
    kernelName: "Conv2DBackpropFilter",
    wrap: () => rustConv2DBackpropFilter(conv2dBackpropFilter),
  },
  conv2d_backprop_filter_rust_fma: {
    doc: "Conv2DBackpropFilter on the fused twin (each multiply-add rounded once); where the " +
      "host fuses",
    kernelName: "Conv2DBackpropFilter",
    wrap: () => rustConv2DBackpropFilter(conv2dBackpropFilter, "fused"),
    ...fused,
  },
  adam_rust: {
    doc:
      "Adam's update as one Rust f32x4 kernel per player (DuelAdam, zero-copy, into fresh buffers) " +
      "instead of ~14 tfjs kernels per parameter; same f32 operations in the same order",
    kernelName: FUSED_UPDATE_KERNELS.adam,
    wrap: () => adamKernel,
  },
  rmsprop_rust: {
    doc: "RMSProp's update (with momentum) as one Rust f32x4 kernel per player (DuelRMSProp)",
    kernelName: FUSED_UPDATE_KERNELS.rmsprop,
    wrap: () => rmspropKernel,
  },
  box_muller_threads: {
    doc: "normal noise's Box-Muller transform (Math.log, Math.cos, Math.sin, whose bits the " +
      "runs keep) shared out over the kernel threads (DuelBoxMuller); the uniforms still " +
      "drawn in order on the caller, so the same values and stream states",
    kernelName: BOX_MULLER_KERNEL,
    wrap: () => boxMullerKernel,
  },
  ema_rust: {
    doc: "the generator's moving average as one Rust f32x4 kernel over all its parameters " +
      "(DuelEma) instead of 3 tfjs kernels per parameter; same f32 operations in the same order",
    kernelName: EMA_KERNEL,
    wrap: () => emaKernel,
  },
  ...STREAM_FIXES,
  identity_shared: {
    doc: "Identity (tf.clone; the gradient tape clones every tensor it saves) shares the " +
      "buffer, as tfjs-backend-cpu's does and tfjs-wasm's Reshape does, instead of copying it: " +
      "tfjs never writes into a tensor's buffer",
    kernelName: "Identity",
    wrap: (builtin) => (args) => {
      const { x } = args.inputs as { x: Info };
      if (x.dtype === "string") return builtin!(args);
      wasmBackendOf(args).incRef(x.dataId);
      return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
    },
  },
  dense_chain_rust: {
    doc: "a run of dense (+ bias) + relu/leaky-relu layers as one op and one Rust kernel call " +
      "(DuelDenseChain, batch rows split over threads) instead of ~3 tfjs ops per layer; the " +
      "matmul's bits (where matmul_rust or matmul_rust_fma is in force)",
    kernelName: DENSE_CHAIN_KERNEL,
    wrap: () => denseChainKernel,
  },
  dense_chain_grad_rust: {
    doc: "the dense chain's gradient (DuelDenseChainGrad: every dz, then all dW and db in one " +
      "call) instead of ~5 tfjs ops per layer; tfjs ops while a gradient penalty records it",
    kernelName: DENSE_CHAIN_GRAD_KERNEL,
    wrap: () => denseChainGradKernel,
  },
};

/** The stock `wasm` backend's own kernels (`null`: it has none), saved before the first replacement. */
const builtins = new Map<string, tf.KernelConfig | null>();
/** The replacement in force, by kernel name. */
const active = new Map<string, KernelFixName>();

/**
 * Turns a replacement on (it becomes its kernel's implementation, replacing
 * another replacement of the same kernel) or off (the built-in comes back) on
 * the wasm backend and, once created, the threaded one. Call after the wasm
 * backend is registered; `useBackend` turns on all of them, the later of two
 * alternatives winning (`matmul_rust` over `matmul_transpose`, the Rust conv
 * kernels over the XNNPACK-based gradients: measured faster on the DCGAN step;
 * the fused `_fma` twins over the plain Rust kernels where the host fuses).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activeKernelFixes, setKernelFix, useBackend } from "../../mod.ts";
 * await useBackend("wasm");
 * setKernelFix("matmul_transpose", true); // the pure-tfjs replacement
 * assert.ok(!activeKernelFixes().includes("matmul_rust"));
 * setKernelFix("matmul_transpose", false); // the stock kernel, e.g. for a baseline
 * setKernelFix("matmul_rust", true);
 * assert.ok(activeKernelFixes().includes("matmul_rust"));
 * ```
 */
export function setKernelFix(name: KernelFixName, on: boolean): void {
  const fix: KernelFix = KERNEL_FIXES[name];
  if (!builtins.has(fix.kernelName)) {
    builtins.set(fix.kernelName, tf.getKernel(fix.kernelName, "wasm") ?? null);
  }
  if (!on && active.get(fix.kernelName) !== name) return;
  const builtin = builtins.get(fix.kernelName) ?? undefined;
  const config = on
    ? {
      ...(builtin ?? { kernelName: fix.kernelName, backendName: "wasm" }),
      kernelFunc: fix.wrap(builtin?.kernelFunc),
    }
    : builtin;
  // The threaded backend copies the wasm kernels when it is created; once it exists, follow here.
  const threaded = tf.getKernelsForBackend(THREADED_BACKEND_NAME).length > 0;
  for (const backendName of threaded ? ["wasm", THREADED_BACKEND_NAME] : ["wasm"]) {
    if (tf.getKernel(fix.kernelName, backendName)) tf.unregisterKernel(fix.kernelName, backendName);
    if (config) tf.registerKernel({ ...config, backendName });
  }
  if (on) active.set(fix.kernelName, name);
  else active.delete(fix.kernelName);
}

/**
 * Whether a replacement can run here (`useBackend` turns on those that can):
 * the fused `_fma` ones only where the host fuses multiply-adds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fixAvailable } from "../../mod.ts";
 * assert.equal(fixAvailable("matmul_rust"), true);
 * assert.equal(typeof fixAvailable("matmul_rust_fma"), "boolean");
 * ```
 */
export function fixAvailable(name: KernelFixName): boolean {
  const fix: KernelFix = KERNEL_FIXES[name];
  return fix.available?.() ?? true;
}

/**
 * The replacements in force, in {@link KERNEL_FIXES} order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activeKernelFixes, useBackend } from "../../mod.ts";
 * await useBackend("wasm");
 * assert.ok(Array.isArray(activeKernelFixes()));
 * ```
 */
export function activeKernelFixes(): KernelFixName[] {
  return (Object.keys(KERNEL_FIXES) as KernelFixName[]).filter((n) =>
    active.get(KERNEL_FIXES[n].kernelName) === n
  );
}

/** The GEMM rounding of each matmul replacement whose bits a dense chain reproduces. */
const CHAIN_ROUNDING: Partial<Record<KernelFixName, GemmRounding>> = {
  matmul_rust: "plain",
  matmul_rust_fma: "fused",
};

/**
 * The rounding a dense chain runs with here, so that it gives the per-op
 * layers' bits: that of the matmul in force; `undefined` where the chain must
 * not run (`dense_chain_rust` or `dense_chain_grad_rust` off, a backend
 * without them, or a matmul other than Duel's Rust kernel in force).
 *
 * Inside Duel it is used as `const rounding = denseChainRounding(); if (rounding) y =
 * denseChain(x, layers, rounding);`.
 */
export function denseChainRounding(): GemmRounding | undefined {
  const on = active.get(DENSE_CHAIN_KERNEL) === "dense_chain_rust" &&
    active.get(DENSE_CHAIN_GRAD_KERNEL) === "dense_chain_grad_rust";
  if (!on || tf.getKernel(DENSE_CHAIN_KERNEL, tf.getBackend()) === undefined) return undefined;
  const matmul = active.get("BatchMatMul");
  return matmul === undefined ? undefined : CHAIN_ROUNDING[matmul];
}
