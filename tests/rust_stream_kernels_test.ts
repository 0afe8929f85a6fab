import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { RELU_GRAD_KERNEL } from "../src/backend/rust/activations.ts";
import { batchNorm, batchNormGrad } from "../src/backend/rust/batch_norm.ts";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import { streamSplit } from "../src/backend/rust/parts.ts";
import { planItems, STREAM_SPLIT } from "../src/backend/rust/split.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { onAndOff } from "./_kernel_fixes.ts";
import { normals, onMemory } from "./_wasm_memory.ts";

// The streaming kernels (activations, their gradients, a bias per channel, batch norm's
// halves): each against its scalar reference and tfjs's own bits, and split over the kernel
// threads in the bits of the whole call.

await useBackend("wasm");

const SIZES = [0, 1, 3, 4, 5, 15, 16, 17, 64, 1000];
/** Specials for x and dy: zeros of both signs, NaN, infinities, a subnormal. */
const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-45, -2];
const words = (t: tf.Tensor) => Array.from(new Uint32Array(t.dataSync().buffer));

/** `n` normals with the specials first (where they fit), rotated by `shift`. */
function values(n: number, stream: string, shift = 0): Float32Array {
  const v = normals(n, stream);
  for (let i = 0; i < Math.min(n, SPECIAL.length); i++) {
    v[i] = SPECIAL[(i + shift) % SPECIAL.length];
  }
  return v;
}

Deno.test("relu_grad_f32 and bias_add_f32 equal their scalar references bit for bit", () => {
  for (const n of SIZES) {
    const x = values(n, `x${n}`), dy = values(n, `dy${n}`, 3);
    const run = (ref: boolean) =>
      onMemory<RustKernels>([x, dy], (k, [px, pdy, out]) => {
        (ref ? k.relu_grad_f32_ref : k.relu_grad_f32)(px, pdy, out, n);
      });
    assert.deepEqual(run(false), run(true), `relu_grad_f32, size ${n}`);
  }
  for (const rows of [1, 3, 17]) {
    for (const cols of [1, 3, 4, 5, 8, 17, 64]) {
      const x = values(rows * cols, `b${rows}x${cols}`), b = normals(cols, `bias${cols}`);
      const run = (ref: boolean) =>
        onMemory<RustKernels>([x, b], (k, [px, pb, out]) => {
          (ref ? k.bias_add_f32_ref : k.bias_add_f32)(px, pb, out, rows, cols);
        });
      assert.deepEqual(run(false), run(true), `bias_add_f32, ${rows} x ${cols}`);
    }
  }
});

Deno.test("every part export, its parts together, equals its whole call bit for bit", () => {
  const n = 1003, rows = 37, cols = 12;
  const [x, dy] = [values(n, "px"), values(n, "pdy", 2)];
  const bounds = [0, 4, 500, 999, n];
  const parts = (part: (lo: number, hi: number) => void, b = bounds) => {
    for (let p = 0; p + 1 < b.length; p++) part(b[p], b[p + 1]);
  };
  const same = (name: string, whole: number[] | Uint32Array, split: number[] | Uint32Array) =>
    assert.deepEqual(split, whole, name);
  type K = RustKernels;
  same(
    "relu",
    onMemory<K>([x], (k, [a, o]) => k.relu_f32(a, o, n)),
    onMemory<K>([x], (k, [a, o]) => parts((lo, hi) => k.relu_f32_part(a, o, 0, lo, hi))),
  );
  same(
    "tanh",
    onMemory<K>([x], (k, [a, o]) => k.tanh_f32(a, o, n)),
    onMemory<K>([x], (k, [a, o]) => parts((lo, hi) => k.tanh_f32_part(a, o, 0, lo, hi))),
  );
  same(
    "leaky_relu",
    onMemory<K>([x], (k, [a, o]) => k.leaky_relu_f32(a, o, n, 0.2)),
    onMemory<K>([x], (k, [a, o]) => parts((lo, hi) => k.leaky_relu_f32_part(a, o, 0.2, 0, lo, hi))),
  );
  same(
    "relu_grad",
    onMemory<K>([x, dy], (k, [a, d, o]) => k.relu_grad_f32(a, d, o, n)),
    onMemory<K>(
      [x, dy],
      (k, [a, d, o]) => parts((lo, hi) => k.relu_grad_f32_part(a, d, o, 0, lo, hi)),
    ),
  );
  same(
    "leaky_relu_grad",
    onMemory<K>([x, dy], (k, [a, d, o]) => k.leaky_relu_grad_f32(a, d, o, n, 0.1)),
    onMemory<K>(
      [x, dy],
      (k, [a, d, o]) => parts((lo, hi) => k.leaky_relu_grad_f32_part(a, d, o, 0.1, 0, lo, hi)),
    ),
  );
  const m = normals(rows * cols, "bn"), g = normals(rows * cols, "bng");
  const [gamma, beta] = [normals(cols, "gamma"), normals(cols, "beta")];
  const rowBounds = [0, 1, 20, rows];
  same(
    "bias_add",
    onMemory<K>([m, beta], (k, [a, b, o]) => k.bias_add_f32(a, b, o, rows, cols)),
    onMemory<K>(
      [m, beta],
      (k, [a, b, o]) => parts((lo, hi) => k.bias_add_f32_part(a, b, o, cols, 0, lo, hi), rowBounds),
    ),
  );
  // Batch norm: x, gamma, beta, then y, mean, var, scratch in the free space.
  const free = (o: number) => [o, o + 4 * rows * cols, o + 4 * (rows * cols + cols)];
  const scratchAt = (o: number) => o + 4 * (rows * cols + 2 * cols);
  same(
    "batch_norm",
    onMemory<K>([m, gamma, beta], (k, [a, gm, b, o]) => {
      const [y, mean, v] = free(o);
      k.batch_norm_f32(a, gm, b, y, mean, v, scratchAt(o), rows, cols, 1e-5);
    }),
    onMemory<K>([m, gamma, beta], (k, [a, gm, b, o]) => {
      const [y, mean, v] = free(o);
      k.batch_norm_stats_f32(a, gm, mean, v, scratchAt(o), rows, cols, 1e-5);
      parts(
        (lo, hi) => k.batch_norm_apply_f32_part(a, mean, scratchAt(o), b, y, cols, 0, lo, hi),
        rowBounds,
      );
    }),
  );
  // The gradient: dy, x, mean, var, gamma, then dx, dgamma, dbeta, scratch.
  const [mean, variance] = [normals(cols, "mean"), normals(cols, "var").map(Math.abs)];
  same(
    "batch_norm_grad",
    onMemory<K>([g, m, mean, variance, gamma], (k, [d, a, mn, v, gm, o]) => {
      const [dx, dg, db] = free(o);
      k.batch_norm_grad_f32(d, a, mn, v, gm, dx, dg, db, scratchAt(o), rows, cols, 1e-5);
    }),
    onMemory<K>([g, m, mean, variance, gamma], (k, [d, a, mn, v, gm, o]) => {
      const [dx, dg, db] = free(o);
      k.batch_norm_grad_sums_f32(d, a, mn, v, gm, dg, db, scratchAt(o), rows, cols, 1e-5);
      parts(
        (lo, hi) => k.batch_norm_grad_apply_f32_part(d, a, mn, scratchAt(o), dx, cols, 0, lo, hi),
        rowBounds,
      );
    }),
  );
});

Deno.test("ReLU's gradient: the Rust kernel gives tfjs's bits, second order too", () => {
  for (const n of SIZES) {
    const x = tf.tensor1d(values(n, `rg${n}`)), w = tf.tensor1d(values(n, `rw${n}`, 4));
    const inner = (w: tf.Tensor) => tf.grad((x: tf.Tensor) => tf.sum(tf.relu(tf.mul(x, w))))(x);
    const { on, off } = onAndOff("relu_grad_rust", () => {
      const first = inner(w);
      const second = tf.grad((w: tf.Tensor) => tf.sum(tf.square(inner(w))))(w);
      return [words(first), words(second)];
    });
    assert.deepEqual(on, off, `size ${n}`);
  }
  // dy through NaN, ±0, ±∞ and negative x, against tfjs's Step + Cast + Multiply.
  const x = tf.tensor1d([NaN, -0, 0, -1, 2, Infinity, -Infinity, 1e-45]);
  const dy = tf.tensor1d([-2, -2, Infinity, NaN, -3, 5, -0, 7]);
  const fused = words(tf.engine().runKernel(RELU_GRAD_KERNEL, { dy, x }) as tf.Tensor);
  assert.deepEqual(fused, words(tf.mul(dy, tf.cast(tf.step(x), "float32"))));
});

Deno.test("Add of a bias per channel: the Rust kernel gives tfjs-wasm's bits; others are built-in", () => {
  const cases: [number[], number[]][] = [
    [[4, 3], [3]],
    [[2, 3, 5], [5]],
    [[2, 7, 7, 128], [128]],
    [[3, 1], [1]],
    [[0, 4], [4]],
    [[5], [5]], // rank 1: built-in
    [[4, 3], [1, 3]], // rank-2 bias: built-in
    [[3], [4, 3]], // the bias first: built-in
  ];
  for (const [shape, bshape] of cases) {
    const a = tf.tensor(values(tf.util.sizeFromShape(shape), `a${shape}`), shape);
    const b = tf.tensor(values(tf.util.sizeFromShape(bshape), `b${bshape}`, 2), bshape);
    const { on, off } = onAndOff("bias_add_rust", () => {
      const y = tf.add(a, b);
      return { shape: y.shape, words: words(y) };
    });
    assert.deepEqual(on, off, `${shape} + ${bshape}`);
  }
  const ints = tf.add(tf.tensor2d([1, 2, 3, 4], [2, 2], "int32"), tf.tensor1d([10, 20], "int32"));
  assert.deepEqual([...ints.dataSync()], [11, 22, 13, 24]);
});

Deno.test("planItems: small calls stay whole; parts cover every item, aligned", () => {
  assert.equal(planItems(1e6, 1, 1, 16), undefined, "one thread");
  assert.equal(planItems(100, 1, 2, 16), undefined, "under STREAM_SPLIT.minNs");
  const items = 802_816;
  const bounds = planItems(items, 0.15, 2, 16)!;
  assert.deepEqual(bounds, [0, items / 2, items]);
  const odd = planItems(1003, STREAM_SPLIT.minNs, 4, 4)!;
  assert.equal(odd.length, 5);
  assert.ok(odd.slice(1, -1).every((b) => b % 4 === 0), `${odd}`);
  assert.equal(odd.at(-1), 1003);
});

Deno.test({
  name: "on the kernel threads every streaming kernel gives the bits of its whole call",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await useBackend("wasm", 2);
    try {
      assert.equal(tf.getBackend(), "wasm-threaded");
      const threads = () => rustKernelThreads(tf.backend());
      const shape = [32, 14, 14, 64], size = tf.util.sizeFromShape(shape);
      const x = tf.tensor(values(size, "tx"), shape), dy = tf.tensor(values(size, "tdy", 5), shape);
      const [b, gamma, beta] = ["tb", "tg", "tbeta"].map((s) => tf.tensor1d(normals(64, s)));
      const ops: [string, () => tf.Tensor[]][] = [
        ["relu", () => [tf.relu(x)]],
        ["leaky", () => [tf.leakyRelu(x, 0.2)]],
        ["tanh", () => [tf.tanh(x)]],
        ["bias", () => [tf.add(x, b)]],
        ["relu grad", () => [tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy)]],
        ["leaky grad", () => [tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.2))(x, dy)]],
        ["batch norm", () => {
          const r = batchNorm(x, gamma, beta, 1e-3);
          const g = batchNormGrad(dy, x, gamma, r.mean, r.variance, 1e-3);
          return [r.y, r.mean, r.variance, g.dx, g.dgamma, g.dbeta];
        }],
      ];
      for (const [name, op] of ops) {
        streamSplit.on = false;
        const whole = op().map(words);
        streamSplit.on = true;
        const ran = threads()!.partsRun().reduce((a, c) => a + c);
        const split = op().map(words);
        assert.ok(threads()!.partsRun().reduce((a, c) => a + c) > ran, `${name}: split`);
        assert.deepEqual(split, whole, name);
      }
    } finally {
      streamSplit.on = true;
      await useBackend("wasm");
    }
  },
});
