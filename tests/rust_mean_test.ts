import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { Rng } from "../src/rng.ts";
import { onAndOff } from "./_kernel_fixes.ts";

const normals = (shape: number[], stream: string) =>
  tf.tensor(
    Rng.derive(5, stream).fillNormal(new Float32Array(tf.util.sizeFromShape(shape))),
    shape,
  );

Deno.test("Mean over leading axes: the Rust column sums give tfjs-wasm's bits", async () => {
  await useBackend("wasm");
  const cases: [number[], number | number[], boolean][] = [
    [[8, 5, 5, 16], [0, 1, 2], false], // batch norm over batch and pixels (NHWC)
    [[8, 5, 5, 16], [0, 1, 2], true],
    [[64, 49], 0, false], // batch norm per feature
    [[3, 7, 5], [0, 1], true], // a count that is not a power of 2
    [[3, 4, 5], [1, 0], false], // another order: the built-in
    [[4, 6], 1, false], // innermost: the built-in
    [[4, 1], 0, true], // one column: the built-in
  ];
  for (const [shape, axis, keepDims] of cases) {
    const x = normals(shape, `mean${shape}`);
    const { on, off } = onAndOff("mean_rust", () => {
      const m = tf.mean(x, axis, keepDims);
      return { shape: m.shape, data: Array.from(m.dataSync()) };
    });
    assert.deepEqual(on, off, `${shape} axis ${axis}`);
    x.dispose();
  }
  // Batch norm's statistics and their gradient, as the layer computes them.
  const x = normals([4, 3, 3, 5], "moments");
  const { on, off } = onAndOff("mean_rust", () =>
    tf.tidy(() => {
      const f = (x: tf.Tensor) => {
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return tf.sum(tf.square(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5)))));
      };
      return Array.from(tf.grad(f)(x).dataSync());
    }));
  assert.deepEqual(on, off);
  x.dispose();
  // Means of nothing are NaN (tfjs-wasm's own Mean leaves them uninitialised).
  assert.deepEqual([...tf.mean(tf.zeros([0, 3]), 0).dataSync()], [NaN, NaN, NaN]);
  // Not float32: the built-in.
  const ints = tf.tensor2d([[1, 2], [4, 7]], undefined, "int32");
  assert.deepEqual(onAndOff("mean_rust", () => Array.from(tf.mean(ints, 0).dataSync())).on, [
    2.5,
    4.5,
  ]);
  ints.dispose();
});
