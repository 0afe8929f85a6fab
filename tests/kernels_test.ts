import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { Rng } from "../src/rng.ts";

/** [batch, m, k, n]: odd sizes, SIMD-width edges, batch > 1. */
const SHAPES = [[1, 1, 1, 1], [1, 3, 5, 7], [1, 17, 16, 15], [1, 64, 33, 4], [2, 5, 4, 3], [
  3,
  8,
  9,
  1,
]];

function operand(rng: Rng, shape: number[]): Float32Array {
  return rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
}

async function matmulOn(
  backend: "wasm" | "cpu",
  a: Float32Array,
  b: Float32Array,
  aShape: number[],
  bShape: number[],
  ta: boolean,
  tb: boolean,
): Promise<Float32Array> {
  await useBackend(backend);
  return tf.tidy(() =>
    tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb).dataSync() as Float32Array
  );
}

Deno.test("matmul_transpose: wasm matmul with every transpose combination matches the cpu backend", async () => {
  await useBackend("wasm");
  setKernelFix("matmul_transpose", true); // replaces matmul_rust, the default
  const rng = Rng.derive(0, "kernels");
  for (const [batch, m, k, n] of SHAPES) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const lead = batch > 1 ? [batch] : [];
      const aShape = [...lead, ...(ta ? [k, m] : [m, k])];
      const bShape = [...lead, ...(tb ? [n, k] : [k, n])];
      const [a, b] = [operand(rng, aShape), operand(rng, bShape)];
      const want = await matmulOn("cpu", a, b, aShape, bShape, ta, tb);
      const got = await matmulOn("wasm", a, b, aShape, bShape, ta, tb);
      assert.equal(got.length, batch * m * n);
      got.forEach((v, i) =>
        assert.ok(
          Math.abs(v - want[i]) <= 1e-5 * (1 + Math.abs(want[i])),
          `${[batch, m, k, n]} ta=${ta} tb=${tb} [${i}]: ${v} vs ${want[i]}`,
        )
      );
    }
  }
  await useBackend("wasm");
  setKernelFix("matmul_rust", true);
});

Deno.test("matmul_transpose leaks no tensor memory", async () => {
  await useBackend("wasm");
  setKernelFix("matmul_transpose", true);
  const a = tf.ones([3, 4]), b = tf.ones([5, 3]);
  tf.tidy(() => tf.matMul(a, b, true, true)); // warm up
  const ids = () => tf.engine().backend.numDataIds();
  const before = ids();
  for (let i = 0; i < 10; i++) tf.tidy(() => tf.matMul(a, b, true, true).dataSync());
  assert.equal(ids(), before, "the explicit transposes must be freed");
  tf.dispose([a, b]);
  setKernelFix("matmul_rust", true);
});
