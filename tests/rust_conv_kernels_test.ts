import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { assertClose, type ConvCase, on } from "./_backend_compare.ts";
import { GEMM_ROUNDINGS, gemmExport, type GemmRounding } from "../src/backend/rust/gemm.ts";
import { hostFusesMultiplyAdd } from "../src/backend/rust/probes.ts";
import { rustKernels } from "../src/backend/rust/loader.ts";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import {
  type ConvGeometry,
  convGeometry,
  FILTER_COLS_EXPORT,
  runRustConv,
  RUST_CONV_KERNELS,
  type RustConvKind,
} from "../src/backend/rust/conv.ts";
import { fixAvailable, type KernelFixName, setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { Rng } from "../src/rng.ts";

type Case = ConvCase;

/** Channel counts around the SIMD width (4) and the micro-tile (4 x 8). */
const CHANNELS = [1, 3, 4, 5, 8, 15, 16, 17];

/** Strides 1-3, same/valid/explicit pads, odd sizes, batch 1 and 3, channels around the SIMD width. */
const CASES: Case[] = [];
{
  let c = 0;
  for (const s of [1, 2, 3]) {
    for (const pad of ["same", "valid", 1] as const) {
      const [cin, cout] = [CHANNELS[c % 8], CHANNELS[(c + 3) % 8]];
      c++;
      CASES.push({ n: 1, h: 5, w: 5, cin, cout, k: [3, 3], s: [s, s], pad });
      CASES.push({ n: 3, h: 7, w: 6, cin: cout, cout: cin, k: [4, 4], s: [s, s], pad });
      CASES.push({ n: 2, h: 9, w: 11, cin: 2, cout: 4, k: [2, 3], s: [s, 1], pad });
    }
  }
}
CASES.push({ n: 2, h: 8, w: 8, cin: 4, cout: 3, k: [1, 1], s: [2, 2], pad: "valid" }); // k < s
CASES.push({ n: 2, h: 14, w: 14, cin: 8, cout: 16, k: [4, 4], s: [2, 2], pad: 1 }); // DCGAN-like
CASES.push({ n: 2, h: 14, w: 14, cin: 1, cout: 16, k: [4, 4], s: [2, 2], pad: 1 }); // DCGAN image layer
CASES.push({ n: 2, h: 13, w: 15, cin: 3, cout: 5, k: [5, 3], s: [3, 2], pad: "same" }); // few dx channels
CASES.push({ n: 2, h: 9, w: 10, cin: 1, cout: 9, k: [5, 5], s: [1, 1], pad: "same" }); // 1 channel, k 5
// dy's transposed image (1 dx channel) too large for the workspace: the GEMM path.
CASES.push({ n: 1, h: 20, w: 20, cin: 1, cout: 256, k: [3, 3], s: [1, 1], pad: "same" });
CASES.push({ n: 2, h: 14, w: 14, cin: 17, cout: 9, k: [4, 4], s: [2, 2], pad: 1 }); // K > one k-block
CASES.push({ n: 1, h: 6, w: 6, cin: 2, cout: 2, k: [5, 5], s: [1, 1], pad: 2 });
CASES.push({ n: 2, h: 10, w: 7, cin: 3, cout: 2, k: [3, 3], s: [3, 2], pad: "valid" }); // leftovers
CASES.push({ n: 1, h: 3, w: 3, cin: 2, cout: 520, k: [1, 1], s: [1, 1], pad: "valid" }); // > NC
CASES.push({ n: 3, h: 9, w: 9, cin: 16, cout: 5, k: [3, 3], s: [1, 1], pad: "same" }); // M > MC
CASES.push({ n: 1, h: 9, w: 8, cin: 3, cout: 4, k: [3, 2], s: [1, 2], pad: 2, d: [2, 3] }); // dilated
CASES.push({ n: 2, h: 5, w: 5, cin: 0, cout: 3, k: [3, 3], s: [1, 1], pad: "same" }); // K = 0
CASES.push({ n: 0, h: 5, w: 5, cin: 2, cout: 3, k: [3, 3], s: [2, 2], pad: 1 }); // no rows
CASES.push({ n: 2, h: 4, w: 4, cin: 2, cout: 0, k: [2, 2], s: [2, 2], pad: "valid" }); // N = 0

const name = (c: Case) =>
  `n${c.n} ${c.h}x${c.w}x${c.cin}->${c.cout} k${c.k.join("x")} s${c.s.join("x")} pad ${c.pad}` +
  (c.d ? ` d${c.d.join("x")}` : "");

const info = (c: Case) =>
  tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.cin],
    [...c.k, c.cin, c.cout] as [number, number, number, number],
    c.s,
    c.d ?? 1,
    c.pad,
  );

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const random = (rng: Rng, shape: number[]) => rng.fillNormal(new Float32Array(size(shape)));

/** Operand shapes of each kernel: a, b, out. */
function shapes(kind: RustConvKind, g: ConvGeometry): [number[], number[], number[]] {
  const x = [g.n, g.h, g.w, g.cin], y = [g.n, g.oh, g.ow, g.cout];
  const w = [g.kh, g.kw, g.cin, g.cout];
  return {
    conv2d: [x, w, y],
    backprop_filter: [x, y, w],
    backprop_input: [y, w, x],
  }[kind] as [number[], number[], number[]];
}

const SENTINEL = 0x7fc0dead; // a NaN pattern
const memory = new WebAssembly.Memory({ initial: 64, maximum: 2048 });
const kernels = rustKernels(memory);

/** Both roundings; the fused twins equal the fused reference where the host fuses, else the plain. */
const ROUNDINGS = Object.keys(GEMM_ROUNDINGS) as GemmRounding[];
const referenceOf = (r: GemmRounding): GemmRounding =>
  r === "fused" && hostFusesMultiplyAdd() ? "fused" : "plain";

/**
 * Runs one kernel with `rounding` on a fresh bump-allocated region: SIMD on `ranges`, then the
 * scalar reference.
 */
function runDirect(
  kind: RustConvKind,
  g: ConvGeometry,
  ranges: [number, number][],
  rng: Rng,
  rounding: GemmRounding,
  cols = false, // ranges of dW's columns (the filter gradient's column export)
) {
  const [aShape, bShape, outShape] = shapes(kind, g);
  const workLen = kernels.conv_f32_work_len();
  const counts = [size(aShape), size(bShape), size(outShape), size(outShape), workLen];
  let top = 268; // 4-byte aligned, not 16: the kernels must not assume more
  const at = counts.map((n) => {
    const p = top;
    top += n * 4 + 64; // a guard band between regions
    return p;
  });
  if (top > memory.buffer.byteLength) {
    memory.grow(Math.ceil((top - memory.buffer.byteLength) / 65536));
  }
  new Uint32Array(memory.buffer, 0, top / 4).fill(SENTINEL);
  const [a, b, out, ref, work] = at;
  const f32 = (p: number, n: number) => new Float32Array(memory.buffer, p, n);
  rng.fillNormal(f32(a, counts[0]));
  rng.fillNormal(f32(b, counts[1]));
  for (const [m0, m1] of ranges) {
    if (!cols) runRustConv(kernels, kind, g, a, b, out, m0, m1, work, false, rounding);
    else {
      const { n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, top, left } = g;
      const fn = (kernels as unknown as Record<string, (...args: number[]) => void>)[
        gemmExport(FILTER_COLS_EXPORT, rounding)
      ];
      fn(a, b, out, n, h, w, cin, oh, ow, cout, kh, kw, sh, sw, dh, dw, top, left, work, m0, m1);
    }
  }
  const rows = RUST_CONV_KERNELS[kind].rows(g);
  runRustConv(kernels, kind, g, a, b, ref, 0, rows, work, true, referenceOf(rounding));
  // Nothing written outside the outputs and the workspace.
  const words = new Uint32Array(memory.buffer, 0, top / 4);
  const writable = [[out, counts[2]], [ref, counts[3]], [work, workLen]];
  const readable = [[a, counts[0]], [b, counts[1]]];
  for (let i = 0; i < words.length; i++) {
    const byte = i * 4;
    const inside = [...writable, ...readable].some(([p, n]) => byte >= p && byte < p + n * 4);
    if (!inside && words[i] !== SENTINEL) {
      throw new Error(`${kind}: wrote outside its output at byte ${byte}`);
    }
  }
  return { got: f32(out, counts[2]).slice(), want: f32(ref, counts[3]).slice() };
}

function assertSameBits(got: Float32Array, want: Float32Array, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) {
      assert.fail(`${what} [${i}]: simd ${got[i]} vs scalar ${want[i]}`);
    }
  }
}

const KINDS = Object.keys(RUST_CONV_KERNELS) as RustConvKind[];

Deno.test("rust conv kernels and their fused twins equal their scalar references bit for bit over a table of shapes", () => {
  const rng = Rng.derive(0, "rust_conv/direct");
  for (const c of CASES) {
    const g = convGeometry(info(c));
    for (const [kind, rounding] of KINDS.flatMap((k) => ROUNDINGS.map((r) => [k, r] as const))) {
      if (kind === "backprop_input" && c.d) continue; // the gradients have dilation 1
      const rows = RUST_CONV_KERNELS[kind].rows(g);
      const { got, want } = runDirect(kind, g, [[0, rows]], rng, rounding);
      assertSameBits(got, want, `${kind} ${rounding} ${name(c)}`);
    }
  }
});

Deno.test("rust conv kernels, plain and fused: any split of the rows gives the same bits", () => {
  const rng = Rng.derive(0, "rust_conv/split");
  for (const c of CASES.filter((c) => c.n > 0 && c.cout > 0 && c.cin > 0 && !c.d)) {
    const g = convGeometry(info(c));
    for (const [kind, rounding] of KINDS.flatMap((k) => ROUNDINGS.map((r) => [k, r] as const))) {
      const rows = RUST_CONV_KERNELS[kind].rows(g);
      // Uneven pieces, in reverse order, one of them empty.
      const cuts = [0, 1, Math.floor(rows / 3), Math.floor(rows / 3), Math.floor(rows * 0.7), rows]
        .map((v) => Math.min(v, rows));
      const ranges = cuts.slice(1).map((e, i) => [cuts[i], e] as [number, number]).reverse();
      const { got, want } = runDirect(kind, g, ranges, rng, rounding);
      assertSameBits(got, want, `${kind} ${rounding} split ${name(c)}`);
    }
  }
});

Deno.test("the filter gradient on column ranges, plain and fused, gives the bits of the reference", () => {
  const rng = Rng.derive(0, "rust_conv/cols");
  const cases = CASES.filter((c) => c.n > 0 && c.cout > 0 && c.cin > 0);
  for (const [c, rounding] of cases.flatMap((c) => ROUNDINGS.map((r) => [c, r] as const))) {
    const g = convGeometry(info(c));
    // Uneven pieces (one not a multiple of 8, one empty), in reverse order.
    const cuts = [0, 3, 3, 8, Math.floor(c.cout * 0.6), c.cout].map((v) => Math.min(v, c.cout))
      .toSorted((a, b) => a - b);
    const ranges = cuts.slice(1).map((e, i) => [cuts[i], e] as [number, number]).reverse();
    const { got, want } = runDirect("backprop_filter", g, ranges, rng, rounding, true);
    assertSameBits(got, want, `filter cols ${rounding} ${name(c)}`);
  }
});

// Through tfjs: the registered kernels against the cpu backend.

const RUST_FIXES: KernelFixName[] = [
  "conv2d_rust",
  "conv2d_backprop_input_rust",
  "conv2d_backprop_filter_rust",
];

/** Their fused twins, where the host fuses. */
const FUSED_FIXES: KernelFixName[] = RUST_FIXES.map((f) => `${f}_fma` as KernelFixName)
  .filter(fixAvailable);

/** The Rust conv kernels under test (the XNNPACK-based alternatives are then off). */
function useRustConvs(): void {
  for (const fix of RUST_FIXES) setKernelFix(fix, true);
}

/** Each set of conv replacements under test: the plain ones and, where the host fuses, the fused. */
const CONV_SETS = [RUST_FIXES, FUSED_FIXES].filter((set) => set.length > 0).map((set) => ({
  what: set[0],
  use: () => set.forEach((fix) => setKernelFix(fix, true)),
}));

const attrs = (c: Case, extra: Record<string, unknown>) =>
  ({
    strides: c.s,
    pad: c.pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    ...extra,
  }) as unknown as tf.NamedAttrMap;

Deno.test("conv2d_rust, conv2d_backprop_input_rust, conv2d_backprop_filter_rust and their _fma twins match the cpu backend", async () => {
  for (const set of CONV_SETS) await convsMatchCpu(set.what, set.use);
});

async function convsMatchCpu(what: string, useRustConvs: () => void) {
  const rng = Rng.derive(0, "rust_conv/tfjs");
  for (const c of CASES) { // 0-size edges included: tfjs allows them
    const conv = info(c);
    const xShape = [c.n, c.h, c.w, c.cin], wShape = [...c.k, c.cin, c.cout];
    const [x, w, dy] = [random(rng, xShape), random(rng, wShape), random(rng, conv.outShape)];
    const forward = () =>
      tf.engine().runKernel(
        "Conv2D",
        { x: tf.tensor(x, xShape), filter: tf.tensor(w, wShape) },
        attrs(c, { dilations: c.d ?? [1, 1] }),
      ) as tf.Tensor;
    assertClose(
      await on("wasm", forward, useRustConvs),
      await on("cpu", forward, useRustConvs),
      `conv2d ${what} ${name(c)}`,
    );
    if (c.d) continue;
    const filter = () =>
      tf.engine().runKernel(
        "Conv2DBackpropFilter",
        { x: tf.tensor(x, xShape), dy: tf.tensor(dy, conv.outShape) },
        attrs(c, { filterShape: wShape }),
      ) as tf.Tensor;
    assertClose(
      await on("wasm", filter, useRustConvs),
      await on("cpu", filter, useRustConvs),
      `filter ${what} ${name(c)}`,
    );
    const input = () =>
      tf.engine().runKernel(
        "Conv2DBackpropInput",
        { dy: tf.tensor(dy, conv.outShape), filter: tf.tensor(w, wShape) },
        attrs(c, { inputShape: xShape }),
      ) as tf.Tensor;
    assertClose(
      await on("wasm", input, useRustConvs),
      await on("cpu", input, useRustConvs),
      `input ${what} ${name(c)}`,
    );
  }
}

Deno.test("rust conv kernels, plain and fused: conv2d and conv2d_transpose gradients agree with cpu, PyTorch-style pads", async () => {
  for (const set of CONV_SETS) await gradsMatchCpu(set.what, set.use);
});

async function gradsMatchCpu(what: string, useRustConvs: () => void) {
  const rng = Rng.derive(1, "rust_conv/grads");
  // [h, k, s, p]: ConvTranspose2d(k, s, p) maps h to (h - 1) s - 2p + k.
  for (const [h, k, s, p] of [[7, 4, 2, 1], [3, 3, 1, 1], [4, 3, 3, 0], [5, 5, 2, 2]]) {
    const out = (h - 1) * s - 2 * p + k;
    const [n, cin, cout] = [2, 3, 5];
    const x = random(rng, [n, h, h, cin]), w = random(rng, [k, k, cout, cin]);
    const grads = () => {
      const f = (xt: tf.Tensor, wt: tf.Tensor) => {
        const pad = p as unknown as "valid";
        const y = tf.conv2dTranspose(
          xt as tf.Tensor4D,
          wt as tf.Tensor4D,
          [n, out, out, cout],
          s,
          pad,
        );
        const back = tf.conv2d(tf.tanh(y) as tf.Tensor4D, wt as tf.Tensor4D, s, pad);
        return tf.sum(tf.mul(back, back)) as tf.Scalar;
      };
      const [gx, gw] = tf.grads(f)([tf.tensor(x, [n, h, h, cin]), tf.tensor(w, [k, k, cout, cin])]);
      return tf.concat([tf.reshape(gx, [-1]), tf.reshape(gw, [-1])]);
    };
    assertClose(
      await on("wasm", grads, useRustConvs),
      await on("cpu", grads, useRustConvs),
      `${what} h${h} k${k} s${s} p${p}`,
    );
  }
}

Deno.test("rust conv kernels: NCHW falls back; no tensor leaks, no memory allocated per call", async () => {
  await useBackend("wasm");
  useRustConvs();
  const c = CASES.find((c) => c.s[0] === 2 && c.pad === 1 && c.n === 3)!;
  const rng = Rng.derive(2, "rust_conv/leaks");
  const xShape = [c.n, c.h, c.w, c.cin], wShape = [...c.k, c.cin, c.cout];
  const outShape = info(c).outShape;
  const x = tf.tensor(random(rng, xShape), xShape), w = tf.tensor(random(rng, wShape), wShape);
  const dy = tf.tensor(random(rng, outShape), outShape);
  const once = () =>
    tf.tidy(() => {
      tf.engine().runKernel("Conv2D", { x, filter: w }, attrs(c, { dilations: [1, 1] }));
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs(c, { filterShape: wShape }));
      tf.engine().runKernel(
        "Conv2DBackpropInput",
        { dy, filter: w },
        attrs(c, { inputShape: xShape }),
      );
    });
  once(); // warm up (binds the workspace once)
  const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
  const [ids, heap, tensors] = [
    backend.numDataIds(),
    backend.wasm.HEAPU8.length,
    tf.memory().numTensors,
  ];
  for (let i = 0; i < 5; i++) once();
  assert.equal(backend.numDataIds(), ids, "every intermediate must be freed");
  assert.equal(backend.wasm.HEAPU8.length, heap);
  assert.equal(tf.memory().numTensors, tensors);
  // NCHW is not covered: the built-in (or the previous replacement) answers as before.
  assert.throws(
    () =>
      tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, {
        ...attrs(c, { filterShape: wShape }),
        dataFormat: "NCHW",
      }),
    /NHWC/,
  );
  tf.dispose([x, w, dy]);
});

Deno.test({
  name: "rust conv kernels split over the kernel threads give the bits of the stock build",
  // The threaded backend keeps its pthread workers for the life of the process.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // Large enough (3.4M multiply-adds forward) for the kernel threads to split it.
    const c: Case = { n: 8, h: 14, w: 14, cin: 17, cout: 32, k: [4, 4], s: [2, 2], pad: 1 };
    const rng = Rng.derive(3, "rust_conv/threads");
    const xShape = [c.n, c.h, c.w, c.cin], wShape = [...c.k, c.cin, c.cout];
    const outShape = info(c).outShape;
    const [x, w, dy] = [random(rng, xShape), random(rng, wShape), random(rng, outShape)];
    const all = () =>
      tf.concat([
        tf.engine().runKernel("Conv2D", {
          x: tf.tensor(x, xShape),
          filter: tf.tensor(w, wShape),
        }, attrs(c, { dilations: [1, 1] })) as tf.Tensor,
        tf.engine().runKernel("Conv2DBackpropFilter", {
          x: tf.tensor(x, xShape),
          dy: tf.tensor(dy, outShape),
        }, attrs(c, { filterShape: wShape })) as tf.Tensor,
        tf.engine().runKernel("Conv2DBackpropInput", {
          dy: tf.tensor(dy, outShape),
          filter: tf.tensor(w, wShape),
        }, attrs(c, { inputShape: xShape })) as tf.Tensor,
      ].map((t) => tf.reshape(t, [-1])));
    const one = await on("wasm", all, useRustConvs);
    await useBackend("wasm", 2);
    assert.equal(tf.getBackend(), "wasm-threaded");
    const out = tf.tidy(all);
    const two = out.dataSync() as Float32Array;
    out.dispose();
    assert.deepEqual(two, one);
    const parts = rustKernelThreads(tf.backend())!.partsRun();
    assert.ok(parts.reduce((a, b) => a + b) >= 6, `split parts run: ${parts}`);
    await useBackend("wasm");
  },
});

Deno.test({
  name:
    "rust conv kernels on 1 input channel (split by dW's columns) give the bits of the stock build",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    // 3.2M multiply-adds: split; 16 dW rows, 64 columns: split by columns.
    const c: Case = { n: 64, h: 14, w: 14, cin: 1, cout: 64, k: [4, 4], s: [2, 2], pad: 1 };
    const rng = Rng.derive(4, "rust_conv/threads1");
    const xShape = [c.n, c.h, c.w, c.cin], wShape = [...c.k, c.cin, c.cout];
    const outShape = info(c).outShape;
    const [x, dy] = [random(rng, xShape), random(rng, outShape)];
    const filter = () =>
      tf.engine().runKernel("Conv2DBackpropFilter", {
        x: tf.tensor(x, xShape),
        dy: tf.tensor(dy, outShape),
      }, attrs(c, { filterShape: wShape })) as tf.Tensor;
    const one = await on("wasm", filter, useRustConvs);
    await useBackend("wasm", 2);
    const before = rustKernelThreads(tf.backend())!.partsRun().reduce((a, b) => a + b);
    const out = tf.tidy(filter);
    const two = out.dataSync() as Float32Array;
    out.dispose();
    assert.deepEqual(two, one);
    const after = rustKernelThreads(tf.backend())!.partsRun().reduce((a, b) => a + b);
    assert.ok(after - before >= 2, `split parts run: ${after - before}`);
    await useBackend("wasm");
  },
});
