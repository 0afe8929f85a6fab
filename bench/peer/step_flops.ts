/**
 * The arithmetic of a training step, counted from what runs: every tfjs
 * kernel call of the active backend is wrapped for the duration (as
 * `timeKernels` in src/runs/profile.ts does) and charged by its shapes. A
 * product kernel (GEMM, convolution and its gradients, Duel's dense-chain
 * kernels) is charged its multiply-adds by {@link PRODUCT_MACS}; any other
 * kernel one operation per element of the larger of its inputs and its
 * outputs (none for {@link DATA_MOVEMENT} kernels): a lower estimate (Adam
 * does about 12 per parameter and is charged 4). Only outermost calls are
 * charged, so a replacement that runs built-in kernels inside (a transpose
 * before XNNPACK's matmul, the XNNPACK filter gradient's convolution) is
 * counted once, by its own shapes. Each outermost call's wall time is kept
 * too: kernels compute synchronously on the wasm backend.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Trainer } from "../../src/train/trainer.ts";
import { withWrappedKernels } from "../../src/runs/profile.ts";

type Info = tf.TensorInfo;
type Inputs = Record<string, Info | undefined>;

/** Multiply-adds of one call of a product kernel, from its inputs, attrs and outputs. */
export type MacRule = (inputs: Inputs, attrs: tf.NamedAttrMap, outputs: readonly Info[]) => number;

const size = (t: Info | undefined) => (t ? tf.util.sizeFromShape(t.shape) : 0);

function input(inputs: Inputs, name: string, kernel: string): Info {
  const t = inputs[name];
  if (!t) throw new Error(`step_flops: ${kernel} has no input ${name}`);
  return t;
}

/** `C = op(A) · op(B)`: every element of C is a dot product of length k. */
const matmul = (kernel: string): MacRule => (inputs, attrs, [c]) => {
  const a = input(inputs, "a", kernel);
  const k = a.shape[a.shape.length - (attrs.transposeA ? 2 : 1)];
  return size(c) * k;
};

/**
 * A convolution's multiply-adds: every element of its output `y` (forward)
 * or output gradient `dy` (both gradients) meets a `kh × kw × cin` window of
 * the NHWC filter `[kh, kw, cin, cout]` (padding counted, as the kernels
 * compute it).
 */
const taps = (filter: readonly number[]) => filter[0] * filter[1] * filter[2];

/** Per layer of a dense chain, `fan_in × units`, from its kernels `w0, w1, …`. */
function chainLayers(inputs: Inputs, attrs: tf.NamedAttrMap, kernel: string): number[] {
  const layers = (attrs.acts as number[]).length;
  return Array.from({ length: layers }, (_, l) => size(input(inputs, `w${l}`, kernel)));
}

/**
 * Multiply-adds per call of every product kernel Duel's networks run
 * (kernels/src/dense_chain.rs for the chain's three passes: the forward pass
 * `batch × Σ fan_in · units`; the `dz` pass the input gradients of every
 * layer but the first, `batch × Σ_{l ≥ 1} fan_in · units`; the weights pass
 * every `dW = xᵀ dz` asked for (attr `weighed`: the first layers'),
 * `batch × Σ fan_in · units` over those layers).
 */
export const PRODUCT_MACS: Readonly<Record<string, MacRule>> = {
  BatchMatMul: matmul("BatchMatMul"),
  _FusedMatMul: matmul("_FusedMatMul"),
  Conv2D: (inputs, _attrs, [y]) => size(y) * taps(input(inputs, "filter", "Conv2D").shape),
  FusedConv2D: (inputs, _attrs, [y]) =>
    size(y) * taps(input(inputs, "filter", "FusedConv2D").shape),
  Conv2DBackpropInput: (inputs) =>
    size(input(inputs, "dy", "Conv2DBackpropInput")) *
    taps(input(inputs, "filter", "Conv2DBackpropInput").shape),
  Conv2DBackpropFilter: (inputs, attrs) =>
    size(input(inputs, "dy", "Conv2DBackpropFilter")) * taps(attrs.filterShape as number[]),
  DuelDenseChain: (inputs, attrs) =>
    input(inputs, "x", "DuelDenseChain").shape[0] *
    chainLayers(inputs, attrs, "DuelDenseChain").reduce((s, v) => s + v, 0),
  DuelDenseChainGrad: (inputs, attrs) => {
    const per = chainLayers(inputs, attrs, "DuelDenseChainGrad");
    const batch = input(inputs, "x", "DuelDenseChainGrad").shape[0];
    // The dz of every layer but the first; the weights of the first `weighed` (default all).
    const [from, to] = attrs.outputs
      ? [0, (attrs.weighed as number | undefined) ?? per.length]
      : [1];
    return batch * per.slice(from, to).reduce((s, v) => s + v, 0);
  },
};

/** Product kernels without a rule: counting throws rather than charge them as elementwise. */
const UNRULED_PRODUCTS = new Set([
  "Conv3D",
  "Conv3DBackpropInputV2",
  "Conv3DBackpropFilterV2",
  "DepthwiseConv2dNative",
  "DepthwiseConv2dNativeBackpropInput",
  "DepthwiseConv2dNativeBackpropFilter",
  "FusedDepthwiseConv2D",
  "Dilation2D",
  "Einsum",
]);

/** Kernels that only move, copy or make data: charged no arithmetic. */
export const DATA_MOVEMENT: ReadonlySet<string> = new Set([
  "BroadcastTo",
  "Cast",
  "Concat",
  "ExpandDims",
  "Fill",
  "GatherNd",
  "GatherV2",
  "Identity",
  "MirrorPad",
  "OnesLike",
  "Pack",
  "PadV2",
  "Range",
  "Reshape",
  "Reverse",
  "Slice",
  "SplitV",
  "Squeeze",
  "StridedSlice",
  "Tile",
  "Transpose",
  "Unpack",
  "ZerosLike",
]);

/** What one kernel name did over the metered work. */
export interface KernelCount {
  /** Outermost calls. */
  readonly calls: number;
  /** Multiply-adds (product kernels; 0 for the others). */
  readonly macs: number;
  /** The lower estimate of a non-product kernel's operations (0 for products). */
  readonly other: number;
  /** Wall milliseconds inside its outermost calls (nested kernels included). */
  readonly ms: number;
}

/** Per kernel name, what {@link meterKernels} counted. */
export type KernelCounts = Map<string, KernelCount>;

/**
 * Runs `f` with every kernel of the active backend wrapped, and returns per
 * kernel name its outermost calls, multiply-adds, other operations and
 * time. The kernels are restored after, even when `f` throws; a product
 * kernel without a rule makes it throw.
 */
export async function meterKernels(f: () => unknown): Promise<KernelCounts> {
  const counts: KernelCounts = new Map();
  let depth = 0;
  const metered = (config: tf.KernelConfig): tf.KernelConfig => ({
    ...config,
    kernelFunc: (args) => {
      if (depth > 0) return config.kernelFunc(args);
      const name = config.kernelName;
      if (UNRULED_PRODUCTS.has(name)) {
        throw new Error(`step_flops: no multiply-add rule for ${name}`);
      }
      depth++;
      const start = performance.now();
      let out: Info | Info[];
      try {
        out = config.kernelFunc(args) as Info | Info[];
      } finally {
        depth--;
      }
      const ms = performance.now() - start;
      const outputs = Array.isArray(out) ? out : [out];
      const inputs = args.inputs as Inputs;
      const product = name in PRODUCT_MACS;
      const macs = product ? PRODUCT_MACS[name](inputs, args.attrs ?? {}, outputs) : 0;
      const elements = Math.max(
        Object.values(inputs).reduce((s, t) => s + size(t), 0),
        outputs.reduce((s, t) => s + size(t), 0),
      );
      const other = product || DATA_MOVEMENT.has(name) ? 0 : elements;
      const e = counts.get(name) ?? { calls: 0, macs: 0, other: 0, ms: 0 };
      counts.set(name, {
        calls: e.calls + 1,
        macs: e.macs + macs,
        other: e.other + other,
        ms: e.ms + ms,
      });
      return out;
    },
  });
  await withWrappedKernels(metered, f);
  return counts;
}

/** One step's arithmetic and the time its kernels took, from {@link meterSteps}. */
export interface StepArithmetic {
  /** Floating-point operations in products per step: 2 × multiply-adds. */
  readonly productFlop: number;
  /** The lower estimate of every other kernel's operations per step. */
  readonly otherFlop: number;
  /** Milliseconds per step inside product kernels. */
  readonly productMs: number;
  /** Milliseconds per step inside all kernels. */
  readonly kernelMs: number;
  /** Wall milliseconds per step while metered (metering adds a little to every call). */
  readonly wallMs: number;
  /** Per kernel name, per step. */
  readonly kernels: KernelCounts;
}

/** Sums {@link KernelCounts} into per-step figures over `steps` steps. */
export function perStep(counts: KernelCounts, steps: number, wallMs: number): StepArithmetic {
  let macs = 0, other = 0, productMs = 0, kernelMs = 0;
  const kernels: KernelCounts = new Map();
  for (const [name, c] of counts) {
    macs += c.macs;
    other += c.other;
    kernelMs += c.ms;
    if (name in PRODUCT_MACS) productMs += c.ms;
    kernels.set(name, {
      calls: c.calls / steps,
      macs: c.macs / steps,
      other: c.other / steps,
      ms: c.ms / steps,
    });
  }
  return {
    productFlop: (2 * macs) / steps,
    otherFlop: other / steps,
    productMs: productMs / steps,
    kernelMs: kernelMs / steps,
    wallMs: wallMs / steps,
    kernels,
  };
}

/** Runs `steps` more training steps of `trainer` metered ({@link meterKernels}); per step. */
export async function meterSteps(trainer: Trainer, steps: number): Promise<StepArithmetic> {
  const start = performance.now();
  const counts = await meterKernels(async () => {
    for await (const _ of trainer.run(trainer.step + steps));
  });
  return perStep(counts, steps, performance.now() - start);
}
