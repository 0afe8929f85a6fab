import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import { LEAKY_RELU_GRAD_KERNEL } from "../src/backend/rust/activations.ts";
import type {
  RustKernels as ActivationKernels,
  RustKernels as ReduceKernels,
} from "../src/backend/rust/abi.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { onAndOff } from "./_kernel_fixes.ts";
import { normals, onMemory as onMem } from "./_wasm_memory.ts";

await useBackend("wasm");

const SIZES = [0, 1, 3, 4, 5, 15, 16, 17, 64, 1000];
type Kernels = ActivationKernels & ReduceKernels;
const onMemory = (inputs: Float32Array[], call: (k: Kernels, ptrs: number[]) => void) =>
  onMem<Kernels>(inputs, call);

Deno.test("leaky_relu_grad_f32 equals its scalar reference bit for bit", () => {
  for (const n of SIZES) {
    const x = normals(n, `x${n}`), dy = normals(n, `dy${n}`);
    if (n > 2) [x[0], x[1], x[2]] = [0, -0, NaN];
    const run = (ref: boolean) =>
      onMemory([x, dy], (k, [px, pdy, out]) => {
        (ref ? k.leaky_relu_grad_f32_ref : k.leaky_relu_grad_f32)(px, pdy, out, n, 0.2);
      });
    const simd = run(false), ref = run(true);
    assert.ok(simd.every((w, i) => w === ref.at(i)), `size ${n}`);
  }
});

Deno.test("leaky_relu_f32 equals its scalar reference bit for bit", () => {
  for (const n of SIZES) {
    const x = normals(n, `f${n}`);
    if (n > 3) [x[0], x[1], x[2], x[3]] = [0, -0, NaN, -Infinity];
    const run = (ref: boolean) =>
      onMemory([x], (k, [px, out]) => {
        (ref ? k.leaky_relu_f32_ref : k.leaky_relu_f32)(px, out, n, 0.2);
      });
    const simd = run(false), ref = run(true);
    assert.ok(simd.every((w, i) => w === ref.at(i)), `size ${n}`);
  }
});

Deno.test("sum_rows_f32 equals its scalar reference bit for bit", () => {
  for (const rows of [1, 3, 17, 256]) {
    for (const cols of SIZES.filter((c) => c < 200)) {
      const x = normals(rows * cols, `s${rows}x${cols}`);
      const run = (ref: boolean) =>
        onMemory([x], (k, [px, out]) => {
          (ref ? k.sum_rows_f32_ref : k.sum_rows_f32)(px, out, rows, cols);
        });
      const simd = run(false), ref = run(true);
      assert.ok(simd.every((w, i) => w === ref.at(i)), `${rows} x ${cols}`);
    }
  }
});

Deno.test("leaky ReLU's gradient: the Rust kernel gives tfjs's bits, second order too", () => {
  for (const n of SIZES) {
    const x0 = normals(n, `gx${n}`), w0 = normals(n, `gw${n}`);
    if (n > 2) [x0[0], x0[1]] = [0, -0];
    const x = tf.tensor1d(x0), w = tf.tensor1d(w0);
    const inner = (w: tf.Tensor) =>
      tf.grad((x: tf.Tensor) => tf.sum(tf.leakyRelu(tf.mul(x, w), 0.2)))(x);
    const { on, off } = onAndOff("leaky_relu_grad_rust", () => {
      const first = inner(w);
      // A gradient penalty's shape: differentiate the gradient's norm again.
      const second = tf.grad((w: tf.Tensor) => tf.sum(tf.square(inner(w))))(w);
      return [Array.from(first.dataSync()), Array.from(second.dataSync())];
    });
    assert.deepEqual(on, off, `size ${n}`);
  }
  const ones = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.leakyRelu(x)))(tf.ones([4])));
  assert.deepEqual([...ones.dataSync()], [1, 1, 1, 1]);
  assert.ok(tf.getKernel(LEAKY_RELU_GRAD_KERNEL, "wasm"), "the kernel is registered");
});

Deno.test("Sum over leading axes: the Rust kernel gives tfjs's bits", () => {
  const cases: [number[], number | number[], boolean][] = [
    [[256, 128], 0, false],
    [[17, 5], [0], true],
    [[3, 4, 5], [0, 1], false],
    [[3, 4, 5], [1, 0], true],
    [[6, 7], [-2], false],
    [[4, 1], 0, false], // one column: the built-in
    [[4, 6], 1, false], // innermost: the built-in
  ];
  for (const [shape, axis, keepDims] of cases) {
    const x = tf.tensor(normals(tf.util.sizeFromShape(shape), `sum${shape}`), shape);
    const { on, off } = onAndOff("sum_rust", () => {
      const s = tf.sum(x, axis, keepDims);
      return { shape: s.shape, data: Array.from(s.dataSync()) };
    });
    assert.deepEqual(on, off, `${shape} axis ${axis}`);
  }
  // Sums of nothing are 0 (tfjs-wasm's own Sum leaves them uninitialised).
  const empty = tf.sum(tf.zeros([0, 3]), 0);
  assert.deepEqual([...empty.dataSync()], [0, 0, 0]);
});

Deno.test("LeakyRelu: the Rust kernel gives tfjs-wasm's bits", () => {
  for (const n of SIZES) {
    const v = normals(n, `lr${n}`);
    if (n > 4) [v[0], v[1], v[2], v[3], v[4]] = [0, -0, NaN, -Infinity, 1e-45];
    const x = tf.tensor1d(v);
    const { on, off } = onAndOff("leaky_relu_rust", () => {
      const y = tf.leakyRelu(x, 0.3);
      return Array.from(y.dataSync(), (f) => Object.is(f, -0) ? "-0" : f);
    });
    assert.deepEqual(on, off, `size ${n}`);
  }
});

Deno.test("relu_f32 equals its scalar reference bit for bit", () => {
  for (const n of SIZES) {
    const x = normals(n, `r${n}`);
    if (n > 4) [x[0], x[1], x[2], x[4]] = [0, -0, NaN, -1e-45];
    if (n > 4) new Uint32Array(x.buffer)[3] = 0xffc00000; // a NaN with the sign bit set
    const run = (ref: boolean) =>
      onMemory([x], (k, [px, out]) => (ref ? k.relu_f32_ref : k.relu_f32)(px, out, n));
    const simd = run(false), ref = run(true);
    assert.ok(simd.every((w, i) => w === ref.at(i)), `size ${n}`);
  }
});

Deno.test("Relu: the Rust kernel gives tfjs-wasm's bits, on every shape", () => {
  const words = (t: tf.Tensor) => Array.from(new Uint32Array(t.dataSync().buffer));
  for (const shape of [[0], [5], [17], [64, 6272], [8, 14, 14, 64]]) {
    const v = normals(tf.util.sizeFromShape(shape), `relu${shape}`);
    if (v.length > 5) [v[0], v[1], v[2], v[4], v[5]] = [0, -0, NaN, -Infinity, 1e-45];
    if (v.length > 5) new Uint32Array(v.buffer)[3] = 0xffc00000; // a NaN with the sign bit set
    const x = tf.tensor(v, shape);
    const { on, off } = onAndOff("relu_rust", () => words(tf.relu(x)));
    assert.deepEqual(on, off, `${shape}`);
    x.dispose();
  }
});

Deno.test("Identity shares the buffer; a clone keeps its values after the original is gone", () => {
  setKernelFix("identity_shared", true);
  const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const y = tf.clone(x);
  assert.equal(y.dataId, x.dataId);
  x.dispose();
  assert.deepEqual([...y.dataSync()], [1, 2, 3, 4]);
  const v = tf.variable(tf.zeros([2]));
  const kept = tf.clone(v);
  v.assign(tf.ones([2]));
  assert.deepEqual([...kept.dataSync()], [0, 0]);
  tf.dispose([y, v, kept]);
});
