/**
 * Conv2D, Conv2DBackpropInput (conv2d_transpose's forward) and
 * Conv2DBackpropFilter on Duel's Rust kernels (kernels/src/conv.rs): packed
 * GEMMs with implicit im2col on the matmul micro-kernel, zero-copy in the wasm
 * backend's memory. Each kernel computes a range of its GEMM rows
 * ({@link RUST_CONV_KERNELS}), so on the threaded build large ones are split
 * over the kernel threads (`planRows`); the bits do not depend on the split. Registration is in `kernels.ts` (`conv2d_rust`,
 * `conv2d_backprop_input_rust`, `conv2d_backprop_filter_rust`).
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
import type { RustKernels } from "./abi.ts";
import { boundRustKernels } from "./bound.ts";
import { type GemmExport, gemmExport, type GemmRounding } from "./gemm.ts";
import { planRows } from "./split.ts";

/** A convolution's geometry as the Rust kernels take it (the forward conv's, NHWC). */
export interface ConvGeometry {
  /** Batch. */
  readonly n: number;
  /** Input height. */
  readonly h: number;
  /** Input width. */
  readonly w: number;
  /** Input channels. */
  readonly cin: number;
  /** Output height. */
  readonly oh: number;
  /** Output width. */
  readonly ow: number;
  /** Output channels. */
  readonly cout: number;
  /** Kernel height. */
  readonly kh: number;
  /** Kernel width. */
  readonly kw: number;
  /** Vertical stride. */
  readonly sh: number;
  /** Horizontal stride. */
  readonly sw: number;
  /** Vertical dilation (1 for the gradients). */
  readonly dh: number;
  /** Horizontal dilation (1 for the gradients). */
  readonly dw: number;
  /** Padding before the first row (tfjs's `padInfo.top`). */
  readonly top: number;
  /** Padding before the first column (tfjs's `padInfo.left`). */
  readonly left: number;
}

/**
 * The Rust conv kernels: the export computing each and its GEMM rows (the
 * unit of the `m0..m1` range every export takes).
 */
export const RUST_CONV_KERNELS = {
  conv2d: {
    doc: "y = conv2d(x, W): a = x, b = W, out = y; rows are output pixels (b, oy, ox)",
    export: "conv2d_f32",
    rows: (g: ConvGeometry) => g.n * g.oh * g.ow,
  },
  backprop_filter: {
    doc: "dW = Conv2DBackpropFilter(x, dy): a = x, b = dy, out = dW; rows are (ky, kx, ci)",
    export: "conv2d_backprop_filter_f32",
    rows: (g: ConvGeometry) => g.kh * g.kw * g.cin,
  },
  backprop_input: {
    doc: "dx = Conv2DBackpropInput(dy, W): a = dy, b = W, out = dx; rows are dx pixels (b, y, x)",
    export: "conv2d_backprop_input_f32",
    rows: (g: ConvGeometry) => g.n * g.h * g.w,
  },
} as const;

/**
 * A key of {@link RUST_CONV_KERNELS}.
 */
export type RustConvKind = keyof typeof RUST_CONV_KERNELS;

/**
 * The geometry of tfjs's conv info.
 */
export function convGeometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    n: info.batchSize,
    h: info.inHeight,
    w: info.inWidth,
    cin: info.inChannels,
    oh: info.outHeight,
    ow: info.outWidth,
    cout: info.outChannels,
    kh: info.filterHeight,
    kw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/**
 * Runs one Rust conv kernel (or its scalar reference) on GEMM rows `m0..m1`;
 * `a`, `b`, `out`, `work` are byte offsets in the kernels' memory, `work`
 * holding `conv_f32_work_len()` floats (one per concurrent call).
 */
export function runRustConv(
  kernels: RustKernels,
  kind: RustConvKind,
  g: ConvGeometry,
  a: number,
  b: number,
  out: number,
  m0: number,
  m1: number,
  work: number,
  reference = false,
  rounding: GemmRounding = "plain",
): void {
  const name = RUST_CONV_KERNELS[kind].export;
  const fused = rounding === "fused";
  const fn = reference
    ? kernels[fused ? `${name}_fma_ref` as const : `${name}_ref` as const]
    : kernels[gemmExport(name, rounding)];
  const { n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, top, left } = g;
  fn(a, b, out, n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, top, left, work, m0, m1);
}

/** The filter gradient's export computing columns `m0..m1` of dW (every row). */
export const FILTER_COLS_EXPORT: GemmExport = "conv2d_backprop_filter_f32_cols";

/**
 * How a conv kernel is split over `threads` kernel threads: the export and the
 * part bounds (GEMM rows, a multiple of the micro-tile's 4; or for the filter
 * gradient with fewer rows `kh·kw·cin` than columns `cout`, columns of dW, a
 * multiple of its 8, so that each part packs its share of dy rather than all of
 * it); `undefined`: one thread. Any split gives the same bits.
 */
export function planConv(
  kind: RustConvKind,
  g: ConvGeometry,
  macs: number,
  threads: number,
): { export: GemmExport; bounds: number[] } | undefined {
  const rows = RUST_CONV_KERNELS[kind].rows(g);
  if (kind === "backprop_filter" && rows < g.cout) {
    // planRows over column tiles of 8 (as "rows" of 4), scaled back to columns.
    const tiles = planRows(Math.ceil(g.cout / 8) * 4, macs, threads);
    const bounds = tiles && [...new Set(tiles.map((t) => Math.min(g.cout, t * 2)))];
    return bounds && bounds.length > 2 ? { export: FILTER_COLS_EXPORT, bounds } : undefined;
  }
  const bounds = planRows(rows, macs, threads);
  return bounds && { export: RUST_CONV_KERNELS[kind].export, bounds };
}

/** The forward convolution's info from a conv kernel's attributes (NHWC only: else undefined). */
function forwardInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
): tf.backend_util.Conv2DInfo | undefined {
  const format = (attrs.dataFormat as string | undefined) ?? "NHWC";
  if (format !== "NHWC") return undefined;
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    (attrs.dilations as [number, number] | undefined) ?? 1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
    false,
    "channelsLast",
  );
}

/** Runs `kind` with `rounding` on all its rows into a new output of `shape`. */
function compute(
  backend: WasmBackend,
  kind: RustConvKind,
  rounding: GemmRounding,
  g: ConvGeometry,
  a: Info,
  b: Info,
  shape: number[],
): Info {
  const { kernels, work, threads } = boundRustKernels(backend);
  const out = backend.makeOutput(shape, "float32");
  if (shape.every((d) => d > 0)) {
    const at = (t: Info) => offsetOf(backend, t);
    const rows = RUST_CONV_KERNELS[kind].rows(g);
    const macs = g.n * g.oh * g.ow * g.kh * g.kw * g.cin * g.cout;
    const split = threads && planConv(kind, g, macs, threads.threads);
    if (split) {
      const { n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, top, left } = g;
      const args = [
        at(a),
        at(b),
        at(out),
        n,
        h,
        w,
        cin,
        oh,
        ow,
        cout,
        kh,
        kw,
        sh,
        sw,
        dh,
        dw,
        top,
        left,
      ];
      threads.run(gemmExport(split.export, rounding), args, split.bounds);
    } else runRustConv(kernels, kind, g, at(a), at(b), at(out), 0, rows, work[0], false, rounding);
  }
  return out;
}

const float32 = (...ts: Info[]) => ts.every((t) => t.dtype === "float32");

/**
 * Conv2D on the Rust kernel (the built-in for NCHW or non-float32); registered
 * by `setKernelFix("conv2d_rust", true)`.
 *
 * Inside Duel it is used as `tf.registerKernel({ kernelName: "Conv2D", backendName: "wasm",
 * kernelFunc: rustConv2D(builtin) });`.
 */
export function rustConv2D(
  builtin: KernelFunc,
  rounding: GemmRounding = "plain",
): KernelFunc {
  return (args) => {
    const { x, filter } = args.inputs as { x: Info; filter: Info };
    const info = forwardInfo(x.shape, filter.shape, args.attrs as Record<string, unknown>);
    if (!info || !float32(x, filter)) return builtin(args);
    const backend = wasmBackendOf(args);
    return compute(backend, "conv2d", rounding, convGeometry(info), x, filter, info.outShape);
  };
}

/**
 * Conv2DBackpropInput on the Rust kernel, phase by phase (the built-in for
 * NCHW or non-float32); registered by `setKernelFix("conv2d_backprop_input_rust", true)`.
 *
 * Inside Duel it is used as `const kernelFunc = rustConv2DBackpropInput(builtin);`;
 * `tf.registerKernel({ kernelName: "Conv2DBackpropInput", backendName: "wasm", kernelFunc });`.
 */
export function rustConv2DBackpropInput(
  builtin: KernelFunc,
  rounding: GemmRounding = "plain",
): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: Info; filter: Info };
    const inputShape = args.attrs!.inputShape as number[];
    const info = forwardInfo(inputShape, filter.shape, args.attrs as Record<string, unknown>);
    if (!info || !float32(dy, filter)) return builtin(args);
    const backend = wasmBackendOf(args);
    return compute(backend, "backprop_input", rounding, convGeometry(info), dy, filter, inputShape);
  };
}

/**
 * Conv2DBackpropFilter on the Rust kernel (`fallback` for NCHW or
 * non-float32: tfjs-wasm has no such kernel); registered by
 * `setKernelFix("conv2d_backprop_filter_rust", true)`.
 *
 * Inside Duel it is used as `const kernelFunc = rustConv2DBackpropFilter(conv2dBackpropFilter);`;
 * `tf.registerKernel({ kernelName: "Conv2DBackpropFilter", backendName: "wasm", kernelFunc });`.
 */
export function rustConv2DBackpropFilter(
  fallback: KernelFunc,
  rounding: GemmRounding = "plain",
): KernelFunc {
  return (args) => {
    const { x, dy } = args.inputs as { x: Info; dy: Info };
    const filterShape = args.attrs!.filterShape as number[];
    const info = forwardInfo(x.shape, filterShape, args.attrs as Record<string, unknown>);
    if (!info || !float32(x, dy)) return fallback(args);
    const backend = wasmBackendOf(args);
    return compute(backend, "backprop_filter", rounding, convGeometry(info), x, dy, filterShape);
  };
}
