/**
 * Where the dense chains' time goes on 2 threads: the README's ring8 step
 * (or toy2d's) on the threaded backend, with the kernel threads' part times
 * (`KernelThreads.partMs`, `partsRun`) read around each round of steps. Two
 * modes, rounds interleaved in one process: the caller runs parts too (as in
 * training), or it only hands them out and waits while the worker runs them
 * all (`callerRunsParts = false`). A part that takes as long in both modes is
 * not slowed by the two threads running at once. Prints the host's SIMD
 * features, per mode the median step and the mean µs of a part.
 *
 *     deno run -A bench/chain_parts.ts [ring8|toy2d] [rounds=20] [steps per round=100]
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { parseCpuInfo } from "./peer/e2e.ts";
import { WORKLOADS } from "./peer/duel_step.ts";

const workload = Deno.args[0] ?? "ring8";
const rounds = Number(Deno.args[1] ?? 20), perRound = Number(Deno.args[2] ?? 100);
const root = new URL("../", import.meta.url).pathname;
await useBackend("wasm", 2);
const { config } = await loadExperiment(`${root}${WORKLOADS[workload]}`, ["backend.threads=2"]);
const trainer = Trainer.create(config);
const steps = trainer.run();
for (let i = 0; i < 50; i++) await steps.next(); // warm-up; starts the kernel threads
const pool = rustKernelThreads(tf.backend());
if (!pool) throw new Error("chain_parts: no kernel threads (is the Rust matmul in force?)");
while (pool.ready < pool.threads - 1) await new Promise((r) => setTimeout(r, 10));

const MODES = { "caller and worker": true, "worker only": false } as const;
const stats = Object.fromEntries(
  Object.keys(MODES).map((m) => [m, { stepMs: [] as number[], ms: 0, parts: 0 }]),
);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
for (let r = 0; r < rounds; r++) {
  for (const [mode, callerRuns] of Object.entries(MODES)) {
    pool.callerRunsParts = callerRuns;
    const [ms0, parts0] = [sum(pool.partMs()), sum(pool.partsRun())];
    for (let i = 0; i < perRound; i++) {
      const start = performance.now();
      await steps.next();
      stats[mode].stepMs.push(performance.now() - start);
    }
    stats[mode].ms += sum(pool.partMs()) - ms0;
    stats[mode].parts += sum(pool.partsRun()) - parts0;
  }
}
pool.callerRunsParts = true;

const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(
  `host: ${cpu.model}; ${cpu.simd}; ${workload} on 2 threads, ${rounds} x ${perRound} steps`,
);
console.log(
  "| mode | median step (ms) | parts per step | mean part (µs) |\n| --- | --- | --- | --- |",
);
for (const [mode, s] of Object.entries(stats)) {
  const median = s.stepMs.toSorted((a, b) => a - b)[s.stepMs.length >> 1];
  const perStep = s.parts / s.stepMs.length, part = (s.ms / s.parts) * 1000;
  console.log(`| ${mode} | ${median.toFixed(3)} | ${perStep.toFixed(1)} | ${part.toFixed(1)} |`);
}
Deno.exit(0); // the threaded backend keeps workers alive
