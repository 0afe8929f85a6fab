import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import { normalNoise } from "../src/backend/rust/normal_noise.ts";
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { boxMullerPair, Rng } from "../src/rng.ts";

// Normal noise with its Box-Muller transform on the kernel threads (`normal_noise.ts`)
// against `Rng.fillNormal`, the scalar reference: the same values to the bit and the
// same stream state after, split or not.

const same = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
  }
};

/** `normalNoise` of `shape` from a fresh stream against `fillNormal` on as many floats. */
function check(shape: number[], mean: number, std: number, what: string) {
  const n = shape.reduce((a, b) => a * b, 1);
  const [mine, ref] = [Rng.derive(7, `noise/${what}`), Rng.derive(7, `noise/${what}`)];
  const z = normalNoise(mine, shape, mean, std);
  assert.deepEqual(z.shape, shape, what);
  same(z.dataSync(), ref.fillNormal(new Float32Array(n), mean, std), what);
  assert.deepEqual(mine.state(), ref.state(), `${what}: the stream's state`);
  z.dispose();
}

const CASES: [number[], number, number][] = [
  [[1, 1], 0, 1],
  [[5, 1], 0, 1],
  [[256, 8], 0, 1], // toy2d's batch: 1,024 pairs
  [[1025, 2], 0.5, 2], // 1,025 pairs
  [[2049], -1, 0.25], // odd: the last pair keeps its cosine only
];

Deno.test("fillU32 draws what nextU32 draws; boxMullerPair on them is fillNormal", () => {
  for (const n of [1, 2, 7, 1000]) {
    const [a, b, c] = [Rng.derive(3, "pairs"), Rng.derive(3, "pairs"), Rng.derive(3, "pairs")];
    const draws = a.fillU32(new Uint32Array(2 * Math.ceil(n / 2)));
    same(draws, Array.from(draws, () => c.nextU32()), `n ${n}: draws`);
    // Float64 here: every digit of the arithmetic, before float32 rounds it.
    const want = b.fillNormal(new Float64Array(n), 0.25, 3);
    assert.deepEqual(a.state(), b.state(), `n ${n}: state`);
    const got = new Float64Array(n);
    for (let i = 0; i < n; i += 2) boxMullerPair(got, i, draws[i], draws[i + 1], 0.25, 3);
    same(got, want, `n ${n}`);
  }
});

Deno.test("normalNoise on the cpu backend is fillNormal", async () => {
  await useBackend("cpu");
  for (const [shape, mean, std] of CASES) check(shape, mean, std, `cpu ${shape}`);
});

Deno.test({
  name: "normalNoise on wasm, one thread and two (split over the kernel threads), is fillNormal",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await useBackend("wasm");
    for (const [shape, mean, std] of CASES) check(shape, mean, std, `wasm ${shape}`);
    await useBackend("wasm", 2);
    try {
      assert.equal(tf.getBackend(), "wasm-threaded");
      const pool = () => rustKernelThreads(tf.backend());
      check([8, 2], 0, 1, "warm-up"); // starts the kernel threads
      while ((pool()?.ready ?? 0) < 1) await new Promise((r) => setTimeout(r, 10));
      const ran = () => pool()!.partsRun().reduce((a, b) => a + b);
      for (const [shape, mean, std] of CASES) {
        const before = ran();
        check(shape, mean, std, `wasm-threaded ${shape}`);
        const pairs = Math.ceil(shape.reduce((a, b) => a * b, 1) / 2);
        // Split (a part per thread) from 512 pairs on.
        assert.equal(ran() - before, pairs >= 512 ? 2 : 0, `${shape}: parts run`);
      }
      // With the fix off, the values come from fillNormal itself: the same.
      setKernelFix("box_muller_threads", false);
      check([256, 8], 0, 1, "fix off");
    } finally {
      setKernelFix("box_muller_threads", true);
      await useBackend("wasm");
    }
  },
});
