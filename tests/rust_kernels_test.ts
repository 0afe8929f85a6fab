import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { MATMUL_FLAGS, RUST_ACTIVATIONS } from "../src/backend/rust/matmul.ts";
import { hostFusesMultiplyAdd } from "../src/backend/rust/probes.ts";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { rustKernels } from "../src/backend/rust/loader.ts";
import { fixAvailable, type KernelFixName, setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { Rng } from "../src/rng.ts";

/** Sizes around the SIMD width (4), the micro-tile (4 x 8) and the packing blocks. */
const EDGES = [0, 1, 3, 4, 5, 15, 16, 17, 64, 65];
const U = 2 ** -24; // float32 unit roundoff

type Act = keyof typeof RUST_ACTIVATIONS;
const ACTS: Record<Act, (x: number, alpha: number) => number> = {
  linear: (x) => x,
  relu: (x) => (x < 0 ? 0 : x),
  relu6: (x) => (x < 0 ? 0 : x > 6 ? 6 : x),
  leakyrelu: (x, alpha) => (x < 0 ? alpha * x : x),
};

interface Case {
  batch: number;
  m: number;
  k: number;
  n: number;
  flags: number;
  /** Broadcast A or B over the batch (stride 0). */
  broadcast?: "a" | "b";
  act?: Act;
  alpha?: number;
}

/**
 * The matmul exports and the scalar reference each must equal bit for bit: the wide and the
 * 4 × 8 tile sum alike; the fused twin rounds each multiply-add once where the host fuses
 * (else, as V8 then computes it, twice).
 */
const MATMULS = [
  { kernel: "matmul_f32", ref: "matmul_f32_ref" },
  { kernel: "matmul4x8_f32", ref: "matmul_f32_ref" },
  {
    kernel: "matmul4x8_f32_fma",
    ref: hostFusesMultiplyAdd() ? "matmul_f32_fma_ref" : "matmul_f32_ref",
  },
  // The plain memory's twins (A broadcast by loads): the same references.
  { kernel: "matmul4x8_f32_splat", ref: "matmul_f32_ref" },
  {
    kernel: "matmul4x8_f32_splat_fma",
    ref: hostFusesMultiplyAdd() ? "matmul_f32_fma_ref" : "matmul_f32_ref",
  },
] as const;
type Matmul = typeof MATMULS[number];
const exported = (k: RustKernels, name: string) =>
  (k as unknown as Record<string, RustKernels["matmul_f32"]>)[name];

const SENTINEL = 0x7fc0dead; // a NaN pattern

/** A linear memory with a bump allocator; everything not handed out stays a sentinel. */
class Arena {
  static readonly memory = new WebAssembly.Memory({ initial: 64, maximum: 1024 });
  private top = 256;
  private readonly regions: [number, number][] = [];
  get memory(): WebAssembly.Memory {
    return Arena.memory;
  }
  alloc(floats: number, writable = false): number {
    const at = this.top;
    this.top += Math.ceil((floats * 4 + 12) / 16) * 16; // unaligned by 12 bytes on purpose
    if (this.top > this.memory.buffer.byteLength) {
      this.memory.grow(Math.ceil((this.top - this.memory.buffer.byteLength) / 65536));
    }
    new Uint32Array(this.memory.buffer, at, (this.top - at) / 4).fill(SENTINEL);
    if (writable) this.regions.push([at, at + floats * 4]);
    return at;
  }
  f32(at: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, floats);
  }
  /** Throws if a word outside the writable regions lost its sentinel. */
  checkUntouched(reads: [number, number][]): void {
    const words = new Uint32Array(this.memory.buffer, 0, this.top / 4);
    const inside = (byte: number) =>
      [...this.regions, ...reads].some(([s, e]) => byte >= s && byte < e);
    for (let i = 64; i < words.length; i++) {
      if (words[i] !== SENTINEL && !inside(i * 4)) {
        throw new Error(`kernel wrote outside its output at byte ${i * 4}`);
      }
    }
  }
}

/** float64 reference with the float32 error bound of each element (γ_k Σ|a b|). */
function reference(c: Case, a: Float32Array, b: Float32Array, bias?: Float32Array) {
  const { batch, m, k, n, flags } = c;
  const [ai, ap] = flags & MATMUL_FLAGS.transposeA ? [1, m] : [k, 1];
  const [bp, bj] = flags & MATMUL_FLAGS.transposeB ? [1, k] : [n, 1];
  const want = new Float64Array(batch * m * n), bound = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    const ao = c.broadcast === "a" ? 0 : t * m * k, bo = c.broadcast === "b" ? 0 : t * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0, abs = 0;
        for (let p = 0; p < k; p++) {
          const x = a[ao + i * ai + p * ap] * b[bo + p * bp + j * bj];
          s += x;
          abs += Math.abs(x);
        }
        const bj0 = bias ? bias[j] : 0;
        const o = t * m * n + i * n + j;
        want[o] = ACTS[c.act ?? "linear"](s + bj0, c.alpha ?? 0);
        bound[o] = 1.01 * (k + 2) * U * (abs + Math.abs(bj0)) * Math.max(1, c.alpha ?? 0) + 1e-37;
      }
    }
  }
  return { want, bound };
}

/** Runs a matmul export and its scalar reference on one case; returns both outputs. */
function runCase(c: Case, rng: Rng, mm: Matmul) {
  const arena = new Arena();
  const kernels = rustKernels(arena.memory);
  const { batch, m, k, n } = c;
  const aCount = (c.broadcast === "a" ? 1 : batch) * m * k;
  const bCount = (c.broadcast === "b" ? 1 : batch) * k * n;
  const a = arena.alloc(aCount), b = arena.alloc(bCount);
  const bias = c.act ? arena.alloc(n) : 0;
  const out = arena.alloc(batch * m * n, true), outRef = arena.alloc(batch * m * n, true);
  const work = arena.alloc(kernels.matmul_f32_work_len(), true);
  rng.fillNormal(arena.f32(a, aCount));
  rng.fillNormal(arena.f32(b, bCount));
  if (bias) rng.fillNormal(arena.f32(bias, n));
  const flags = c.flags | (c.act ? MATMUL_FLAGS.bias : 0);
  const act = RUST_ACTIVATIONS[c.act ?? "linear"];
  const args = [
    batch,
    m,
    k,
    n,
    flags,
    c.broadcast === "a" ? 0 : m * k,
    c.broadcast === "b" ? 0 : k * n,
    bias,
    act,
    c.alpha ?? 0,
    work,
  ] as const;
  exported(kernels, mm.kernel)(a, b, out, ...args);
  exported(kernels, mm.ref)(a, b, outRef, ...args);
  arena.checkUntouched([[a, a + aCount * 4], [b, b + bCount * 4], [bias, bias + n * 4]]);
  return {
    got: arena.f32(out, batch * m * n).slice(),
    ref: arena.f32(outRef, batch * m * n).slice(),
    ...reference(
      c,
      arena.f32(a, aCount),
      arena.f32(b, bCount),
      bias ? arena.f32(bias, n) : undefined,
    ),
  };
}

function check(c: Case, rng: Rng) {
  for (const mm of MATMULS) checkOne(c, rng, mm);
}

function checkOne(c: Case, rng: Rng, mm: Matmul) {
  const { got, ref, want, bound } = runCase(c, rng, mm);
  const what = `${mm.kernel} ${JSON.stringify(c)}`;
  for (let i = 0; i < got.length; i++) {
    // Same summation order as the scalar reference: equal bits (tighter than any tolerance).
    if (!Object.is(got[i], ref[i])) {
      assert.fail(`${what} [${i}]: simd ${got[i]} vs scalar ${ref[i]}`);
    }
    if (!(Math.abs(got[i] - want[i]) <= bound[i])) {
      assert.fail(`${what} [${i}]: ${got[i]} vs float64 ${want[i]} (bound ${bound[i]})`);
    }
  }
}

Deno.test("rust matmul_f32, matmul4x8_f32 and its fused twin: every transpose combination at SIMD-edge sizes equals the scalar reference bit for bit", () => {
  const rng = Rng.derive(0, "rust_kernels/edges");
  for (const flags of [0, 1, 2, 3]) {
    for (const m of EDGES) {
      for (const n of EDGES) {
        for (const k of [0, 1, 4, 5, 17, 65]) check({ batch: 1, m, k, n, flags }, rng);
      }
    }
  }
});

Deno.test("rust matmul_f32: large non-square, several k-blocks and column panels, batch and broadcast, few columns or rows", () => {
  const rng = Rng.derive(0, "rust_kernels/large");
  for (const flags of [0, 1, 2, 3]) {
    check({ batch: 2, m: 70, k: 517, n: 530, flags }, rng);
    check({ batch: 3, m: 33, k: 40, n: 9, flags, broadcast: "a" }, rng);
    check({ batch: 3, m: 9, k: 40, n: 33, flags, broadcast: "b" }, rng);
    // One to four columns (the unpacked path: a critic's or a 2-D generator's last layer):
    // long sums, row tails, k not a multiple of 4, bias and every activation.
    for (const n of [1, 2, 3, 4]) {
      check({ batch: 2, m: 70, k: 300, n, flags }, rng);
      check({ batch: 3, m: 7, k: 130, n, flags, broadcast: "a" }, rng);
      check({ batch: 1, m: 256, k: 131, n, flags, act: "leakyrelu", alpha: 0.2 }, rng);
      for (const act of Object.keys(ACTS) as Act[]) {
        check({ batch: 2, m: 13, k: 33, n, flags, act, alpha: 0.2 }, rng);
      }
    }
    // One or two rows (unpacked: a first layer's weight gradient), whole and partial vectors.
    for (const [m, n] of [[1, 37], [2, 128], [2, 70]]) {
      check({ batch: 2, m, k: 300, n, flags }, rng);
      check({ batch: 1, m, k: 256, n, flags, act: "leakyrelu", alpha: 0.2 }, rng);
    }
  }
});

Deno.test("rust matmul_f32: bias and every activation, at edges and across k-blocks", () => {
  const rng = Rng.derive(0, "rust_kernels/fused");
  for (const act of Object.keys(RUST_ACTIVATIONS) as Act[]) {
    for (const [m, k, n] of [[1, 1, 1], [5, 0, 17], [17, 5, 15], [65, 300, 16]]) {
      check({ batch: 2, m, k, n, flags: 3, act, alpha: 0.2 }, rng);
      check({ batch: 1, m, k, n, flags: 0, act, alpha: 0.2 }, rng);
    }
  }
});

// Through tfjs: the registered kernels against the cpu backend.

function operand(rng: Rng, shape: number[]): Float32Array {
  return rng.fillNormal(new Float32Array(shape.reduce((a, b) => a * b, 1)));
}

async function on(backend: "wasm" | "cpu", f: () => tf.Tensor): Promise<Float32Array> {
  await useBackend(backend);
  return tf.tidy(() => f().dataSync() as Float32Array);
}

function assertClose(got: Float32Array, want: Float32Array, k: number, what: string) {
  assert.equal(got.length, want.length, what);
  // Both are float32 sums of k terms of standard-normal products: a generous error bound.
  const tol = 4 * (k + 2) * U * Math.max(1, Math.sqrt(k)) * 8;
  got.forEach((v, i) =>
    assert.ok(
      Math.abs(v - want[i]) <= tol * (1 + Math.abs(want[i])),
      `${what} [${i}]: ${v} vs ${want[i]}`,
    )
  );
}

/** The plain replacement and, where the host fuses, the fused one. */
const variants = <N extends KernelFixName>(plain: N, fused: N): N[] =>
  fixAvailable(fused) ? [plain, fused] : [plain];

Deno.test("matmul_rust, matmul_rust_fma: tfjs matMul on wasm matches the cpu backend (transposes, batch, broadcast)", async () => {
  await useBackend("wasm");
  for (const fix of variants("matmul_rust", "matmul_rust_fma")) {
    setKernelFix(fix, true);
    await matmulMatchesCpu(fix);
  }
});

async function matmulMatchesCpu(fix: string) {
  const rng = Rng.derive(0, "rust_kernels/tfjs");
  const shapes = [[1, 1, 1, 1], [1, 3, 5, 7], [1, 17, 16, 15], [1, 64, 65, 4], [2, 5, 4, 3], [
    3,
    8,
    9,
    1,
  ]];
  for (const [batch, m, k, n] of shapes) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      const lead = batch > 1 ? [batch] : [];
      for (const bcast of batch > 1 ? ["", "a", "b"] : [""]) {
        const aShape = [...(bcast === "a" ? [] : lead), ...(ta ? [k, m] : [m, k])];
        const bShape = [...(bcast === "b" ? [] : lead), ...(tb ? [n, k] : [k, n])];
        const [a, b] = [operand(rng, aShape), operand(rng, bShape)];
        const f = () => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb);
        assertClose(
          await on("wasm", f),
          await on("cpu", f),
          k,
          `${fix} ${[batch, m, k, n]} ${ta} ${tb} ${bcast}`,
        );
      }
    }
  }
  // Rank 4 with equal leading dimensions.
  const [a, b] = [operand(rng, [2, 3, 4, 5]), operand(rng, [2, 3, 6, 5])];
  const f = () => tf.matMul(tf.tensor(a, [2, 3, 4, 5]), tf.tensor(b, [2, 3, 6, 5]), false, true);
  assertClose(await on("wasm", f), await on("cpu", f), 5, `${fix} rank 4`);
}

Deno.test("fused_matmul_rust, fused_matmul_rust_fma: bias + activation on wasm matches the cpu backend; other activations fall back", async () => {
  await useBackend("wasm");
  for (const fix of variants("fused_matmul_rust", "fused_matmul_rust_fma")) {
    setKernelFix(fix, true);
    await fusedMatmulMatchesCpu(fix);
  }
});

async function fusedMatmulMatchesCpu(fix: KernelFixName) {
  const rng = Rng.derive(0, "rust_kernels/tfjs_fused");
  const [x, w, bias] = [operand(rng, [2, 17, 9]), operand(rng, [2, 9, 13]), operand(rng, [13])];
  for (const activation of ["linear", "relu", "relu6", "leakyrelu", "sigmoid", "elu"] as const) {
    for (const [ta, tb] of [[false, false], [true, true]]) {
      const f = () =>
        tf.fused.matMul({
          a: ta ? tf.transpose(tf.tensor(x, [2, 17, 9]), [0, 2, 1]) : tf.tensor(x, [2, 17, 9]),
          b: tb ? tf.transpose(tf.tensor(w, [2, 9, 13]), [0, 2, 1]) : tf.tensor(w, [2, 9, 13]),
          transposeA: ta,
          transposeB: tb,
          bias: tf.tensor(bias),
          activation,
          leakyreluAlpha: 0.1,
        });
      const what = `${fix} ${activation} ${ta} ${tb}`;
      if (activation in RUST_ACTIVATIONS) {
        assertClose(await on("wasm", f), await on("cpu", f), 9, what);
      } else {
        // Not covered: the built-in runs (which itself differs from cpu for sigmoid).
        const got = await on("wasm", f);
        setKernelFix(fix, false);
        const builtin = await on("wasm", f);
        setKernelFix(fix, true);
        assert.deepEqual(got, builtin, what);
      }
    }
  }
}

Deno.test("rust kernels leak no tensor and allocate no memory per call", async () => {
  await useBackend("wasm");
  const a = tf.ones([2, 30, 40]), b = tf.ones([2, 50, 40]), bias = tf.ones([50]);
  const run = () =>
    tf.tidy(() => {
      tf.matMul(a, b, false, true).dataSync();
      tf.fused.matMul({ a, b, transposeB: true, bias, activation: "relu" }).dataSync();
    });
  run(); // warm up (binds the workspace once)
  const backend = tf.backend() as unknown as { numDataIds(): number; wasm: { HEAPU8: Uint8Array } };
  const [ids, heap] = [backend.numDataIds(), backend.wasm.HEAPU8.length];
  for (let i = 0; i < 20; i++) run();
  assert.equal(backend.numDataIds(), ids);
  assert.equal(backend.wasm.HEAPU8.length, heap);
  tf.dispose([a, b, bias]);
});

Deno.test("the fused twin rounds once where the host fuses: it differs from the plain kernel and the plain reference", () => {
  const arena = new Arena();
  const k = rustKernels(arena.memory);
  const [m, kk, n] = [17, 300, 33];
  const a = arena.alloc(m * kk), b = arena.alloc(kk * n);
  const outs = ["matmul4x8_f32", "matmul4x8_f32_fma", "matmul_f32_fma_ref"].map((name) => {
    const out = arena.alloc(m * n, true), work = arena.alloc(k.matmul_f32_work_len(), true);
    const rng = Rng.derive(0, "rust_kernels/fma");
    rng.fillNormal(arena.f32(a, m * kk));
    rng.fillNormal(arena.f32(b, kk * n));
    exported(k, name)(a, b, out, 1, m, kk, n, 0, 0, 0, 0, 0, 0, work);
    return arena.f32(out, m * n).slice();
  });
  const differ = (x: Float32Array, y: Float32Array) => x.filter((v, i) => v !== y[i]).length;
  // Long sums: most elements see at least one product whose rounding changes the sum.
  assert.ok(differ(outs[0], outs[2]) > m * n / 2, "software fma equals the plain sums");
  assert.equal(differ(outs[1], hostFusesMultiplyAdd() ? outs[2] : outs[0]), 0);
});
