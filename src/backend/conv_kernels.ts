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
import { backend_util } from "@tensorflow/tfjs-core";
import { type Info, type KernelArgs, WasmOps } from "./wasm_ops.ts";

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
 * padding with leftover rows) are cropped from x.
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
  /** The first phase row index q0 (output row y = q s + r - pad). */
  readonly q0: number;
  /** Rows per phase. */
  readonly count: number;
  /** Per phase r: tap count, first tap in the flipped filter, pads (negative: crop dy). */
  readonly phases: readonly { taps: number; first: number; before: number; after: number }[];
}

/** The phase split along one axis: dx length `x`, dy length `y`, kernel `k`, stride `s`, pad `pad`. */
export function axisPlan(x: number, y: number, k: number, s: number, pad: number): AxisPlan {
  const rs = Array.from({ length: s }, (_, r) => r);
  const q0 = Math.min(...rs.map((r) => Math.ceil((pad - r) / s)));
  const q1 = Math.max(...rs.map((r) => Math.floor((x - 1 + pad - r) / s)));
  const count = q1 - q0 + 1;
  const phases = rs.map((r) => {
    const taps = r < k ? Math.ceil((k - r) / s) : 0;
    const before = taps - 1 - q0;
    return {
      taps,
      first: k - 1 - r - s * (taps - 1),
      before,
      after: count + taps - 1 - y - before,
    };
  });
  return { q0, count, phases };
}

/**
 * dx for `conv2d(x, W)` (and the forward pass of `conv2dTranspose`): dy
 * `[n, oh, ow, cout]`, W `[kh, kw, cin, cout]`, dx `[n, h, w, cin]`.
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
  const ops = new WasmOps(args);
  try {
    // W as a forward filter from dy's channels to dx's, flipped in space.
    const wT = ops.run("Transpose", { x: filter }, { perm: [0, 1, 3, 2] });
    const flipped = ops.run("Reverse", { x: wT }, { dims: [0, 1] });
    const phase = (ry: number, rx: number): Info => {
      const [py, px] = [rows.phases[ry], cols.phases[rx]];
      if (py.taps === 0 || px.taps === 0) {
        return ops.run("Fill", {}, {
          shape: [n, rows.count, cols.count, cin],
          value: 0,
          dtype: "float32",
        });
      }
      const taps = s[0] === 1 && s[1] === 1 ? flipped : ops.run("StridedSlice", { x: flipped }, {
        begin: [py.first, px.first, 0, 0],
        end: [py.first + s[0] * (py.taps - 1) + 1, px.first + s[1] * (px.taps - 1) + 1, cout, cin],
        strides: [s[0], s[1], 1, 1],
        beginMask: 0,
        endMask: 0,
        ellipsisMask: 0,
        newAxisMask: 0,
        shrinkAxisMask: 0,
      });
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
      }); // [n, rows.count, cols.count, cin]
    };
    // Interleave: columns within each row phase, then the row phases.
    const rowPhases = Array.from({ length: s[0] }, (_, ry) => {
      const parts = Array.from(
        { length: s[1] },
        (_, rx) => ops.reshape(phase(ry, rx), [n, rows.count, cols.count, 1, cin]),
      );
      const joined = parts.length === 1 ? parts[0] : ops.run("Concat", parts, { axis: 3 });
      return ops.reshape(joined, [n, rows.count, 1, cols.count * s[1] * cin]);
    });
    const all = rowPhases.length === 1 ? rowPhases[0] : ops.run("Concat", rowPhases, { axis: 2 });
    const grid = ops.reshape(all, [n, rows.count * s[0], cols.count * s[1], cin]);
    const y0 = info.padInfo.top - rows.q0 * s[0], x0 = info.padInfo.left - cols.q0 * s[1];
    const dx = ops.slice(grid, [0, y0, x0, 0], [n, h, w, cin]);
    return ops.keep(ops.reshape(dx, [n, h, w, cin]));
  } finally {
    ops.free();
  }
}
