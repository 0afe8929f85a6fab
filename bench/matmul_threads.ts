/**
 * Rust matmul on 1 and 2 threads, side by side in one process (rounds
 * interleaved, so a busy neighbour slows both alike), with GFLOP/s:
 *
 *   deno run -A bench/matmul_threads.ts [--rounds 15] [--ghz 3.5] [--sizes] [--wake] [--streak]
 *
 * 1. Through tfjs: `tf.matMul` of 512³ (every transpose) on the stock `wasm`
 *    backend (1 thread) and on the threaded build with 2 threads (the Rust
 *    kernel split over Duel's kernel threads), and tfjs's built-in on both.
 * 2. `--sizes`: the kernel alone on a shared memory, whole on the calling
 *    thread vs split in 2 row blocks on a 2-thread pool, for small and
 *    medium shapes: where splitting starts to pay (`MATMUL_SPLIT.minMacs`).
 * 3. `--wake`: the pool's dispatch cost: an empty job (every part empty) and
 *    512³ split in 2 and 4 row parts, each right after the previous job (the
 *    worker still spinning) and after a 5 ms pause (the worker asleep on its
 *    futex, so `Atomics.notify` has to wake it), with who ran the parts.
 * 4. `--streak`: 512³ A·B through tfjs, not interleaved: all 1-thread calls,
 *    then all 2-thread calls, back to back and with a 5 ms pause before each
 *    (the worker asleep): the speed-up of a run of products, as in training.
 *
 * Also the process CPU time per call: on a shared machine the wall-time ratio
 * says little (a busy second core gives no speed-up), the CPU time per call of
 * 2 threads over 1 is the work the split adds, which bounds the speed-up with
 * a free core (2 / that).
 *
 * Roofline (kernels/README.md): 16 flop/cycle per core for simd128 without
 * FMA, i.e. 16 · GHz GFLOP/s per thread.
 */
import * as tf from "@tensorflow/tfjs-core";
import { parseArgs } from "node:util";
import process from "node:process";
import { setBuiltinThreads, useBackend } from "../src/backend/tfjs.ts";
import { KernelThreads } from "../src/backend/rust/kernel_threads.ts";
import { rustKernels, sharedKernelsModule } from "../src/backend/rust/loader.ts";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import { useMatmul } from "./_kernel_choice.ts";
import { median } from "./_stats.ts";

// tfjs's built-in kernels on every thread too, for the side-by-side (see setBuiltinThreads).
setBuiltinThreads("all");

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "15" },
    ghz: { type: "string", default: "3.5" },
    sizes: { type: "boolean", default: false },
    wake: { type: "boolean", default: false },
    streak: { type: "boolean", default: false },
  },
});
const ROUNDS = +values.rounds, GHZ = +values.ghz;
const ROOF = 16 * GHZ; // GFLOP/s per thread

interface Config {
  label: string;
  /** Configs with the same key are compared: 1 thread against 2. */
  key: string;
  threads: number;
  flops: number;
  /** Prepares (outside the timing) and returns the timed call. */
  setup(): Promise<() => void>;
}

/** Wall and process CPU time (ms) of every call, per config. */
interface Times {
  wall: number[][];
  cpu: number[][];
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Runs every config once per round, in turn. */
async function measure(configs: Config[]): Promise<Times> {
  const wall = configs.map(() => [] as number[]), cpu = configs.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS + 2; r++) {
    for (const [i, c] of configs.entries()) {
      const call = await c.setup();
      const [t, u] = [performance.now(), cpuMs()];
      call();
      if (r < 2) continue; // two rounds of warm-up (V8 tier-up)
      wall[i].push(performance.now() - t);
      cpu[i].push(cpuMs() - u);
    }
  }
  return { wall, cpu };
}

function report(configs: Config[], { wall, cpu }: Times) {
  const rows = configs.map((c, i) => {
    const best = Math.min(...wall[i]);
    const gflops = c.flops / best / 1e6;
    return {
      config: c.label,
      "best ms": +best.toFixed(2),
      "median ms": +median(wall[i]).toFixed(2),
      "CPU ms (median)": +median(cpu[i]).toFixed(2),
      "GFLOP/s (best)": +gflops.toFixed(1),
      "% roofline": +((100 * gflops) / (ROOF * c.threads)).toFixed(0),
    };
  });
  console.table(rows);
  // Wall-time ratios need a free core; the CPU time per call does not (it is the work overhead).
  for (const [i, one] of configs.entries()) {
    const j = configs.findIndex((c) => c.key === one.key && c.threads === 2);
    if (one.threads !== 1 || j < 0) continue;
    const speedup = Math.min(...wall[i]) / Math.min(...wall[j]);
    const work = median(cpu[j]) / median(cpu[i]);
    console.log(
      `${one.key}: 2 threads ${speedup.toFixed(2)}x 1 thread (best wall times); CPU per call ` +
        `${work.toFixed(2)}x, so at most ${(2 / work).toFixed(2)}x with a free core`,
    );
  }
}

async function throughTfjs() {
  const n = 512;
  const inputs = new Map<string, tf.Tensor[]>();
  const configs: Config[] = [];
  for (const [ta, tb] of [[false, false], [true, false], [false, true]]) {
    for (const threads of [1, 2]) {
      for (const choice of ["rust_fma", "rust", "builtin"] as const) {
        if (choice === "builtin" && (ta || tb)) continue; // the scalar loop: 40x slower
        const name = `${ta ? "Aᵀ" : "A"}·${tb ? "Bᵀ" : "B"}`;
        configs.push({
          label: `512³ ${name} ${choice} ${threads}t`,
          key: `512³ ${name} ${choice}`,
          threads,
          flops: 2 * n ** 3,
          setup: async () => {
            await useBackend("wasm", threads);
            useMatmul(choice);
            const key = String(threads);
            if (!inputs.has(key)) {
              inputs.set(key, [
                tf.randomNormal([n, n], 0, 1, "float32", 1),
                tf.randomNormal([n, n], 0, 1, "float32", 2),
              ]);
            }
            const [a, b] = inputs.get(key)!;
            return () => tf.matMul(a, b, ta, tb).dispose();
          },
        });
      }
    }
  }
  report(configs, await measure(configs));
  await useBackend("wasm", 2);
  const runs = rustKernelThreads(tf.backend())?.partsRun() ?? [];
  console.log(`parts run on 2 threads (caller, worker): ${runs.join(", ")}`);
}

function kernelSizes() {
  const module = sharedKernelsModule();
  const memory = new WebAssembly.Memory({ initial: 512, maximum: 4096, shared: true });
  const k = rustKernels(memory);
  const workBytes = k.matmul_f32_work_len() * 4;
  const work = [0, workBytes];
  const pool = KernelThreads.start({ module, memory, caller: k as never, threads: 2, work });
  const base = 2 * workBytes;
  const f = new Float32Array(memory.buffer);
  for (let i = base / 4; i < f.length; i++) f[i] = Math.sin(i);
  // [label, m, k, n]
  const shapes: [string, number, number, number][] = [
    ["32³", 32, 32, 32],
    ["64³", 64, 64, 64],
    ["96³", 96, 96, 96],
    ["128³", 128, 128, 128],
    ["dense 64x256x256", 64, 256, 256],
    ["dense dW 256x64x256", 256, 64, 256],
    ["192³", 192, 192, 192],
    ["256³", 256, 256, 256],
  ];
  const configs: Config[] = [];
  for (const [label, m, kk, n] of shapes) {
    const [a, b, c] = [base, base + m * kk * 4, base + (m * kk + kk * n) * 4];
    const args = [a, b, c, 1, m, kk, n, 0, 0, 0, 0, 0, 0] as const;
    const half = Math.round(m / 8) * 4;
    configs.push({
      label: `${label} whole 1t`,
      key: label,
      threads: 1,
      flops: 2 * m * kk * n,
      setup: () => Promise.resolve(() => k.matmul_f32(...args, work[0])),
    }, {
      label: `${label} split 2t`,
      key: label,
      threads: 2,
      flops: 2 * m * kk * n,
      setup: () => Promise.resolve(() => pool.run("matmul_f32_rows", args, [0, half, m])),
    });
  }
  // Many calls per timing: these are short.
  const reps = 50;
  for (const c of configs) {
    const setup = c.setup;
    c.setup = async () => {
      const call = await setup();
      return () => {
        for (let i = 0; i < reps; i++) call();
      };
    };
    c.flops *= reps;
  }
  return { configs, pool };
}

/** The pool's dispatch and wake-up cost, kernel alone on a shared memory. */
async function wakeUp() {
  const module = sharedKernelsModule();
  const memory = new WebAssembly.Memory({ initial: 512, maximum: 4096, shared: true });
  const k = rustKernels(memory);
  const workBytes = k.matmul_f32_work_len() * 4;
  const work = [0, workBytes];
  const pool = KernelThreads.start({ module, memory, caller: k as never, threads: 2, work });
  while (pool.ready < 1) await new Promise((r) => setTimeout(r, 10));
  const n = 512, base = 2 * workBytes;
  const f = new Float32Array(memory.buffer);
  for (let i = base / 4; i < base / 4 + 2 * n * n; i++) f[i] = Math.sin(i);
  const args = [
    base,
    base + n * n * 4,
    base + 2 * n * n * 4,
    1,
    n,
    n,
    n,
    0,
    0,
    0,
    0,
    0,
    0,
  ] as const;
  const jobs: [string, readonly number[]][] = [
    ["empty job (2 empty parts)", [0, 0, 0]],
    ["512³ in 2 row parts", [0, 256, 512]],
    ["512³ in 4 row parts", [0, 128, 256, 384, 512]],
  ];
  const rows = [];
  for (const [label, bounds] of jobs) {
    for (const pause of [0, 5]) {
      const times: number[] = [];
      const before = pool.partsRun();
      for (let r = 0; r < ROUNDS + 2; r++) {
        if (pause) await new Promise((res) => setTimeout(res, pause));
        else pool.run("matmul_f32_rows", args, bounds); // the worker is spinning after this
        const t = performance.now();
        pool.run("matmul_f32_rows", args, bounds);
        if (r >= 2) times.push(performance.now() - t);
      }
      const after = pool.partsRun();
      rows.push({
        job: label,
        worker: pause ? `asleep (${pause} ms pause)` : "spinning (back to back)",
        "best ms": +Math.min(...times).toFixed(3),
        "median ms": +median(times).toFixed(3),
        "parts (caller, worker)": after.map((x, t) => x - before[t]).join(", "),
      });
    }
  }
  console.table(rows);
  const whole = () => k.matmul_f32(...args, work[0]);
  const t1: number[] = [];
  for (let r = 0; r < ROUNDS + 2; r++) {
    const t = performance.now();
    whole();
    if (r >= 2) t1.push(performance.now() - t);
  }
  console.log(`512³ whole on the calling thread: best ${Math.min(...t1).toFixed(3)} ms`);
  pool.dispose();
}

/** 512³ through tfjs, each thread count in a streak of calls (see the module doc). */
async function streak() {
  const n = 512, best: Record<string, number> = {};
  for (const threads of [1, 2]) {
    await useBackend("wasm", threads);
    useMatmul("rust");
    const a = tf.randomNormal([n, n], 0, 1, "float32", 1);
    const b = tf.randomNormal([n, n], 0, 1, "float32", 2);
    for (const pause of [0, 5]) {
      const times: number[] = [];
      for (let r = 0; r < ROUNDS + 5; r++) {
        if (pause) await new Promise((settle) => setTimeout(settle, pause));
        const t = performance.now();
        tf.matMul(a, b).dispose();
        if (r >= 5) times.push(performance.now() - t);
      }
      best[`${threads}t ${pause ? `after a ${pause} ms pause` : "back to back"}`] = Math.min(
        ...times,
      );
    }
    tf.dispose([a, b]);
  }
  console.table(Object.entries(best).map(([calls, ms]) => ({ calls, "best ms": +ms.toFixed(2) })));
  for (const kind of ["back to back", "after a 5 ms pause"]) {
    const ratio = best[`1t ${kind}`] / best[`2t ${kind}`];
    console.log(`512³ A·B rust, ${kind}: 2 threads ${ratio.toFixed(2)}x 1 thread`);
  }
}

const load = () => Deno.loadavg().map((x) => x.toFixed(2)).join(" ");
console.log(`load average before: ${load()} (2 cores, shared)`);
if (values.wake) await wakeUp();
else if (values.streak) await streak();
else await throughTfjs();
if (values.sizes) {
  const { configs, pool } = kernelSizes();
  report(configs, await measure(configs));
  pool.dispose();
}
console.log(`load average after: ${load()}`);
