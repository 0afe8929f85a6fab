/**
 * Examples of src/backend/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { axisPlan } from "../src/backend/conv_kernels.ts";
import { FMA_ROOTS, KERNEL_ABI, kernelExports } from "../src/backend/rust/abi.ts";
import { leakyReluGrad } from "../src/backend/rust/activations.ts";
import { batchNorm, batchNormGrad } from "../src/backend/rust/batch_norm.ts";
import { releaseRustKernels, rustKernelThreads } from "../src/backend/rust/bound.ts";
import {
  convGeometry,
  planConv,
  runRustConv,
  RUST_CONV_KERNELS,
  type RustConvKind,
} from "../src/backend/rust/conv.ts";
import { updateEma } from "../src/backend/rust/ema.ts";
import { homeOrder } from "../src/backend/rust/job_block.ts";
import { KernelThreads } from "../src/backend/rust/kernel_threads.ts";
import { loadRustKernels, rustKernels, sharedKernelsModule } from "../src/backend/rust/loader.ts";
import { hasFusedUpdate, runFusedUpdate } from "../src/backend/rust/optimizers.ts";
import { leadingReduction } from "../src/backend/rust/reduce.ts";
import { planMatmul, planRows } from "../src/backend/rust/split.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import {
  assertZeroCopySafe,
  functionExports,
  inspectWasm,
  withSharedMemoryImport,
} from "../src/backend/wasm_module.ts";

Deno.test("src/backend/conv_kernels.ts: axisPlan", () => {
  // ConvTranspose2d(kernel 4, stride 2, padding 1) from 7 to 14: two phases of 7 rows, 2 taps each.
  const plan = axisPlan(14, 7, 4, 2, 1);
  assert.equal(plan.count, 7);
  assert.deepEqual(plan.phases.map((p) => p.taps), [[3, 1], [2, 0]]);
});

Deno.test("src/backend/rust/abi.ts: KERNEL_ABI", () => {
  assert.deepEqual(KERNEL_ABI.relu_f32.params.map(([name]) => name), ["x", "out", "len"]);
});

Deno.test("src/backend/rust/abi.ts: FMA_ROOTS", () => {
  assert.ok(FMA_ROOTS.includes("conv2d_f32"));
  assert.ok(FMA_ROOTS.includes("fma_probe"));
});

Deno.test("src/backend/rust/abi.ts: kernelExports", () => {
  const all = kernelExports();
  assert.deepEqual(all.get("fma_probe_fma")?.params, [["at", "ptr"]]);
});

Deno.test("src/backend/rust/activations.ts: leakyReluGrad", async () => {
  await useBackend("wasm");
  const g = leakyReluGrad(tf.tensor1d([2, 2]), tf.tensor1d([1, -1]), 0.25);
  assert.deepEqual([...g.dataSync()], [2, 0.5]);
});

Deno.test("src/backend/rust/batch_norm.ts: batchNorm", async () => {
  await useBackend("wasm");
  const x = tf.tensor2d([[1, 10], [3, 30]]);
  const { y, mean, variance } = batchNorm(x, tf.ones([2]), tf.zeros([2]), 0);
  assert.deepEqual([...mean.dataSync()], [2, 20]);
  assert.deepEqual([...variance.dataSync()], [1, 100]);
  assert.deepEqual([...y.dataSync()], [-1, -1, 1, 1]);
});

Deno.test("src/backend/rust/batch_norm.ts: batchNorm, batchNormGrad", async () => {
  await useBackend("wasm");
  const x = tf.tensor2d([[1], [3]]), gamma = tf.ones([1]);
  const { mean, variance } = batchNorm(x, gamma, tf.zeros([1]), 0);
  const g = batchNormGrad(tf.tensor2d([[1], [0]]), x, gamma, mean, variance, 0);
  assert.deepEqual([...g.dbeta.dataSync()], [1]);
  assert.deepEqual([...g.dgamma.dataSync()], [-1]);
  assert.deepEqual([...g.dx.dataSync()], [0, 0]); // y is ±1 whatever x is
});

Deno.test("src/backend/rust/bound.ts: rustKernelThreads", async () => {
  await useBackend("wasm");
  tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])).dispose();
  assert.equal(rustKernelThreads(tf.backend()), undefined); // the stock backend: one thread
});

Deno.test("src/backend/rust/bound.ts: releaseRustKernels", () => {
  releaseRustKernels({}); // not bound: nothing happens
});

Deno.test("src/backend/rust/conv.ts: RUST_CONV_KERNELS", () => {
  const g = {
    n: 2,
    h: 8,
    w: 8,
    cin: 3,
    oh: 4,
    ow: 4,
    cout: 5,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  };
  assert.equal(RUST_CONV_KERNELS.conv2d.rows(g), 2 * 4 * 4); // output pixels
  assert.equal(RUST_CONV_KERNELS.backprop_filter.rows(g), 4 * 4 * 3); // (ky, kx, ci)
  assert.equal(RUST_CONV_KERNELS.backprop_input.rows(g), 2 * 8 * 8); // dx pixels
});

Deno.test("src/backend/rust/conv.ts: RustConvKind", () => {
  const kind: RustConvKind = "backprop_input";
  assert.equal(kind, "backprop_input");
});

Deno.test("src/backend/rust/conv.ts: convGeometry", () => {
  const info = tf.backend_util.computeConv2DInfo([1, 7, 7, 2], [4, 4, 2, 3], 2, 1, 1);
  assert.deepEqual(convGeometry(info), {
    n: 1,
    h: 7,
    w: 7,
    cin: 2,
    oh: 3,
    ow: 3,
    cout: 3,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  });
});

Deno.test("src/backend/rust/conv.ts: rustKernels, runRustConv", () => {
  const memory = new WebAssembly.Memory({ initial: 48 });
  const k = rustKernels(memory);
  const f = new Float32Array(memory.buffer);
  f.set([1, 2, 3, 4], 0); // x [1, 2, 2, 1] at byte 0
  f.set([1, 10, 100, 1000], 4); // W [2, 2, 1, 1] at byte 16
  const g = {
    n: 1,
    h: 2,
    w: 2,
    cin: 1,
    oh: 1,
    ow: 1,
    cout: 1,
    kh: 2,
    kw: 2,
    sh: 1,
    sw: 1,
    dh: 1,
    dw: 1,
    top: 0,
    left: 0,
  };
  runRustConv(k, "conv2d", g, 0, 16, 32, 0, 1, 64);
  assert.equal(f[8], 4321);
});

Deno.test("src/backend/rust/conv.ts: planConv", () => {
  const g = {
    n: 64,
    h: 28,
    w: 28,
    cin: 1,
    oh: 14,
    ow: 14,
    cout: 64,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  };
  const macs = 64 * 14 * 14 * 16 * 64;
  assert.deepEqual(planConv("backprop_filter", g, macs, 2), {
    export: "conv2d_backprop_filter_f32_cols",
    bounds: [0, 32, 64],
  });
  assert.equal(planConv("conv2d", g, macs, 2)?.export, "conv2d_f32");
  assert.equal(planConv("conv2d", g, macs, 1), undefined);
});

Deno.test("src/backend/rust/ema.ts: updateEma", async () => {
  await useBackend("wasm");
  const avg = tf.variable(tf.tensor1d([0, 4])), param = tf.variable(tf.tensor1d([2, 0]));
  updateEma([avg], [param], 0.75);
  assert.deepEqual([...avg.dataSync()], [0.5, 3]);
});

Deno.test("src/backend/rust/kernel_threads.ts: KernelThreads, sharedKernelsModule", () => {
  const module = sharedKernelsModule();
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 100, shared: true });
  const caller = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const work = [0, 1 << 20]; // 1 MiB each (matmul needs 576 KiB)
  const pool = KernelThreads.start({ module, memory, caller, threads: 2, work });
  const f = new Float32Array(memory.buffer);
  const [a, b, c] = [2 << 20, 2.5 * 2 ** 20, 3 << 20]; // 8x8 A, B and C
  for (let i = 0; i < 64; i++) (f[a / 4 + i] = i, f[b / 4 + i] = i === (i >> 3) * 9 ? 1 : 0);
  // matmul_f32_rows(a, b, c, batch, m, k, n, flags, aStride, bStride, bias, act, alpha, work, lo, hi)
  pool.run("matmul_f32_rows", [a, b, c, 1, 8, 8, 8, 0, 0, 0, 0, 0, 0], [0, 4, 8]);
  assert.deepEqual(f.subarray(c / 4, c / 4 + 64), f.subarray(a / 4, a / 4 + 64)); // A · I = A
  pool.dispose();
});

Deno.test("src/backend/rust/loader.ts: loadRustKernels, sharedKernelsModule", async () => {
  await loadRustKernels();
  assert.ok(sharedKernelsModule() instanceof WebAssembly.Module);
});

Deno.test("src/backend/rust/loader.ts: sharedKernelsModule", () => {
  const names = WebAssembly.Module.exports(sharedKernelsModule()).map((e) => e.name);
  assert.ok(names.includes("matmul_f32_rows"));
});

Deno.test("src/backend/rust/loader.ts: rustKernels", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const k = rustKernels(memory);
  const f = new Float32Array(memory.buffer);
  f.set([1, 2, 3, 4], 0); // A: 2x2 at byte 0
  f.set([5, 6, 7, 8], 4); // B: 2x2 at byte 16
  k.matmul_f32_ref(0, 16, 32, 1, 2, 2, 2, 0, 0, 0, 0, 0, 0, 0);
  assert.deepEqual([...f.subarray(8, 12)], [19, 22, 43, 50]);
});

Deno.test("src/backend/rust/optimizers.ts: hasFusedUpdate", async () => {
  await useBackend("cpu");
  assert.equal(hasFusedUpdate("adam"), false);
});

Deno.test("src/backend/rust/optimizers.ts: runFusedUpdate", async () => {
  await useBackend("wasm");
  const w = tf.variable(tf.tensor1d([1])), v = tf.variable(tf.zeros([1]));
  // RMSProp, alpha 0: v = g^2, w -= lr g / (|g| + eps)
  const update = { params: [w], grads: [tf.tensor1d([2])], a: [v], b: [] };
  runFusedUpdate("rmsprop", update, { lr: 0.5, alpha: 0, eps: 0, momentum: 0 });
  assert.deepEqual([...w.dataSync()], [0.5]);
  assert.deepEqual([...v.dataSync()], [4]);
});

Deno.test("src/backend/rust/reduce.ts: leadingReduction", () => {
  const r = leadingReduction([4, 3, 2], [0, 1], true);
  assert.deepEqual(r, { leading: true, rows: 12, cols: 2, shape: [1, 1, 2] });
  assert.equal(leadingReduction([4, 3], [1, 0], false).leading, false);
});

Deno.test("src/backend/rust/split.ts: planMatmul", () => {
  assert.deepEqual(planMatmul(1, 512, 512, 512, 2), {
    fn: "matmul_f32_rows",
    bounds: [0, 256, 512],
  });
  assert.equal(planMatmul(1, 16, 16, 16, 2), undefined); // small: one thread
  assert.equal(planMatmul(1, 512, 512, 512, 1), undefined);
});

Deno.test("src/backend/rust/split.ts: planRows", () => {
  assert.deepEqual(planRows(100, 2 ** 24, 2), [0, 52, 100]);
  assert.deepEqual(planRows(100, 2 ** 24, 4), [0, 24, 52, 76, 100]);
  assert.equal(planRows(100, 2 ** 10, 2), undefined); // small: one thread
  // ring8's critic: dW rows of 2 → 128 → 128 → 1 layers; the last layer's 128 rows cost 1 each.
  // Half the cost is in the first 65 rows: the split is there, not at row 129.
  assert.deepEqual(planRows(258, 2 ** 24, 2, [[2, 128], [128, 128], [128, 1]]), [0, 64, 258]);
});

Deno.test("src/backend/rust/job_block.ts: homeOrder", () => {
  const order = (thread: number) => [0, 1, 2, 3].map((k) => homeOrder(thread, 2, 4, k));
  assert.deepEqual(order(0), [0, 1, 3, 2]); // the caller: its block, then the worker's from the end
  assert.deepEqual(order(1), [2, 3, 1, 0]);
});

Deno.test("src/backend/wasm_module.ts: inspectWasm", () => {
  // (module (import "env" "memory" (memory 1)))
  const bytes = new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    2,
    15,
    1,
    3,
    101,
    110,
    118,
    6,
    109,
    101,
    109,
    111,
    114,
    121,
    2,
    0,
    1,
  ]);
  const facts = inspectWasm(bytes);
  assert.deepEqual(facts.imports, [{ module: "env", name: "memory", kind: 2 }]);
  assert.equal(facts.data, false);
});

Deno.test("src/backend/wasm_module.ts: assertZeroCopySafe", () => {
  const imported = new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    2,
    15,
    1,
    3,
    101,
    110,
    118,
    6,
    109,
    101,
    109,
    111,
    114,
    121,
    2,
    0,
    1,
  ]);
  assertZeroCopySafe(imported, "example");
  assert.throws(() => assertZeroCopySafe(imported.subarray(0, 8), "empty"), /env\.memory/);
});

Deno.test("src/backend/wasm_module.ts: withSharedMemoryImport", () => {
  const bytes = new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    2,
    15,
    1,
    3,
    101,
    110,
    118,
    6,
    109,
    101,
    109,
    111,
    114,
    121,
    2,
    0,
    1,
  ]);
  const shared = withSharedMemoryImport(bytes, 65536);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  assert.ok(new WebAssembly.Instance(new WebAssembly.Module(shared), { env: { memory } }));
});

Deno.test("src/backend/wasm_module.ts: functionExports", () => {
  // (module (func (export "f") (param i32 f32) (result i32) i32.const 0))
  const bytes = new Uint8Array([
    0,
    97,
    115,
    109,
    1,
    0,
    0,
    0,
    1,
    7,
    1,
    96,
    2,
    127,
    125,
    1,
    127,
    3,
    2,
    1,
    0,
    7,
    5,
    1,
    1,
    102,
    0,
    0,
    10,
    6,
    1,
    4,
    0,
    65,
    0,
    11,
  ]);
  assert.deepEqual(
    functionExports(bytes),
    new Map([["f", { params: ["i32", "f32"], results: ["i32"] }]]),
  );
});
