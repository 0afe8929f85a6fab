/**
 * Kernel replacements for the wasm backend, all registered here, each with
 * a switch back to the built-in so benchmarks can compare both in one run.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { conv2dBackpropFilter, conv2dBackpropInput } from "./conv_kernels.ts";

type KernelFunc = tf.KernelConfig["kernelFunc"];
type Args = Parameters<KernelFunc>[0];
type Info = tf.TensorInfo;
/** What kernel functions see of the wasm backend. */
interface WasmBackend {
  disposeData(dataId: unknown): void;
}

/** One replacement: which built-in kernel it wraps and how. */
interface KernelFix {
  /** One line for the README and benchmarks. */
  readonly doc: string;
  /** The tfjs kernel it replaces on the `wasm` backend. */
  readonly kernelName: string;
  /** Builds the replacement from the built-in (absent when tfjs-backend-wasm lacks the kernel). */
  wrap(builtin?: KernelFunc): KernelFunc;
}

function transposeLast2(x: Info, args: Args): Info {
  const rank = x.shape.length;
  const perm = [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const transpose = tf.getKernel("Transpose", "wasm")!.kernelFunc;
  return transpose({ inputs: { x }, backend: args.backend, attrs: { perm } }) as Info;
}

/** Every kernel replacement, by name. */
export const KERNEL_FIXES = {
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
      const backend = args.backend as unknown as WasmBackend;
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
} satisfies Record<string, KernelFix>;

/** A kernel replacement name from {@link KERNEL_FIXES}. */
export type KernelFixName = keyof typeof KERNEL_FIXES;

/** The wasm backend's own kernels (`null`: it has none), saved before the first replacement. */
const builtins = new Map<string, tf.KernelConfig | null>();

/**
 * Turns a replacement on or off on the wasm backend (call after the wasm
 * backend is registered; `useBackend` turns all of them on).
 *
 * @example
 * ```ts
 * import { useBackend } from "./tfjs.ts";
 * import { setKernelFix } from "./kernels.ts";
 * await useBackend("wasm");
 * setKernelFix("matmul_transpose", false); // the stock kernel, e.g. for a baseline
 * setKernelFix("matmul_transpose", true);
 * ```
 */
export function setKernelFix(name: KernelFixName, on: boolean): void {
  const fix = KERNEL_FIXES[name];
  const current = tf.getKernel(fix.kernelName, "wasm");
  if (!builtins.has(fix.kernelName)) builtins.set(fix.kernelName, current ?? null);
  const builtin = builtins.get(fix.kernelName);
  if (current) tf.unregisterKernel(fix.kernelName, "wasm");
  const replacement = {
    ...(builtin ?? { kernelName: fix.kernelName, backendName: "wasm" }),
    kernelFunc: fix.wrap(builtin?.kernelFunc),
  };
  if (on) tf.registerKernel(replacement);
  else if (builtin) tf.registerKernel(builtin);
}
