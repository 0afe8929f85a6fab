import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { assertClose, type ConvCase, on } from "./_backend_compare.ts";
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { Rng } from "../src/rng.ts";

type Case = ConvCase;

/** Strides 1-3, same/valid/explicit pads, odd sizes, batch 1 and > 1, channels 1 and several. */
const CASES: Case[] = [];
for (const s of [1, 2, 3]) {
  for (const pad of ["same", "valid", 1] as const) {
    CASES.push({ n: 1, h: 5, w: 5, cin: 1, cout: 1, k: [3, 3], s: [s, s], pad });
    CASES.push({ n: 3, h: 7, w: 6, cin: 3, cout: 5, k: [4, 4], s: [s, s], pad });
    CASES.push({ n: 2, h: 9, w: 11, cin: 2, cout: 4, k: [2, 3], s: [s, 1], pad });
  }
}
CASES.push({ n: 2, h: 8, w: 8, cin: 4, cout: 3, k: [1, 1], s: [2, 2], pad: "valid" }); // k < s
CASES.push({ n: 2, h: 14, w: 14, cin: 8, cout: 16, k: [4, 4], s: [2, 2], pad: 1 }); // DCGAN-like
CASES.push({ n: 1, h: 6, w: 6, cin: 2, cout: 2, k: [5, 5], s: [1, 1], pad: 2 });
CASES.push({ n: 2, h: 10, w: 7, cin: 3, cout: 2, k: [3, 3], s: [3, 2], pad: "valid" }); // leftover rows

const name = (c: Case) =>
  `n${c.n} ${c.h}x${c.w}x${c.cin}->${c.cout} k${c.k.join("x")} s${c.s.join("x")} pad ${c.pad}`;

function outShape(c: Case): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    [c.n, c.h, c.w, c.cin],
    [...c.k, c.cin, c.cout] as [number, number, number, number],
    c.s,
    1,
    c.pad,
  );
  return info.outShape;
}

const random = (rng: Rng, shape: number[]) =>
  rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));

/** The XNNPACK-based replacements (the Rust ones, tested in rust_conv_kernels_test.ts, are off). */
function useXnnpackConvs(): void {
  setKernelFix("conv2d_rust", false);
  setKernelFix("conv2d_backprop_filter", true);
  setKernelFix("conv2d_backprop_input", true);
}

function backpropFilter(c: Case, x: Float32Array, dy: Float32Array): tf.Tensor {
  return tf.engine().runKernel("Conv2DBackpropFilter", {
    x: tf.tensor(x, [c.n, c.h, c.w, c.cin]),
    dy: tf.tensor(dy, outShape(c)),
  }, {
    strides: c.s,
    pad: c.pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    filterShape: [...c.k, c.cin, c.cout],
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function backpropInput(c: Case, dy: Float32Array, w: Float32Array): tf.Tensor {
  return tf.engine().runKernel("Conv2DBackpropInput", {
    dy: tf.tensor(dy, outShape(c)),
    filter: tf.tensor(w, [...c.k, c.cin, c.cout]),
  }, {
    strides: c.s,
    pad: c.pad,
    dataFormat: "NHWC",
    dimRoundingMode: undefined,
    inputShape: [c.n, c.h, c.w, c.cin],
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
}

Deno.test("conv2d_backprop_filter: wasm matches the cpu backend over a table of shapes", async () => {
  const rng = Rng.derive(0, "conv-filter");
  for (const c of CASES) {
    const x = random(rng, [c.n, c.h, c.w, c.cin]), dy = random(rng, outShape(c));
    const want = await on("cpu", () => backpropFilter(c, x, dy), useXnnpackConvs);
    assertClose(await on("wasm", () => backpropFilter(c, x, dy), useXnnpackConvs), want, name(c));
  }
});

Deno.test("conv2d_backprop_input: wasm matches the cpu backend over a table of shapes", async () => {
  const rng = Rng.derive(0, "conv-input");
  for (const c of CASES) {
    const dy = random(rng, outShape(c)), w = random(rng, [...c.k, c.cin, c.cout]);
    const want = await on("cpu", () => backpropInput(c, dy, w), useXnnpackConvs);
    assertClose(await on("wasm", () => backpropInput(c, dy, w), useXnnpackConvs), want, name(c));
  }
});

Deno.test("conv2d and conv2d_transpose gradients agree between wasm and cpu, PyTorch-style pads", async () => {
  const rng = Rng.derive(1, "conv-grads");
  // [h, k, s, p]: ConvTranspose2d(k, s, p) maps h to (h - 1) s - 2p + k.
  for (const [h, k, s, p] of [[7, 4, 2, 1], [3, 3, 1, 1], [4, 3, 3, 0], [5, 5, 2, 2]]) {
    const out = (h - 1) * s - 2 * p + k;
    const [n, cin, cout] = [2, 3, 4];
    const x = random(rng, [n, h, h, cin]), w = random(rng, [k, k, cout, cin]);
    const grads = () => {
      const f = (xt: tf.Tensor, wt: tf.Tensor) => {
        const y = tf.conv2dTranspose(
          xt as tf.Tensor4D,
          wt as tf.Tensor4D,
          [n, out, out, cout],
          s,
          p as unknown as "valid",
        );
        const back = tf.conv2d(
          tf.tanh(y) as tf.Tensor4D,
          wt as tf.Tensor4D,
          s,
          p as unknown as "valid",
        );
        return tf.sum(tf.mul(back, back)) as tf.Scalar;
      };
      const [gx, gw] = tf.grads(f)([tf.tensor(x, [n, h, h, cin]), tf.tensor(w, [k, k, cout, cin])]);
      return tf.concat([tf.reshape(gx, [-1]), tf.reshape(gw, [-1])]);
    };
    const want = await on("cpu", grads, useXnnpackConvs);
    assertClose(await on("wasm", grads, useXnnpackConvs), want, `h${h} k${k} s${s} p${p}`);
  }
});

Deno.test("the conv kernel replacements leak no tensor memory", async () => {
  await useBackend("wasm");
  useXnnpackConvs();
  const c = CASES.find((c) => c.s[0] === 2 && c.pad === 1 && c.n === 3)!;
  const rng = Rng.derive(2, "leaks");
  const x = random(rng, [c.n, c.h, c.w, c.cin]), dy = random(rng, outShape(c));
  const w = random(rng, [...c.k, c.cin, c.cout]);
  const once = () => {
    tf.tidy(() => backpropFilter(c, x, dy).dataSync());
    tf.tidy(() => backpropInput(c, dy, w).dataSync());
  };
  once(); // warm up
  const ids = () => tf.engine().backend.numDataIds();
  const [before, tensors] = [ids(), tf.memory().numTensors];
  for (let i = 0; i < 5; i++) once();
  assert.equal(ids(), before, "every intermediate must be freed");
  assert.equal(tf.memory().numTensors, tensors);
});
