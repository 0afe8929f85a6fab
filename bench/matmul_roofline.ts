/**
 * The measured roofline next to the Rust matmul, side by side in one process
 * (rounds interleaved, best of N; the machine is shared, so only ratios from
 * one run mean anything):
 *
 *   deno run -A bench/matmul_roofline.ts [--rounds 20] [--size 512] [--wasm a.wasm,b.wasm]
 *
 * `peak_flops` (kernels/src/peak.rs: independent `f32x4.mul`/`f32x4.add`
 * chains, no memory traffic) gives the engine's peak GFLOP/s on one thread;
 * `matmul_f32` of `size³` (every transpose combination), and its fused twin
 * `matmul4x8_f32_fma` (each multiply-add rounded once: the same 16 flop/cycle
 * roofline, two FMA pipes instead of two multiply and two add pipes), are reported as
 * GFLOP/s and as a share of that peak and of the derived 16 flop/cycle ×
 * `--ghz`. Each module runs on a plain memory (the stock build) and on a
 * shared one (the threaded build's module: its bounds checks differ).
 * `--wasm` compares other builds of the module against the committed one
 * (e.g. candidate micro-kernels), each under its file name.
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { assertZeroCopySafe, withSharedMemoryImport } from "../src/backend/wasm_module.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "20" },
    size: { type: "string", default: "512" },
    ghz: { type: "string", default: "3.5" },
    wasm: { type: "string", default: "" },
  },
});
const ROUNDS = +values.rounds, N = +values.size, GHZ = +values.ghz;
const COMMITTED = new URL("../kernels/duel_kernels.wasm", import.meta.url).pathname;
const files = [COMMITTED, ...values.wasm.split(",").filter((f) => f !== "")];

interface Kernels {
  matmul_f32_work_len(): number;
  matmul_f32(...args: number[]): void;
  matmul4x8_f32_fma?(...args: number[]): void;
  peak_flops?(iters: number, scale: number, step: number, kind: number): number;
  peak_flops_per_iter?(): number;
  peak_clock?(iters: number, x: number, y: number): number;
}

interface Case {
  label: string;
  flops: number;
  call(): void;
}

const cases: Case[] = [];
const PEAK_ITERS = 2_000_000;
for (const file of files) {
  const bytes = Deno.readFileSync(file);
  assertZeroCopySafe(bytes, file);
  const name = file === COMMITTED ? "committed" : file.split("/").pop()!;
  for (const shared of [false, true]) {
    const memory = shared
      ? new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true })
      : new WebAssembly.Memory({ initial: 256 });
    const mod = new WebAssembly.Module(shared ? withSharedMemoryImport(bytes, 65536) : bytes);
    const k = new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as Kernels;
    const mem = shared ? "shared" : "plain";
    if (k.peak_flops && !shared) {
      const perIter = k.peak_flops_per_iter!();
      for (const [kind, what] of ["mul→add (matmul shape)", "mul only", "add only"].entries()) {
        cases.push({
          label: `${name} peak_flops ${what}`,
          flops: PEAK_ITERS * perIter,
          call: () => void k.peak_flops!(PEAK_ITERS, kind === 0 ? 0 : 1, 0, kind),
        });
      }
      // "flops" of the clock probe: 8 cycles per iteration, reported as GHz · 1000 / 1000.
      cases.push({
        label: `${name} clock (GHz, not GFLOP/s)`,
        flops: PEAK_ITERS * 4 * 8,
        call: () => void k.peak_clock!(PEAK_ITERS * 4, 1, 2),
      });
    }
    const work = 0, base = k.matmul_f32_work_len() * 4;
    const [a, b, c] = [base, base + N * N * 4, base + 2 * N * N * 4];
    const f = new Float32Array(memory.buffer);
    for (let i = base / 4; i < base / 4 + 2 * N * N; i++) f[i] = Math.sin(i);
    // The plain matmul and, in builds that have it, its fused twin (the one training uses
    // where the host fuses).
    const fns = { "": k.matmul_f32, " fused": k.matmul4x8_f32_fma };
    for (const [tag, fn] of Object.entries(fns)) {
      if (!fn) continue;
      for (const flags of [0, 1, 2]) {
        const op = ["A·B", "Aᵀ·B", "A·Bᵀ"][flags];
        cases.push({
          label: `${name} ${mem} ${N}³ ${op}${tag}`,
          flops: 2 * N ** 3,
          call: () => fn(a, b, c, 1, N, N, N, flags, 0, 0, 0, 0, 0, work),
        });
      }
    }
  }
}

/** Process CPU time (ms): unlike wall time it excludes time the thread was descheduled. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const times = cases.map(() => [] as number[]), cpu = cases.map(() => [] as number[]);
for (let r = 0; r < ROUNDS + 3; r++) {
  for (const [i, c] of cases.entries()) {
    const [t, u] = [performance.now(), cpuMs()];
    c.call();
    if (r < 3) continue; // 3 warm-up rounds (V8 tier-up)
    times[i].push(performance.now() - t);
    cpu[i].push(cpuMs() - u);
  }
}
const best = cases.map((c, i) => c.flops / Math.min(...times[i]) / 1e6);
const peak = best[cases.findIndex((c) => c.label.endsWith("peak_flops mul→add (matmul shape)"))];
console.log(`load average: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")} (2 cores, shared)`);
console.table(cases.map((c, i) => ({
  case: c.label,
  "best ms": +Math.min(...times[i]).toFixed(2),
  "best CPU ms": +Math.min(...cpu[i]).toFixed(2),
  "GFLOP/s": +best[i].toFixed(1),
  "% measured peak": +((100 * best[i]) / peak).toFixed(1),
  [`% ${16 * GHZ} derived`]: +((100 * best[i]) / (16 * GHZ)).toFixed(1),
})));
