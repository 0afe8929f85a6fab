import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { EMA_KERNEL, EMA_TABLE_ENTRY, updateEma } from "../src/backend/rust/ema.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { Rng } from "../src/rng.ts";
import { normals, onMemory } from "./_wasm_memory.ts";

await useBackend("wasm");

const SIZES = [0, 1, 3, 4, 5, 15, 16, 17, 64, 1000];
const DECAYS = [0.999, 0.9, 0.5, 0];

/**
 * `ema_f32` (or its reference) over every size at once: the memory holds the
 * table, then each size's param and average (where `onMemory` puts inputs: from
 * byte 64, 16 bytes apart), the new averages after them.
 */
function run(ref: boolean | "parts", decay: number): Uint32Array {
  const data = SIZES.flatMap((n) => [normals(n, `p${n}`), normals(n, `a${n}`)]);
  const table = new Uint32Array(SIZES.length * EMA_TABLE_ENTRY);
  let at = 64 + table.length * 4 + 16;
  const ptrs = data.map((x) => (at += x.length * 4 + 16) - x.length * 4 - 16);
  let out = at;
  SIZES.forEach((n, i) => {
    table.set([ptrs[2 * i], ptrs[2 * i + 1], out, n], i * EMA_TABLE_ENTRY);
    out += n * 4 + 16;
  });
  return onMemory<RustKernels>([new Float32Array(table.buffer), ...data], (k, [t]) => {
    if (ref === "parts") {
      // A call split over the kernel threads: parts of the table (three uneven ones).
      for (const [lo, hi] of [[0, 3], [3, 7], [7, SIZES.length]]) {
        k.ema_f32_part(t, decay, 1 - decay, 0, lo, hi);
      }
    } else (ref ? k.ema_f32_ref : k.ema_f32)(t, SIZES.length, decay, 1 - decay);
  }, out / 4);
}

Deno.test("ema_f32 equals its scalar reference bit for bit (sizes 0-1000 in one call)", () => {
  for (const decay of DECAYS) {
    const simd = run(false, decay), ref = run(true, decay);
    assert.ok(simd.every((w, i) => w === ref[i]), `decay ${decay}`);
  }
});

Deno.test("ema_f32_part over parts of the table equals the whole call's scalar reference", () => {
  for (const decay of DECAYS) {
    const parts = run("parts", decay), ref = run(true, decay);
    assert.ok(parts.every((w, i) => w === ref[i]), `decay ${decay}`);
  }
});

/** The trainer's formulation, op by op on the active backend. */
function tfjsEma(avg: tf.Tensor, param: tf.Tensor, decay: number): Float32Array {
  return tf.tidy(() =>
    tf.add(tf.mul(decay, avg), tf.mul(1 - decay, param)).dataSync()
  ) as Float32Array;
}

Deno.test("updateEma on the Rust kernel gives the tfjs formulation's bits, every tensor in one call", () => {
  setKernelFix("ema_rust", true);
  assert.ok(tf.getKernel(EMA_KERNEL, "wasm"), "ema_rust registers DuelEma");
  for (const decay of DECAYS) {
    const params = SIZES.map((n) => tf.variable(tf.tensor1d(normals(n, `p${n}`))));
    const avgs = SIZES.map((n) => tf.variable(tf.tensor1d(normals(n, `a${n}`))));
    const want = SIZES.map((_, i) => tfjsEma(avgs[i], params[i], decay));
    const before = tf.memory().numTensors;
    updateEma(avgs, params, decay);
    assert.equal(tf.memory().numTensors, before, "no tensor leaked");
    SIZES.forEach((n, i) => {
      const got = new Uint32Array(avgs[i].dataSync().buffer.slice(0));
      assert.deepEqual(got, new Uint32Array(want[i].buffer.slice(0)), `size ${n}, decay ${decay}`);
    });
    [...params, ...avgs].forEach((v) => v.dispose());
  }
});

Deno.test("updateEma without the kernel (switch off) computes the same bits in tfjs ops", () => {
  const n = 17, decay = 0.999;
  const avg = () => tf.variable(tf.tensor1d(normals(n, "a")));
  const param = tf.variable(tf.tensor1d(normals(n, "p")));
  setKernelFix("ema_rust", false);
  assert.equal(tf.getKernel(EMA_KERNEL, "wasm"), undefined);
  const plain = avg();
  updateEma([plain], [param], decay);
  setKernelFix("ema_rust", true);
  const fused = avg();
  updateEma([fused], [param], decay);
  assert.deepEqual(fused.dataSync(), plain.dataSync());
  assert.throws(() => updateEma([fused], [], decay), /1 averages for 0 parameters/);
});

Deno.test("updateEma writes over averages owned alone, and never over one a clone shares", () => {
  const draw = (seed: string) => Rng.derive(0, seed).fillNormal(new Float32Array(21));
  const run = (share: boolean) =>
    tf.tidy(() => {
      const own = (values: Float32Array) => {
        const init = tf.tensor1d(values);
        const v = tf.variable(init);
        init.dispose(); // the variable's buffer is its own
        return v;
      };
      const avg = own(draw("avg")), param = own(draw("param"));
      const before = avg.dataId, old = Array.from(avg.dataSync());
      const clone = share ? tf.clone(avg) : undefined; // shares avg's buffer (identity_shared)
      updateEma([avg], [param], 0.9);
      if (clone) assert.deepEqual(Array.from(clone.dataSync()), old, "the clone keeps its values");
      const result = { values: Array.from(avg.dataSync()), inPlace: avg.dataId === before };
      avg.dispose();
      param.dispose();
      return result;
    });
  const alone = run(false), shared = run(true);
  assert.ok(alone.inPlace && !shared.inPlace);
  assert.deepEqual(alone.values, shared.values, "the same bits either way");
});
