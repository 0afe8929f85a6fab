import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { denseChainRounding, type KernelFixName, setKernelFix } from "../src/backend/kernels.ts";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { CHAIN_ACTIVATIONS, type ChainActivation } from "../src/backend/rust/dense_chain.ts";
import { rustKernels } from "../src/backend/rust/loader.ts";
import { boundRustKernels } from "../src/backend/rust/bound.ts";
import { SPLAT_TWINS } from "../src/backend/rust/gemm.ts";
import { memoryOf, type WasmBackend } from "../src/backend/wasm_backend.ts";
import { hostFusesMultiplyAdd } from "../src/backend/rust/probes.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { buildNetwork, type LayerSpec } from "../src/nn/network.ts";
import { EVAL_MODE } from "../src/nn/layers.ts";
import { Rng } from "../src/rng.ts";
import { Trainer } from "../src/train/trainer.ts";
import { tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

const SENTINEL = 0x7fc0dead; // a NaN pattern: unwritten outputs show

/** A chain for the kernel tests: batch, widths (input, then each layer's units), activations. */
interface Case {
  readonly batch: number;
  readonly widths: readonly number[];
  readonly acts: readonly ChainActivation[];
}

const CASES: Case[] = [
  { batch: 1, widths: [1, 1], acts: ["linear"] },
  { batch: 5, widths: [3, 17, 4, 1], acts: ["relu", "leaky_relu", "linear"] },
  { batch: 17, widths: [2, 16, 5, 2], acts: ["leaky_relu", "relu", "relu"] },
  { batch: 64, widths: [8, 33, 16], acts: ["relu", "linear"] },
  { batch: 40, widths: [2, 128, 128, 1], acts: ["leaky_relu", "leaky_relu", "linear"] },
  // A 2-D generator (last layer unpacked, row tails) and three and four outputs.
  { batch: 70, widths: [2, 128, 64, 2], acts: ["relu", "relu", "linear"] },
  { batch: 9, widths: [6, 12, 3], acts: ["leaky_relu", "relu"] },
  { batch: 21, widths: [4, 9, 4], acts: ["relu", "linear"] },
  { batch: 0, widths: [2, 4, 1], acts: ["relu", "linear"] },
];

type Pass = "dense_chain_f32" | "dense_chain_grad_f32" | "dense_chain_weights_f32";
type Name =
  | Pass
  | `${Pass}_fma`
  | `${Pass}_splat`
  | `${Pass}_splat_fma`
  | `${Pass}_ref`
  | `${Pass}_fma_ref`;

/**
 * Runs the three passes of `c` on a fresh memory (forward, then the `dz`,
 * then the weights), each pass `name(pass)` over the parts `bounds(rows)`,
 * and returns every word of the memory the passes write (and the rest).
 */
function runChain(c: Case, name: (p: Pass) => Name, bounds: (rows: number) => number[]) {
  const memory = new WebAssembly.Memory({ initial: 48 });
  const kernels = rustKernels(memory);
  const k = kernels as unknown as Record<Name, RustKernels["dense_chain_f32"]>;
  const f32 = new Float32Array(memory.buffer), u32 = new Uint32Array(memory.buffer);
  u32.fill(SENTINEL);
  let top = 64;
  const alloc = (floats: number) => {
    const at = top;
    top += floats * 4 + 64;
    return at;
  };
  const rng = Rng.derive(0, `dense_chain/${c.widths.join("x")}/${c.batch}`);
  const put = (floats: number, zeroRows = false) => {
    const at = alloc(floats);
    const x = rng.fillNormal(new Float32Array(floats));
    if (zeroRows) x.fill(0, 0, Math.min(floats, c.widths[0])); // row 0 of x: z = b there
    f32.set(x, at / 4);
    return at;
  };
  const layers = c.acts.length, last = layers - 1;
  const x = put(c.batch * c.widths[0], true);
  const rows = c.acts.map((act, l) => {
    const [fanIn, units] = [c.widths[l], c.widths[l + 1]];
    const w = put(fanIn * units), b = put(units);
    if (l === 0) f32[b / 4] = 0; // with the zero row: z exactly 0, relu's gradient's edge
    const z = alloc(c.batch * units);
    const h = act === "linear" ? z : alloc(c.batch * units);
    const dz = alloc(c.batch * units);
    return { fanIn, units, act, w, b, z, h, dz, dw: alloc(fanIn * units), db: alloc(units) };
  });
  const dy = put(c.batch * c.widths[layers]);
  const table = alloc(13 * layers);
  rows.forEach((r, l) => {
    const e = table / 4 + 13 * l;
    u32.set([r.fanIn, r.units, CHAIN_ACTIVATIONS[r.act], 0], e);
    f32[e + 3] = 0.2;
    const input = l === 0 ? x : rows[l - 1].h;
    u32.set([input, r.w, r.b, r.z, r.h, l === last ? dy : r.dz, r.dz, r.dw, r.db], e + 4);
  });
  const scratch = 2 << 20; // the GEMM's workspace, above what is compared
  assert.ok(
    top < scratch && scratch + kernels.matmul_f32_work_len() * 4 <= memory.buffer.byteLength,
  );
  const run = (pass: Pass, total: number) => {
    const cuts = bounds(total);
    for (let p = 0; p + 1 < cuts.length; p++) {
      k[name(pass)](table, layers, c.batch, scratch, cuts[p], cuts[p + 1]);
    }
  };
  run("dense_chain_f32", c.batch);
  run("dense_chain_grad_f32", c.batch);
  run("dense_chain_weights_f32", c.widths.slice(0, -1).reduce((a, b) => a + b, 0));
  return u32.slice(0, top / 4);
}

const whole = (rows: number) => [0, rows];
const parts = (rows: number) => [...new Set([0, 1, 4, 9, 21, rows].filter((b) => b <= rows))];

Deno.test("dense_chain_f32, _grad_f32, _weights_f32 and their fused and plain-memory twins equal their scalar reference bit for bit, on any split", () => {
  const fused = hostFusesMultiplyAdd();
  const variants: [string, (p: Pass) => Name, (p: Pass) => Name][] = [
    ["plain", (p) => p, (p) => `${p}_ref`],
    // Where the host does not fuse, relaxed_madd computes the plain bits.
    ["fused", (p) => `${p}_fma`, (p) => (fused ? `${p}_fma_ref` : `${p}_ref`)],
    // The plain memory's twins (A broadcast by loads): the same references.
    ["plain, splat", (p) => `${p}_splat`, (p) => `${p}_ref`],
    ["fused, splat", (p) => `${p}_splat_fma`, (p) => (fused ? `${p}_fma_ref` : `${p}_ref`)],
  ];
  for (const c of CASES) {
    for (const [what, kernel, reference] of variants) {
      const label = `${what} ${c.batch} x ${c.widths.join("-")} ${c.acts.join(",")}`;
      const ref = runChain(c, reference, whole);
      for (const [how, split] of [["whole", whole], ["in parts", parts]] as const) {
        const got = runChain(c, kernel, split);
        const bad = got.findIndex((w, i) => w !== ref[i]);
        assert.equal(bad, -1, `${label} ${how}: word ${bad} differs`);
      }
    }
  }
});

const LAYERS: LayerSpec[] = [
  { type: "dense", units: 33 },
  { type: "relu" },
  { type: "dense", units: 20 },
  { type: "leaky_relu", alpha: 0.2 },
  { type: "dense", units: 3 },
  { type: "tanh" },
  { type: "dense", units: 16 },
  { type: "linear" },
  { type: "dense", units: 2 },
];

/** A network's output and the gradients of a weighted sum of it (input and every parameter), as bits. */
function outputAndGrads(chain: boolean, batch: number, width = 5, layers = LAYERS): Uint32Array[] {
  setKernelFix("dense_chain_rust", chain);
  assert.equal(denseChainRounding() !== undefined, chain);
  const net = buildNetwork(layers, [width], Rng.derive(1, "dense_chain/net"));
  const rng = Rng.derive(2, `dense_chain/data${batch}`);
  const x = tf.tensor2d(rng.fillNormal(new Float32Array(batch * width)), [batch, width]);
  const x0 = tf.concat([tf.zeros([1, width]), tf.slice(x, [1, 0])]); // a zero row: z = b there
  const out = net.outShape[0];
  const c = tf.tensor2d(rng.fillNormal(new Float32Array(batch * out)), [batch, out]);
  const f = (input: tf.Tensor) => tf.sum(tf.mul(net.apply(input, EVAL_MODE) as tf.Tensor, c));
  const bits = (t: tf.Tensor) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer);
  const y = bits(net.apply(x0, EVAL_MODE) as tf.Tensor);
  const dx = bits(tf.grad(f)(x0));
  const vars = net.params.map((p) => p.variable as unknown as tf.Variable);
  const { grads } = tf.variableGrads(() => f(x0) as tf.Scalar, vars);
  const result = [y, dx, ...vars.map((v) => bits(grads[v.name]))];
  tf.dispose([x, x0, c, ...Object.values(grads), ...vars]);
  setKernelFix("dense_chain_rust", true);
  return result;
}

function assertSameBits(a: Uint32Array[], b: Uint32Array[], what: string) {
  assert.equal(a.length, b.length);
  a.forEach((t, i) => {
    const bad = t.findIndex((w, j) => w !== b[i][j]);
    assert.equal(bad, -1, `${what}: tensor ${i}, element ${bad} differs`);
  });
}

Deno.test("a network's dense chains give the per-op layers' output and gradients, bit for bit", () => {
  const matmuls: KernelFixName[] = ["matmul_rust"];
  if (hostFusesMultiplyAdd()) matmuls.push("matmul_rust_fma");
  for (const matmul of matmuls) {
    setKernelFix(matmul, true);
    for (const batch of [1, 7, 64]) {
      assertSameBits(
        outputAndGrads(true, batch),
        outputAndGrads(false, batch),
        `${matmul} ${batch}`,
      );
    }
  }
  setKernelFix(hostFusesMultiplyAdd() ? "matmul_rust_fma" : "matmul_rust", true);
});

Deno.test("no dense chain where the matmul in force is not Duel's (its bits could not be kept)", () => {
  setKernelFix("matmul_transpose", true);
  assert.equal(denseChainRounding(), undefined);
  setKernelFix(hostFusesMultiplyAdd() ? "matmul_rust_fma" : "matmul_rust", true);
  assert.ok(denseChainRounding() !== undefined);
  setKernelFix("dense_chain_grad_rust", false);
  assert.equal(denseChainRounding(), undefined);
  setKernelFix("dense_chain_grad_rust", true);
});

for (const extra of ["", "regularizers: [{ name: gradient_penalty, weight: 0.1 }]"]) {
  const what = extra ? "with a gradient penalty (double backprop)" : "";
  Deno.test(`training with dense chains gives the per-op run's bits ${what}`, async () => {
    const train = async (chain: boolean) => {
      setKernelFix("dense_chain_rust", chain);
      const { config } = parseExperiment(tinyExperiment("/nonexistent", extra));
      const trainer = Trainer.create(config);
      const rows = [];
      for await (const m of trainer.run(5)) rows.push(m);
      const weights = trainer.state().tensors.map((t) => Array.from(t.data));
      trainer.dispose();
      return { rows, weights };
    };
    const off = await train(false);
    const on = await train(true);
    assert.deepEqual(on, off);
  });
}

/** Whether the kernels bound to the current backend run the plain-memory twins (all of them). */
function twinsInForce(): boolean {
  const backend = tf.backend();
  const raw = rustKernels(memoryOf(backend as unknown as WasmBackend)) as unknown as Record<
    string,
    unknown
  >;
  const bound = boundRustKernels(backend).kernels as unknown as Record<string, unknown>;
  const pairs = Object.entries(SPLAT_TWINS);
  const twins = pairs.filter(([from, to]) => bound[from] === raw[to]).length;
  assert.ok(twins === 0 || twins === pairs.length, `${twins} of ${pairs.length} twins`);
  assert.equal(bound.relu_f32, raw.relu_f32); // everything else as it is
  return twins > 0;
}

Deno.test("the kernels bound to a plain memory (one thread) run the plain-memory twins", () => {
  assert.ok(
    !(memoryOf(tf.backend() as unknown as WasmBackend).buffer instanceof SharedArrayBuffer),
  );
  assert.equal(twinsInForce(), true);
});

Deno.test({
  name: "dense chains on 2 tfjs threads (batch rows and dW rows split): the 1-thread per-op bits",
  // The threaded backend keeps its pthread workers (and Duel's kernel threads) for the process.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const layers: LayerSpec[] = [
      { type: "dense", units: 128 },
      { type: "leaky_relu", alpha: 0.2 },
      { type: "dense", units: 128 },
      { type: "relu" },
      { type: "dense", units: 1 },
    ];
    const one = outputAndGrads(false, 256, 2, layers);
    const info = await useBackend("wasm", 2);
    assert.equal(info.backend, "wasm-threaded");
    assert.equal(twinsInForce(), false, "a shared memory keeps the shuffling tile");
    const two = outputAndGrads(true, 256, 2, layers);
    await useBackend("wasm");
    assertSameBits(two, one, "2 threads");
  },
});
