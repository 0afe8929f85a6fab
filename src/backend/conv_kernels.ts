/**
 * The two convolution gradients re-expressed as forward convolutions, which
 * the wasm backend runs through XNNPACK:
 *
 * - `Conv2DBackpropFilter` (missing from tfjs-backend-wasm): the filter
 *   gradient is a correlation of the input with the output gradient over the
 *   batch, i.e. a stride-1 convolution of x^T `[cin, h, w, n]` with dy^T
 *   `[oh, ow, n, cout]` as the filter, dilated by the forward stride.
 * - `Conv2DBackpropInput` (a scalar loop in tfjs-backend-wasm; also the
 *   forward pass of a transposed convolution): split by output phase
 *   `(y + pad) mod stride`, each phase is a stride-1 convolution of dy with
 *   the flipped taps of that phase; the phases are then interleaved.
 * @module
 */
import { backend_util } from "../deps/tfjs_core.ts";
import type { Info, KernelArgs } from "./wasm_backend.ts";
import { WasmOps } from "./wasm_ops.ts";

type Pair = [number, number];

/** The forward convolution's geometry (pads, strides) from a gradient kernel's attributes. */
function forwardInfo(
  xShape: number[],
  filterShape: number[],
  attrs: Record<string, unknown>,
): backend_util.Conv2DInfo {
  const format = backend_util.convertConv2DDataFormat((attrs.dataFormat as "NHWC") ?? "NHWC");
  if (format !== "channelsLast") throw new Error("wasm conv gradients support NHWC only");
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as "same",
    attrs.dimRoundingMode as "floor" | undefined,
    false,
    format,
  );
}

const explicitPad = (top: number, bottom: number, left: number, right: number) => [
  [0, 0],
  [top, bottom],
  [left, right],
  [0, 0],
];

/**
 * dW for `conv2d(x, W)`: x `[n, h, w, cin]`, dy `[n, oh, ow, cout]`, W
 * `[kh, kw, cin, cout]`. Pads that the forward pass never reached (valid
 * padding with leftover rows) are cropped from x. Registered by `useBackend("wasm")`.
 *
 * Inside Duel it is used as `tf.registerKernel({ kernelName: "Conv2DBackpropFilter", backendName:
 * "wasm", kernelFunc: conv2dBackpropFilter });`.
 */
export function conv2dBackpropFilter(args: KernelArgs): Info {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const filterShape = args.attrs!.filterShape as number[];
  const info = forwardInfo(x.shape, filterShape, args.attrs as Record<string, unknown>);
  const [n, h, w, cin] = x.shape;
  const [, oh, ow] = dy.shape;
  const [kh, kw] = filterShape;
  const s: Pair = [info.strideHeight, info.strideWidth];
  const top = info.padInfo.top, left = info.padInfo.left;
  // Rows after the input (padding) the forward pass read; negative: input rows it never read.
  const bottom = kh - h - top + (oh - 1) * s[0];
  const right = kw - w - left + (ow - 1) * s[1];
  const ops = new WasmOps(args);
  try {
    const used = ops.slice(x, [0, 0, 0, 0], [
      n,
      h + Math.min(bottom, 0),
      w + Math.min(right, 0),
      cin,
    ]);
    const xT = ops.run("Transpose", { x: used }, { perm: [3, 1, 2, 0] }); // [cin, h, w, n]
    const dyT = ops.run("Transpose", { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, n, cout]
    const conv = ops.run("Conv2D", { x: xT, filter: dyT }, {
      strides: [1, 1],
      pad: explicitPad(top, Math.max(bottom, 0), left, Math.max(right, 0)),
      dilations: s,
      dataFormat: "NHWC",
      dimRoundingMode: undefined,
    }); // [cin, kh, kw, cout]
    return ops.keep(ops.run("Transpose", { x: conv }, { perm: [1, 2, 0, 3] }));
  } finally {
    ops.free();
  }
}

/** One axis of the phase split of a backprop-input: which taps and pads each phase uses. */
interface AxisPlan {
  /** Rows per phase (the same for all; the last may overshoot the output). */
  readonly count: number;
  /**
   * Phase `rho` gives output rows y = j s + rho: its taps (indices into the
   * kernel, in convolution order) and dy pads (negative: crop dy).
   */
  readonly phases: readonly { taps: number[]; before: number; after: number }[];
}

/**
 * The phase split along one axis: dx length `x`, dy length `y`, kernel `k`,
 * stride `s`, forward pad `pad`. Output row y = q s + r - pad receives taps
 * i = r + s a from dy row q - a; phase rho = (r - pad) mod s holds rows
 * y = rho, rho + s, ...
 */
export function axisPlan(x: number, y: number, k: number, s: number, pad: number): AxisPlan {
  const count = Math.ceil(x / s);
  const phases = Array.from({ length: s }, (_, rho) => {
    const r = (((rho + pad) % s) + s) % s;
    const qStart = (rho + pad - r) / s; // q of output row y = rho
    const n = r < k ? Math.ceil((k - r) / s) : 0;
    // Convolution order: tap b reads dy row q - (n - 1 - b), so it is kernel index r + s (n - 1 - b).
    const taps = Array.from({ length: n }, (_, b) => r + s * (n - 1 - b));
    const before = n - 1 - qStart;
    return { taps, before, after: count + n - 1 - y - before };
  });
  return { count, phases };
}

/** The wasm backend's data access, for building small filters in JavaScript. */
interface WasmData {
  readSync(dataId: unknown): Float32Array;
  makeOutput(shape: number[], dtype: "float32"): Info;
  typedArrayFromHeap(info: Info): Float32Array;
}

/** W `[kh, kw, cin, cout]` at the given taps as a forward filter `[th, tw, cout, cin]`. */
function phaseFilter(
  backend: WasmData,
  w: Float32Array,
  shape: number[],
  rows: number[],
  cols: number[],
): Info {
  const [, kw, cin, cout] = shape;
  const out = backend.makeOutput([rows.length, cols.length, cout, cin], "float32");
  const data = backend.typedArrayFromHeap(out);
  let o = 0;
  for (const i of rows) {
    for (const j of cols) {
      const base = (i * kw + j) * cin * cout;
      for (let co = 0; co < cout; co++) {
        for (let ci = 0; ci < cin; ci++) data[o++] = w[base + ci * cout + co];
      }
    }
  }
  return out;
}

/**
 * The phases `[sh sw][n, q, q', c]` woven into `[n, h, w, c]`: row
 * y = j sh + rho_y, column x = j' sw + rho_x (rows past h, columns past w
 * dropped). One JavaScript pass: faster here than tfjs-wasm's rank-6
 * Transpose or row-wise Concat and Slice.
 */
function interleave(
  backend: WasmData,
  parts: Info[],
  [n, q, q2, c]: number[],
  [sh, sw]: Pair,
  shape: number[],
): Info {
  const out = backend.makeOutput(shape, "float32");
  const [, h, w] = shape;
  const dst = backend.typedArrayFromHeap(out); // views after the allocation: the heap may grow
  const srcs = parts.map((p) => backend.typedArrayFromHeap(p));
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const j = Math.floor(y / sh), ry = y - j * sh;
      for (let x = 0; x < w; x++) {
        const j2 = Math.floor(x / sw), rx = x - j2 * sw;
        const src = srcs[ry * sw + rx];
        let from = ((b * q + j) * q2 + j2) * c;
        let to = ((b * h + y) * w + x) * c;
        for (let k = 0; k < c; k++) dst[to++] = src[from++];
      }
    }
  }
  return out;
}

/**
 * dx for `conv2d(x, W)` (and the forward pass of `conv2dTranspose`): dy
 * `[n, oh, ow, cout]`, W `[kh, kw, cin, cout]`, dx `[n, h, w, cin]`.
 * Registered by `useBackend("wasm")`.
 *
 * Inside Duel it is used as `tf.registerKernel({ kernelName: "Conv2DBackpropInput", backendName:
 * "wasm", kernelFunc: conv2dBackpropInput });`.
 */
export function conv2dBackpropInput(args: KernelArgs): Info {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const inputShape = args.attrs!.inputShape as number[];
  const info = forwardInfo(inputShape, filter.shape, args.attrs as Record<string, unknown>);
  const [n, h, w, cin] = inputShape;
  const [, oh, ow, cout] = dy.shape;
  const [kh, kw] = filter.shape;
  const s: Pair = [info.strideHeight, info.strideWidth];
  const rows = axisPlan(h, oh, kh, s[0], info.padInfo.top);
  const cols = axisPlan(w, ow, kw, s[1], info.padInfo.left);
  const backend = args.backend as unknown as WasmData;
  const weights = backend.readSync(filter.dataId);
  const ops = new WasmOps(args);
  try {
    const phaseShape = [n, rows.count, cols.count, cin];
    const phase = (py: AxisPlan["phases"][0], px: AxisPlan["phases"][0]): Info => {
      if (py.taps.length === 0 || px.taps.length === 0) {
        return ops.run("Fill", {}, { shape: phaseShape, value: 0, dtype: "float32" });
      }
      const taps = ops.adopt(phaseFilter(backend, weights, filter.shape, py.taps, px.taps));
      const cropTop = Math.max(-py.before, 0), cropLeft = Math.max(-px.before, 0);
      const input = ops.slice(dy, [0, cropTop, cropLeft, 0], [
        n,
        oh - cropTop - Math.max(-py.after, 0),
        ow - cropLeft - Math.max(-px.after, 0),
        cout,
      ]);
      return ops.run("Conv2D", { x: input, filter: taps }, {
        strides: [1, 1],
        pad: explicitPad(
          Math.max(py.before, 0),
          Math.max(py.after, 0),
          Math.max(px.before, 0),
          Math.max(px.after, 0),
        ),
        dilations: [1, 1],
        dataFormat: "NHWC",
        dimRoundingMode: undefined,
      });
    };
    const parts = rows.phases.flatMap((py) => cols.phases.map((px) => phase(py, px)));
    return interleave(backend, parts, phaseShape, s, [n, h, w, cin]);
  } finally {
    ops.free();
  }
}
