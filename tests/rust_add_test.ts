import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { normals, onMemory } from "./_wasm_memory.ts";
import { addPlan } from "../src/backend/rust_add.ts";
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";

interface AddKernels {
  add_f32(a: number, b: number, out: number, rows: number, cols: number, bRows: number): void;
  add_f32_ref: AddKernels["add_f32"];
}

/** Sizes around the SIMD width. */
const EDGES = [0, 1, 3, 4, 5, 15, 16, 17, 64, 131];

Deno.test("rust add_f32 equals its scalar reference word for word and writes only its output", () => {
  for (const rows of [1, 3, 17]) {
    for (const cols of EDGES) {
      for (const bRows of [0, 1] as const) {
        const a = normals(rows * cols, `a${rows}`), b = normals((bRows ? rows : 1) * cols, "b");
        const run = (name: "add_f32" | "add_f32_ref") =>
          onMemory<AddKernels>(
            [a, b],
            (k, [pa, pb, out]) => k[name](pa, pb, out, rows, cols, bRows),
          );
        const [got, want] = [run("add_f32"), run("add_f32_ref")];
        assert.deepEqual(got, want, `${rows}x${cols} bRows ${bRows}`);
        // And it is the sum: the output region holds a + b.
        const out = new Float32Array(got.buffer, (16 + a.length + b.length + 8) * 4, rows * cols);
        const sum = a.map((x, i) => Math.fround(x + b[bRows ? i : i % cols]));
        assert.deepEqual(out, sum, `${rows}x${cols} bRows ${bRows} sums`);
      }
    }
  }
});

Deno.test("addPlan covers one shape and a vector along the last axis, either side", () => {
  assert.deepEqual(addPlan([256, 128], [128]), {
    first: "a",
    rows: 256,
    cols: 128,
    bRows: 0,
    shape: [256, 128],
  });
  assert.deepEqual(addPlan([1, 128], [256, 128]), {
    first: "b",
    rows: 256,
    cols: 128,
    bRows: 0,
    shape: [256, 128],
  });
  assert.deepEqual(addPlan([256, 1], [1]), {
    first: "a",
    rows: 256,
    cols: 1,
    bRows: 0,
    shape: [256, 1],
  });
  assert.deepEqual(addPlan([2, 3], [1, 2, 3]), {
    first: "a",
    rows: 1,
    cols: 6,
    bRows: 1,
    shape: [1, 2, 3],
  });
  assert.equal(addPlan([256, 128], []), undefined); // a scalar onto many columns
  assert.equal(addPlan([4, 1, 3], [2, 3]), undefined); // both broadcast
  assert.equal(addPlan([4, 3], [4, 1]), undefined); // a column
  assert.equal(addPlan([4, 3], [5]), undefined); // incompatible: the built-in throws tfjs's error
  assert.equal(addPlan([0, 3], [3])?.rows, 0);
});

Deno.test("add_rust gives the built-in's bits, special values included, and the built-in's errors", async () => {
  await useBackend("wasm");
  const special = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -3.4e38, 3.4e38, 1, -1];
  const cases: [number[], number[]][] = [
    [[64, 7, 7, 8], [8]],
    [[3], [5, 3]],
    [[17, 5], [17, 5]],
    [[2, 3], [1, 2, 3]],
    [[10, 1], [1]],
    [[0, 4], [4]],
    [[4, 3], [4, 1]], // not covered: the built-in
    [[6, 3], []],
  ];
  for (const [sa, sb] of cases) {
    const fill = (shape: number[], stream: string) => {
      const x = normals(shape.reduce((p, d) => p * d, 1), stream);
      x.forEach((_, i) => {
        if (i % 7 === 3) x[i] = special[i % special.length];
      });
      return x;
    };
    const [xa, xb] = [fill(sa, "ta"), fill(sb, "tb")];
    const sum = () => tf.tidy(() => tf.add(tf.tensor(xa, sa), tf.tensor(xb, sb)).dataSync());
    setKernelFix("add_rust", true);
    const got = sum();
    setKernelFix("add_rust", false);
    const want = sum();
    setKernelFix("add_rust", true);
    assert.deepEqual(got, want, `${JSON.stringify(sa)} + ${JSON.stringify(sb)}`);
  }
  // An impossible broadcast still fails as tfjs says.
  assert.throws(() => tf.add(tf.ones([4, 3]), tf.ones([5])), /broadcast/);
  // int32 goes to the built-in.
  assert.deepEqual([
    ...tf.add(tf.tensor1d([1, 2], "int32"), tf.tensor1d([3, 4], "int32")).dataSync(),
  ], [4, 6]);
});
