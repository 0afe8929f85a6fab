/**
 * Where the dense chains' time goes on 2 threads: the README's ring8 step
 * (or toy2d's) on the threaded backend, with the kernel threads' part times
 * (`KernelThreads.partMs`, `partsRun`) read around each round of steps. Five
 * modes, rounds interleaved in one process: as in training (one part per
 * thread, `MATMUL_SPLIT.partsPerThread`, each thread claiming its home block
 * first, `KernelThreads.homeParts`); the same with parts claimed in order; two
 * parts per thread, home blocks first or in order (the latter as before
 * 2026-12-07); or the caller only hands the parts out and waits while the
 * worker runs them all (`callerRunsParts = false`). A part that takes as long with both threads
 * running as alone is not slowed by the two at once. Prints the host's SIMD
 * features, per mode the median step and the mean µs of a part on each
 * thread. Any workload of `bench/peer/duel_step.ts` (ring8, toy2d,
 * dcgan_mnist: its convolutions split the same way).
 *
 *     deno run -A bench/chain_parts.ts [ring8|toy2d|dcgan_mnist] [rounds=20] [steps per round=100]
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import { MATMUL_SPLIT } from "../src/backend/rust/split.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { parseCpuInfo } from "./peer/e2e.ts";
import { WORKLOADS } from "./peer/duel_step.ts";
import { median } from "./_stats.ts";
import { argumentError, countArg } from "./_args.ts";

const workload = Deno.args[0] ?? "ring8";
const rounds = countArg(1, "rounds", 20), perRound = countArg(2, "steps per round", 100);
const root = new URL("../", import.meta.url).pathname;
const file = WORKLOADS[workload];
if (!file) {
  argumentError(
    0,
    "workload",
    `"${workload}", expected one of ${Object.keys(WORKLOADS).join(", ")}`,
  );
}
await useBackend("wasm", 2);
/** Per mode: whether the caller runs parts, claims its home block first, and parts per thread. */
const MODES = {
  "as trained: home blocks, 1 part a thread": { caller: true, home: true, perThread: 1 },
  "parts claimed in order": { caller: true, home: false, perThread: 1 },
  "2 parts a thread": { caller: true, home: true, perThread: 2 },
  "2 parts a thread, in order (before 2026-12-07)": { caller: true, home: false, perThread: 2 },
  "worker only": { caller: false, home: true, perThread: 1 },
} as const;
// Enough steps for every round (the run would end early and time empty steps).
const total = 50 + rounds * perRound * Object.keys(MODES).length;
const { config } = await loadExperiment(`${root}${file}`, [
  "backend.threads=2",
  `train.steps=${total}`,
]);
const trainer = Trainer.create(config);
const steps = trainer.run();
for (let i = 0; i < 50; i++) await steps.next(); // warm-up; starts the kernel threads
const pool = rustKernelThreads(tf.backend());
if (!pool) throw new Error("chain_parts: no kernel threads (is the Rust matmul in force?)");
while (pool.ready < pool.threads - 1) await new Promise((r) => setTimeout(r, 10));
pool.timeParts = true;

/** The split's setting, changed per mode here only (training reads the constant). */
const split = MATMUL_SPLIT as { partsPerThread: number };
const trained = split.partsPerThread;
const names = Object.keys(MODES) as (keyof typeof MODES)[];
const stats = Object.fromEntries(
  names.map((m) => [m, { stepMs: [] as number[], ms: [0, 0], parts: [0, 0] }]),
);
for (let r = 0; r < rounds; r++) {
  for (const mode of r % 2 ? names.toReversed() : names) {
    pool.callerRunsParts = MODES[mode].caller;
    pool.homeParts = MODES[mode].home;
    split.partsPerThread = MODES[mode].perThread;
    const [ms0, parts0] = [pool.partMs(), pool.partsRun()];
    for (let i = 0; i < perRound; i++) {
      const start = performance.now();
      await steps.next();
      stats[mode].stepMs.push(performance.now() - start);
    }
    const [ms1, parts1] = [pool.partMs(), pool.partsRun()];
    for (const t of [0, 1]) {
      stats[mode].ms[t] += ms1[t] - ms0[t];
      stats[mode].parts[t] += parts1[t] - parts0[t];
    }
  }
}
pool.callerRunsParts = true;
pool.homeParts = true;
split.partsPerThread = trained;

const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(
  `host: ${cpu.model}; ${cpu.simd}; ${workload} on 2 threads, ${rounds} x ${perRound} steps`,
);
console.log(
  "| mode | median step (ms) | parts per step | mean part (µs): all, caller, worker |\n| --- | --- | --- | --- |",
);
const mean = (ms: number, parts: number) => (parts ? ((ms / parts) * 1000).toFixed(1) : "–");
for (const [mode, s] of Object.entries(stats)) {
  const [ms, parts] = [s.ms[0] + s.ms[1], s.parts[0] + s.parts[1]];
  const each = `${mean(ms, parts)}, ${mean(s.ms[0], s.parts[0])}, ${mean(s.ms[1], s.parts[1])}`;
  console.log(
    `| ${mode} | ${median(s.stepMs).toFixed(3)} | ${
      (parts / s.stepMs.length).toFixed(1)
    } | ${each} |`,
  );
}
Deno.exit(0); // the threaded backend keeps workers alive
