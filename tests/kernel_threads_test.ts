import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { homeOrder } from "../src/backend/rust/job_block.ts";
import { KernelThreads } from "../src/backend/rust/kernel_threads.ts";
import { MATMUL_FLAGS, RUST_ACTIVATIONS } from "../src/backend/rust/matmul.ts";
import { sharedKernelsModule } from "../src/backend/rust/loader.ts";
import { MATMUL_SPLIT, MATMUL_TILE, planMatmul, planRows } from "../src/backend/rust/split.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { Rng } from "../src/rng.ts";

/** Sizes around the SIMD width (4), the micro-tile (4 x 8) and the packing blocks. */
const EDGES = [0, 1, 3, 4, 5, 15, 16, 17, 64, 65];
const SENTINEL = 0x7fc0dead; // a NaN pattern

type Exports = Record<string, (...args: number[]) => void> & { matmul_f32_work_len(): number };

/** A shared memory with a bump allocator, the kernels on it and a pool of `threads`. */
class Setup {
  readonly memory = new WebAssembly.Memory({ initial: 256, maximum: 4096, shared: true });
  readonly module = sharedKernelsModule();
  readonly kernels = new WebAssembly.Instance(this.module, { env: { memory: this.memory } })
    .exports as unknown as Exports;
  readonly pool: KernelThreads;
  private top = 1024;
  private readonly base: number;

  constructor(threads: number) {
    const bytes = this.kernels.matmul_f32_work_len() * 4;
    const work = Array.from({ length: threads }, () => this.alloc(bytes / 4));
    this.base = this.top;
    this.pool = KernelThreads.start({
      module: this.module,
      memory: this.memory,
      caller: this.kernels as unknown as WebAssembly.Exports,
      threads,
      work,
    });
  }
  /** Frees everything allocated after the workspaces. */
  reset(): void {
    this.top = this.base;
  }
  alloc(floats: number): number {
    const at = this.top;
    this.top += Math.ceil((floats * 4 + 12) / 16) * 16 + 64; // 64 guard bytes
    const need = this.top - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / 65536));
    new Uint32Array(this.memory.buffer, at, (this.top - at) / 4).fill(SENTINEL);
    return at;
  }
  f32(at: number, floats: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, floats);
  }
  /** The words from `at + floats` to the next allocation (the guard) still hold the sentinel. */
  guardIntact(at: number, floats: number): boolean {
    return new Uint32Array(this.memory.buffer, at + floats * 4, 16).every((w) => w === SENTINEL);
  }
  /** Waits until every worker has started (so jobs can be shared). */
  async ready(): Promise<void> {
    while (this.pool.ready < this.pool.threads - 1) await new Promise((r) => setTimeout(r, 5));
  }
}

interface Case {
  batch: number;
  m: number;
  k: number;
  n: number;
  flags: number;
  broadcast?: "a" | "b";
  act?: keyof typeof RUST_ACTIVATIONS;
}

/** `parts` bounds over `0..end`, on multiples of `step` (1: anywhere). */
function evenBounds(end: number, parts: number, step: number): number[] {
  const bounds = [0];
  for (let p = 1; p < parts; p++) {
    const b = Math.min(end, Math.round((end * p) / parts / step) * step);
    if (b > bounds[bounds.length - 1]) bounds.push(b);
  }
  if (end > bounds[bounds.length - 1]) bounds.push(end);
  return bounds;
}

/** Every split of a case the test runs: rows and columns, on the tile and off it. */
function splits(c: Case): [string, number[]][] {
  const out: [string, number[]][] = [];
  for (const parts of [2, 3, 7]) {
    out.push(["matmul_f32_rows", evenBounds(c.batch * c.m, parts, MATMUL_TILE.rows)]);
    out.push(["matmul_f32_rows", evenBounds(c.batch * c.m, parts, 1)]);
    out.push(["matmul_f32_cols", evenBounds(c.n, parts, MATMUL_TILE.cols)]);
    out.push(["matmul_f32_cols", evenBounds(c.n, parts, 1)]);
  }
  const planned = planMatmul(c.batch, c.m, c.k, c.n, 2);
  if (planned) out.push([planned.fn, [...planned.bounds]]);
  return out;
}

/** Runs `matmul_f32` on the caller, then every split on the pool: all must give its bits. */
function check(s: Setup, c: Case, rng: Rng): void {
  s.reset();
  const { batch, m, k, n } = c;
  const aCount = (c.broadcast === "a" ? 1 : batch) * m * k;
  const bCount = (c.broadcast === "b" ? 1 : batch) * k * n;
  const a = s.alloc(aCount), b = s.alloc(bCount), bias = s.alloc(n);
  const whole = s.alloc(batch * m * n), parts = s.alloc(batch * m * n);
  rng.fillNormal(s.f32(a, aCount));
  rng.fillNormal(s.f32(b, bCount));
  rng.fillNormal(s.f32(bias, n));
  const flags = c.flags | (c.act ? MATMUL_FLAGS.bias : 0);
  const rest = [
    batch,
    m,
    k,
    n,
    flags,
    c.broadcast === "a" ? 0 : m * k,
    c.broadcast === "b" ? 0 : k * n,
    bias,
    RUST_ACTIVATIONS[c.act ?? "linear"],
    0.2,
  ];
  s.kernels.matmul_f32(a, b, whole, ...rest, s.alloc(s.kernels.matmul_f32_work_len()));
  const want = new Uint32Array(s.memory.buffer, whole, batch * m * n).slice();
  for (const [fn, bounds] of splits(c)) {
    new Uint32Array(s.memory.buffer, parts, batch * m * n).fill(SENTINEL);
    s.pool.run(fn, [a, b, parts, ...rest], bounds);
    const got = new Uint32Array(s.memory.buffer, parts, batch * m * n);
    const what = `${JSON.stringify(c)} ${fn} ${bounds}`;
    const bad = got.findIndex((w, i) => w !== want[i]);
    if (bad >= 0) assert.fail(`${what} [${bad}]: ${got[bad]} vs ${want[bad]}`);
    assert.ok(s.guardIntact(parts, batch * m * n), `${what}: wrote past C`);
  }
}

// Pure functions first: a bad claim order would leave a part unclaimed and the pool tests waiting.
Deno.test("homeOrder: each thread tries every part once, its own contiguous block first; the blocks tile the parts in thread order", () => {
  for (let threads = 1; threads <= 8; threads++) {
    for (let parts = 0; parts <= 20; parts++) {
      const homes: number[] = [];
      for (let t = 0; t < threads; t++) {
        const order = Array.from({ length: parts }, (_, k) => homeOrder(t, threads, parts, k));
        const what = `thread ${t} of ${threads}, ${parts} parts: ${order}`;
        assert.deepEqual(order.toSorted((a, b) => a - b), [...Array(parts).keys()], what);
        const home = Math.floor(((t + 1) * parts) / threads) - Math.floor((t * parts) / threads);
        homes.push(...order.slice(0, home));
        // The rest: from the last part backwards.
        const rest = order.slice(home);
        assert.deepEqual(rest, rest.toSorted((a, b) => b - a), what);
        const inOrder = Array.from(
          { length: parts },
          (_, k) => homeOrder(t, threads, parts, k, false),
        );
        assert.deepEqual(inOrder, [...Array(parts).keys()]);
      }
      assert.deepEqual(homes, [...Array(parts).keys()], `${threads} threads, ${parts} parts`);
    }
  }
});

Deno.test("planRows with costs: each part's cost within a micro-tile's rows of an equal share; one segment is the plain split", () => {
  for (const threads of [2, 3, 8]) {
    for (
      const segments of [[[2, 128], [128, 128], [128, 1]], [[64, 7], [256, 300], [300, 2]], [
        [5, 0],
        [100, 10],
      ]] as [number, number][][]
    ) {
      const rows = segments.reduce((n, [r]) => n + r, 0);
      const bounds = planRows(rows, 2 ** 24, threads, segments)!;
      const cost = (r: number) => {
        let c = 0, first = 0;
        for (const [n, each] of segments) {
          c += Math.max(0, Math.min(n, r - first)) * each, first += n;
        }
        return c;
      };
      const total = cost(rows), parts = bounds.length - 1;
      const what = `${JSON.stringify(segments)} on ${threads}: ${bounds}`;
      assert.equal(bounds[0], 0, what);
      assert.equal(bounds[parts], rows, what);
      const most = Math.max(...segments.map(([, each]) => each)) * MATMUL_TILE.rows;
      for (let p = 1; p < parts; p++) {
        assert.ok(bounds[p] > bounds[p - 1] && bounds[p] % MATMUL_TILE.rows === 0, what);
        assert.ok(Math.abs(cost(bounds[p]) - (total * p) / parts) <= most, what);
      }
    }
    assert.deepEqual(
      planRows(1000, 2 ** 24, threads, [[1000, 3]]),
      planRows(1000, 2 ** 24, threads),
    );
  }
});

Deno.test("kernel threads: every split of matmul_f32 (rows, columns, any bounds) has its bits", async () => {
  const s = new Setup(2);
  await s.ready();
  const rng = Rng.derive(0, "kernel_threads/edges");
  for (const flags of [0, 1, 2, 3]) {
    for (const m of EDGES) {
      for (const n of EDGES) {
        for (const k of [0, 1, 5, 17]) check(s, { batch: 1, m, k, n, flags }, rng);
      }
    }
  }
  s.pool.dispose();
});

Deno.test("kernel threads: batches, broadcasts, bias + activations, k-blocks and column panels split", async () => {
  const s = new Setup(3);
  await s.ready();
  const rng = Rng.derive(0, "kernel_threads/large");
  for (const flags of [0, 1, 2, 3]) {
    check(s, { batch: 2, m: 70, k: 300, n: 530, flags }, rng);
    check(s, { batch: 3, m: 33, k: 40, n: 9, flags, broadcast: "a" }, rng);
    check(s, { batch: 3, m: 9, k: 40, n: 33, flags, broadcast: "b" }, rng);
    check(s, { batch: 5, m: 3, k: 17, n: 65, flags }, rng);
    for (const act of Object.keys(RUST_ACTIVATIONS) as (keyof typeof RUST_ACTIVATIONS)[]) {
      check(s, { batch: 2, m: 17, k: 5, n: 15, flags, act }, rng);
      check(s, { batch: 1, m: 65, k: 260, n: 16, flags, act }, rng);
    }
  }
  s.pool.dispose();
});

Deno.test("kernel threads: left to the workers (callerRunsParts off), every part runs there with its bits; partMs times them once timeParts is on", async () => {
  const s = new Setup(3);
  await s.ready();
  const sum = (xs: number[]) => xs[1] + xs[2];
  // Untimed, parts add nothing to partMs.
  check(s, { batch: 2, m: 70, k: 300, n: 53, flags: 0 }, Rng.derive(0, "kernel_threads/untimed"));
  assert.deepEqual(s.pool.partMs(), [0, 0, 0]);
  s.pool.timeParts = true;
  const [runs0, ms0] = [s.pool.partsRun(), s.pool.partMs()];
  s.pool.callerRunsParts = false;
  check(s, { batch: 2, m: 70, k: 300, n: 53, flags: 0 }, Rng.derive(0, "kernel_threads/workers"));
  const [runs1, ms1] = [s.pool.partsRun(), s.pool.partMs()];
  assert.equal(runs1[0], runs0[0], "the caller ran no part");
  assert.equal(ms1[0], ms0[0]);
  assert.ok(sum(runs1) > sum(runs0) && sum(ms1) > sum(ms0), `${runs1} parts, ${ms1} ms`);
  s.pool.callerRunsParts = true;
  s.pool.timeParts = false;
  s.pool.dispose();
});

Deno.test("kernel threads: home blocks or parts in order, and across the job tags' int32 wrap, every split has its bits", async () => {
  const s = new Setup(3);
  await s.ready();
  const rng = Rng.derive(0, "kernel_threads/home");
  for (const home of [true, false]) {
    s.pool.homeParts = home;
    check(s, { batch: 2, m: 70, k: 300, n: 53, flags: 0 }, rng);
  }
  s.pool.homeParts = true;
  // The job counter just below 2^31: the tags go negative within these jobs (each check runs ~14).
  (s.pool as unknown as { job: number }).job = 2 ** 31 - 5;
  for (let i = 0; i < 3; i++) check(s, { batch: 1, m: 65, k: 40, n: 33, flags: 0 }, rng);
  assert.ok((s.pool as unknown as { job: number }).job < 0, "the tags wrapped");
  s.pool.dispose();
});

Deno.test("kernel threads: thousands of tiny jobs on more threads than cores, in both claim orders: every part runs once, with its bits", async () => {
  const s = new Setup(4); // on a 2-core machine: threads preempted mid-claim, late wakers
  await s.ready();
  const rng = Rng.derive(0, "kernel_threads/stress");
  const [m, k, n] = [64, 4, 8];
  const a = s.alloc(m * k), b = s.alloc(k * n), whole = s.alloc(m * n), parts = s.alloc(m * n);
  rng.fillNormal(s.f32(a, m * k));
  rng.fillNormal(s.f32(b, k * n));
  const rest = [1, m, k, n, 0, m * k, k * n, 0, 0, 0];
  s.kernels.matmul_f32(a, b, whole, ...rest, s.alloc(s.kernels.matmul_f32_work_len()));
  const want = new Uint32Array(s.memory.buffer, whole, m * n).slice();
  const got = new Uint32Array(s.memory.buffer, parts, m * n);
  const ran = () => s.pool.partsRun().reduce((x, y) => x + y, 0);
  for (let job = 0; job < 3000; job++) {
    s.pool.homeParts = job % 3 !== 0;
    s.pool.callerRunsParts = job % 5 !== 0;
    const count = 2 + rng.int(8);
    const cuts = new Set<number>();
    while (cuts.size < count - 1) cuts.add(1 + rng.int(m - 1));
    const bounds = [0, ...[...cuts].sort((x, y) => x - y), m];
    got.fill(SENTINEL);
    const before = ran();
    s.pool.run("matmul_f32_rows", [a, b, parts, ...rest], bounds);
    assert.equal(ran() - before, count, `job ${job}: ${bounds}`);
    const bad = got.findIndex((w, i) => w !== want[i]);
    if (bad >= 0) assert.fail(`job ${job} ${bounds} [${bad}]: ${got[bad]} vs ${want[bad]}`);
  }
  s.pool.homeParts = true;
  s.pool.callerRunsParts = true;
  s.pool.dispose();
});

Deno.test("kernel threads: a trap in a part is rethrown by run, and the pool keeps working", async () => {
  const s = new Setup(2);
  await s.ready();
  const outside = s.memory.buffer.byteLength + 4096; // every part reads out of bounds
  assert.throws(
    () => s.pool.run("matmul_f32_rows", [outside, 0, 0, 1, 8, 8, 8, 0, 0, 0, 0, 0, 0], [0, 4, 8]),
    /^Error: kernel thread [01]: matmul_f32_rows: .*out of bounds/,
  );
  check(s, { batch: 1, m: 16, k: 16, n: 16, flags: 0 }, Rng.derive(0, "kernel_threads/trap"));
  assert.throws(() => s.pool.run("no_such_export", [], [0, 1]), /no export no_such_export/);
  s.pool.dispose();
  assert.throws(() => s.pool.run("matmul_f32_rows", [], [0, 1]), /disposed/);
});

Deno.test("kernel threads: a worker that cannot start is reported by the next run", async () => {
  // (module (import "env" "f" (func))): instantiating it with only a memory fails in the worker.
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
    4,
    1,
    96,
    0,
    0,
    2,
    9,
    1,
    3,
    101,
    110,
    118,
    1,
    102,
    0,
    0,
  ]);
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const pool = KernelThreads.start({
    module: new WebAssembly.Module(bytes),
    memory,
    caller: {},
    threads: 2,
    work: [0, 0],
  });
  // Until the worker has failed, run refuses only the unknown export.
  let error: Error | undefined;
  for (let i = 0; i < 1000 && !/kernel thread 1/.test(String(error)); i++) {
    await new Promise((r) => setTimeout(r, 10));
    try {
      pool.run("anything", [], [0]);
    } catch (e) {
      error = e as Error;
    }
  }
  assert.match(String(error), /kernel thread 1 failed: .*(import|LinkError|function)/i);
  pool.dispose();
});

Deno.test("kernel threads: bad options are refused with what would be valid", () => {
  const memory = new WebAssembly.Memory({ initial: 1 }); // not shared
  const module = sharedKernelsModule();
  const base = { module, memory, caller: {} };
  assert.throws(() => KernelThreads.start({ ...base, threads: 9, work: [] }), /integer in 1\.\.8/);
  assert.throws(() => KernelThreads.start({ ...base, threads: 2, work: [0] }), /1 workspaces/);
  assert.throws(() => KernelThreads.start({ ...base, threads: 2, work: [0, 0] }), /not shared/);
});

Deno.test("planMatmul: bounds cover the rows or columns on the micro-tile, small products stay whole", () => {
  for (const batch of [1, 2, 7]) {
    for (const m of [1, 3, 4, 17, 64, 130, 512]) {
      for (const n of [1, 8, 9, 100, 512, 2048]) {
        for (const threads of [1, 2, 3, 8]) {
          const k = 256;
          const plan = planMatmul(batch, m, k, n, threads);
          const what = `${batch}x${m}x${k}x${n} on ${threads}`;
          if (threads === 1 || batch * m * k * n < MATMUL_SPLIT.minMacs) {
            assert.equal(plan, undefined, what);
            continue;
          }
          if (!plan) {
            // Only when neither rows nor columns have two micro-tiles.
            assert.ok(batch * Math.ceil(m / 4) < 2 && Math.ceil(n / 8) < 2, what);
            continue;
          }
          const { fn, bounds } = plan;
          const end = fn === "matmul_f32_rows" ? batch * m : n;
          assert.equal(bounds[0], 0, what);
          assert.equal(bounds[bounds.length - 1], end, what);
          assert.ok(bounds.length >= 3, what);
          assert.ok(bounds.length - 1 <= threads * MATMUL_SPLIT.partsPerThread, what);
          for (let p = 1; p < bounds.length; p++) {
            assert.ok(bounds[p] > bounds[p - 1], `${what}: ${bounds}`);
            if (p === bounds.length - 1) continue;
            const inMatrix = fn === "matmul_f32_rows" ? bounds[p] % m : bounds[p];
            const step = fn === "matmul_f32_rows" ? MATMUL_TILE.rows : MATMUL_TILE.cols;
            // On the tile, or at the end of a matrix.
            assert.ok(inMatrix % step === 0 || (fn === "matmul_f32_rows" && inMatrix === 0), what);
          }
        }
      }
    }
  }
});

Deno.test({
  name:
    "matmul_rust on 2 tfjs threads: same bits as 1 thread (transposes, batch, bias + activations)",
  // The threaded backend keeps its pthread workers (and Duel's kernel threads) for the process.
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const rng = Rng.derive(0, "kernel_threads/tfjs");
    const shapes = [[1, 300, 200, 100], [1, 8, 512, 700], [3, 65, 130, 67], [2, 129, 64, 256]];
    const cases = shapes.flatMap(([batch, m, k, n]) =>
      [[false, false], [true, false], [false, true], [true, true]].map(([ta, tb]) => {
        const lead = batch > 1 ? [batch] : [];
        const aShape = [...lead, ...(ta ? [k, m] : [m, k])],
          bShape = [...lead, ...(tb ? [n, k] : [k, n])];
        const data = [aShape, bShape, [n]].map((s) =>
          rng.fillNormal(new Float32Array(s.reduce((x, y) => x * y, 1)))
        );
        return { aShape, bShape, ta, tb, data, n };
      })
    );
    const bits = (t: tf.Tensor) => {
      const x = t.dataSync() as Float32Array;
      t.dispose();
      return new Uint32Array(x.buffer, x.byteOffset, x.length).slice();
    };
    const products = () =>
      cases.flatMap(({ aShape, bShape, ta, tb, data, n }) => {
        const [a, b, bias] = [
          tf.tensor(data[0], aShape),
          tf.tensor(data[1], bShape),
          tf.tensor(data[2], [n]),
        ];
        const fused = { a, b, transposeA: ta, transposeB: tb, bias, leakyreluAlpha: 0.1 };
        const out = [
          bits(tf.matMul(a, b, ta, tb)),
          bits(tf.fused.matMul({ ...fused, activation: "relu" })),
          bits(tf.fused.matMul({ ...fused, activation: "leakyrelu" })),
        ];
        tf.dispose([a, b, bias]);
        return out;
      });
    await useBackend("wasm");
    const one = products();
    const info = await useBackend("wasm", 2);
    assert.equal(info.backend, "wasm-threaded");
    const two = products();
    await useBackend("wasm");
    for (let i = 0; i < one.length; i++) {
      const bad = one[i].findIndex((w, j) => w !== two[i][j]);
      assert.equal(bad, -1, `product ${i}: element ${bad} differs`);
    }
  },
});

Deno.test("kernel threads never keep the process alive (no dispose, threaded backend in use)", async () => {
  const here = new URL("../src/backend/", import.meta.url).href;
  const rust = new URL("../src/backend/rust/", import.meta.url).href;
  const code = `
    import * as tf from "@tensorflow/tfjs-core";
    import { useBackend } from "${here}tfjs.ts";
    import { KernelThreads } from "${rust}kernel_threads.ts";
    import { sharedKernelsModule } from "${rust}loader.ts";
    const module = sharedKernelsModule();
    const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
    const caller = new WebAssembly.Instance(module, { env: { memory } }).exports;
    const pool = KernelThreads.start({ module, memory, caller, threads: 3, work: [0, 1 << 20, 2 << 20] });
    pool.run("matmul_f32_rows", [3 << 20, 3 << 20, 3.5 * 2 ** 20, 1, 64, 64, 64, 0, 0, 0, 0, 0, 0], [0, 16, 32, 64]);
    await useBackend("wasm", 2);
    tf.matMul(tf.ones([300, 300]), tf.ones([300, 300])).dataSync();
    console.log("ran");`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("../deno.json", import.meta.url).pathname, code],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(300_000), // a process that never exits fails instead of hanging
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, err);
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "ran", err);
});
