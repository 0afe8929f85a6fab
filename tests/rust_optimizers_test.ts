import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import { rustKernels } from "../src/backend/rust/loader.ts";
import { hasFusedUpdate, TABLE_ENTRY } from "../src/backend/rust/optimizers.ts";
import type { RustKernels as OptimizerKernels } from "../src/backend/rust/abi.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import type { Param } from "../src/nn/layers.ts";
import { Rng } from "../src/rng.ts";
import { OPTIMIZERS } from "../src/train/optimizers.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

/** Sizes around the SIMD width (4) and its tails. */
const SIZES = [0, 1, 3, 4, 5, 15, 16, 17, 64, 1000];
const SENTINEL = 0x7fc0dead; // a NaN pattern

/**
 * A memory holding one table over every size: p, g, a, b per tensor and, unless
 * `inPlace`, separate outputs p', a', b'; sentinels between.
 */
function layout(rng: Rng, inPlace: boolean) {
  const memory = new WebAssembly.Memory({ initial: 4 });
  const f = new Float32Array(memory.buffer), u = new Uint32Array(memory.buffer);
  u.fill(SENTINEL);
  const table = 64; // bytes
  let top = table + SIZES.length * TABLE_ENTRY * 4 + 64;
  const alloc = (len: number) => {
    const at = top;
    top += len * 4 + 16; // a sentinel word after each tensor
    return at;
  };
  SIZES.forEach((len, i) => {
    const ins = [0, 1, 2, 3].map(() => alloc(len));
    const outs = inPlace ? [ins[0], ins[2], ins[3]] : [0, 1, 2].map(() => alloc(len));
    u.set([...ins, ...outs, len], table / 4 + i * TABLE_ENTRY);
    const [p, g, a, b] = ins.map((at) => f.subarray(at / 4, at / 4 + len));
    rng.fillNormal(p);
    rng.fillNormal(g);
    rng.fillNormal(a);
    rng.fillNormal(b);
    b.forEach((x, j) => (b[j] = x * x)); // a second moment is never negative
    if (len > 0) g[0] = 0; // a zero gradient too
  });
  return { memory, table, words: () => new Uint32Array(memory.buffer).slice() };
}

type Call = (k: OptimizerKernels, table: number, n: number) => void;
const CALLS: Record<string, Call> = {
  adam: (k, table, n) =>
    k.adam_f32(table, n, 0.5, 0.5, 0.999, 1 - 0.999, Math.sqrt(1 - 0.999 ** 3), 1e-8, 2e-4 / 0.875),
  rmsprop: (k, table, n) => k.rmsprop_f32(table, n, 0.99, 1 - 0.99, 1e-8, 0, 5e-5),
  "rmsprop momentum": (k, table, n) => k.rmsprop_f32(table, n, 0.9, 0.1, 1e-6, 0.5, 1e-2),
  // A call split over the kernel threads: parts of the table, any split (here three uneven ones).
  "adam in parts": (k, table, n) => {
    const c = [0.5, 0.5, 0.999, 1 - 0.999, Math.sqrt(1 - 0.999 ** 3), 1e-8, 2e-4 / 0.875] as const;
    for (const [lo, hi] of [[0, 3], [3, 7], [7, n]]) k.adam_f32_part(table, ...c, 0, lo, hi);
  },
  "rmsprop momentum in parts": (k, table, n) => {
    for (const [lo, hi] of [[0, 4], [4, 5], [5, n]]) {
      k.rmsprop_f32_part(table, 0.9, 0.1, 1e-6, 0.5, 1e-2, 0, lo, hi);
    }
  },
};
const REFS: Record<string, Call> = {
  adam: (k, t, n) => CALLS.adam({ ...k, adam_f32: k.adam_f32_ref }, t, n),
  rmsprop: (k, t, n) => CALLS.rmsprop({ ...k, rmsprop_f32: k.rmsprop_f32_ref }, t, n),
  "rmsprop momentum": (k, t, n) =>
    CALLS["rmsprop momentum"]({ ...k, rmsprop_f32: k.rmsprop_f32_ref }, t, n),
  "adam in parts": (k, t, n) => CALLS.adam({ ...k, adam_f32: k.adam_f32_ref }, t, n), // the whole call's
  "rmsprop momentum in parts": (k, t, n) =>
    CALLS["rmsprop momentum"]({ ...k, rmsprop_f32: k.rmsprop_f32_ref }, t, n),
};

for (const [name, inPlace] of Object.keys(CALLS).flatMap((n) => [[n, false], [n, true]] as const)) {
  const where = inPlace ? "in place" : "to fresh outputs";
  Deno.test(`${name} ${where}: the f32x4 kernel equals its scalar reference bit for bit`, () => {
    const run = (call: Call) => {
      const l = layout(Rng.derive(7, "test/rust-optimizers"), inPlace);
      const k = rustKernels(l.memory) as unknown as OptimizerKernels;
      const before = l.words();
      call(k, l.table, SIZES.length);
      return { before, after: l.words() };
    };
    const simd = run(CALLS[name]), ref = run(REFS[name]);
    assert.deepEqual(simd.before, ref.before);
    const changed = simd.after.reduce((n, w, i) => n + (w !== simd.before[i] ? 1 : 0), 0);
    assert.ok(changed > 1000, `the kernel wrote (${changed} words changed)`);
    // Equal words everywhere: same bits, and no write outside the tensors (sentinels intact).
    assert.ok(simd.after.every((w, i) => w === ref.after[i]), "same memory after both");
  });
}

/** Runs `steps` updates of optimizer `name` on tensors of every size, fused or not. */
function optimize(name: "adam" | "rmsprop", params: Record<string, unknown>, fused: boolean) {
  setKernelFix(name === "adam" ? "adam_rust" : "rmsprop_rust", fused);
  assert.equal(hasFusedUpdate(name), fused);
  const rng = Rng.derive(11, "test/optimize");
  const data = (n: number) => {
    const x = new Float32Array(n);
    rng.fillNormal(x);
    return x;
  };
  const vars = SIZES.map((n) => tf.variable(tf.tensor1d(data(n))));
  const ps: Param[] = vars.map((variable, i) => ({ name: `w${i}`, variable }));
  const kind = OPTIMIZERS[name] as (typeof OPTIMIZERS)["adam"];
  const opt = kind.create(ps, params as Parameters<typeof kind.create>[1]);
  for (let step = 0; step < 4; step++) {
    tf.tidy(() =>
      opt.apply(Object.fromEntries(vars.map((v) => [v.name, tf.tensor1d(data(v.size))])))
    );
  }
  const out = [...vars, ...opt.slots.map((s) => s.variable as tf.Variable)].map((v) =>
    Array.from(v.dataSync())
  );
  tf.dispose([...vars, ...opt.slots.map((s) => s.variable as tf.Variable)]);
  return out;
}

const TFJS_CASES = [
  { name: "adam", params: { lr: 0.1, betas: [0.5, 0.999], eps: 1e-8 } },
  { name: "adam", params: { lr: 0.01, betas: [0, 0.9], eps: 1e-3 } },
  { name: "rmsprop", params: { lr: 0.05, alpha: 0.99, eps: 1e-8, momentum: 0 } },
  { name: "rmsprop", params: { lr: 0.05, alpha: 0.9, eps: 1e-8, momentum: 0.5 } },
] as const;

for (const c of TFJS_CASES) {
  Deno.test(`${c.name} ${JSON.stringify(c.params)}: fused update equals the tfjs path`, () => {
    const tfjsPath = optimize(c.name, c.params, false);
    const fused = optimize(c.name, c.params, true);
    // Same f32 operations in the same order: equal bits, not just close.
    assert.deepEqual(fused, tfjsPath);
    assert.ok(tfjsPath.flat().some((x) => x !== 0));
  });
}

Deno.test("the fused update writes fresh buffers, never one another tensor shares", () => {
  setKernelFix("adam_rust", true);
  const init = tf.tensor1d([1, 2, 3, 4, 5]);
  const w = tf.variable(init); // shares init's buffer
  const alias = tf.reshape(w, [5, 1]); // shares it too
  const opt = OPTIMIZERS.adam.create([{ name: "w", variable: w }], {
    lr: 0.1,
    betas: [0.5, 0.999],
    eps: 1e-8,
  });
  tf.tidy(() => opt.apply({ [w.name]: tf.ones([5]) }));
  assert.deepEqual([...init.dataSync()], [1, 2, 3, 4, 5]);
  assert.deepEqual([...alias.dataSync()], [1, 2, 3, 4, 5]);
  assert.ok(w.dataSync().every((x, i) => Math.abs(x - (i + 1 - 0.1)) < 1e-6));
  assert.deepEqual([...(opt.slots[0].variable as tf.Variable).dataSync()], [1]); // t
  tf.dispose([init, alias, w, ...opt.slots.map((s) => s.variable as tf.Variable)]);
});

/** The matmul replacements, for training on tfjs-wasm's own kernels (XNNPACK caches weights). */
const MATMULS = ["matmul_transpose", "matmul_rust", "fused_matmul_rust"] as const;

for (const stock of [false, true]) {
  const kernels = stock ? "tfjs-wasm's matmul" : "the Rust matmul";
  Deno.test(`training with the fused updates gives the unfused run's bits (${kernels})`, async () => {
    if (stock) MATMULS.forEach((m) => setKernelFix(m, false));
    const train = async (fused: boolean) => {
      setKernelFix("adam_rust", fused);
      const { config } = parseExperiment(tinyExperiment("/nonexistent"));
      const trainer = Trainer.create(config);
      const rows = [];
      for await (const m of trainer.run(6)) rows.push(m);
      const weights = trainer.state().tensors.map((t) => Array.from(t.data));
      trainer.dispose();
      return { rows, weights };
    };
    const unfused = await train(false);
    const fused = await train(true);
    if (stock) MATMULS.forEach((m) => setKernelFix(m, true));
    assert.deepEqual(fused, unfused);
  });
}

Deno.test("a checkpoint taken with the fused update resumes exactly, fused or not", async () => {
  const { config } = parseExperiment(tinyExperiment("/nonexistent"));
  setKernelFix("adam_rust", true);
  const a = Trainer.create(config);
  for await (const _ of a.run(3));
  const state = a.state();
  const rest = [];
  for await (const m of a.run(6)) rest.push(m);
  for (const fused of [true, false]) {
    setKernelFix("adam_rust", fused);
    const b = Trainer.create(config);
    b.load(state);
    const again = [];
    for await (const m of b.run(6)) again.push(m);
    assert.deepEqual(again, rest, fused ? "fused" : "unfused");
    assert.deepEqual(b.state().tensors, a.state().tensors);
    b.dispose();
  }
  setKernelFix("adam_rust", true);
  a.dispose();
});

Deno.test("a fused update writes over buffers owned alone, and never over one a clone shares", () => {
  const draw = (seed: string) => Rng.derive(0, seed).fillNormal(new Float32Array(37));
  const run = (share: boolean) =>
    tf.tidy(() => {
      const init = tf.tensor1d(draw("w"));
      const w = tf.variable(init);
      init.dispose(); // w's buffer is its own
      const param: Param[] = [{ name: "w", variable: w }];
      const adam = OPTIMIZERS.adam.create(param, { lr: 0.01, betas: [0.5, 0.999], eps: 1e-8 });
      // The first update may assign (a freshly made slot can still share its initial value's buffer).
      adam.apply({ [w.name]: tf.tensor1d(draw("g0")) });
      const before = w.dataId;
      const clone = share ? tf.clone(w) : undefined; // shares w's buffer (identity_shared)
      const old = Array.from(w.dataSync());
      for (let step = 1; step < 3; step++) adam.apply({ [w.name]: tf.tensor1d(draw(`g${step}`)) });
      if (clone) assert.deepEqual(Array.from(clone.dataSync()), old, "the clone keeps its values");
      const values = Array.from(w.dataSync());
      const inPlace = w.dataId === before;
      w.dispose();
      adam.slots.forEach((s) => s.variable.dispose());
      return { values, inPlace };
    });
  const alone = run(false), shared = run(true);
  assert.ok(alone.inPlace, "written over its own buffer");
  assert.ok(!shared.inPlace, "new tensors, assigned");
  assert.deepEqual(alone.values, shared.values, "the same bits either way");
});
