/**
 * Training steps with their gradients through tfjs's tape and without it
 * (`src/train/direct_grads.ts`, the trainer's default for dense-chain players), side by side
 * in one process: for each repeat, each thread count and each workload, one trainer per
 * setting, their steps interleaved round-robin so that load from other jobs hits both
 * alike. Prints the host's SIMD features, each (repeat, threads, workload)'s minimum and
 * median step per setting, the direct / tape ratios, and whether the two trainers' step
 * metrics were the same, value for value (they must be: the same kernels in the same order).
 *
 *     deno run -A bench/direct_grads_ab.ts [rounds=300] [repeats=3] [threads=1,2]
 *
 * Workloads: the toy2d step (experiments/bench/toy2d.yaml) and the README's ring8 step
 * (experiments/ring8.yaml: with its EMA; evaluation is not part of a step).
 */
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { parseCpuInfo } from "./peer/e2e.ts";
import { countArg, countListArg } from "./_args.ts";
import { median } from "./_stats.ts";

const rounds = countArg(0, "rounds", 300);
const repeats = countArg(1, "repeats", 3);
const threadCounts = countListArg(2, "threads", [1, 2], 8);
const root = new URL("../", import.meta.url).pathname;
const WORKLOADS = { toy2d: "experiments/bench/toy2d.yaml", ring8: "experiments/ring8.yaml" };
const SETTINGS = { tape: false, direct: true } as const;
const WARM_UP = 20;

const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(`host: ${cpu.model}; ${cpu.simd}; ${navigator.hardwareConcurrency} cores`);

const stat = (t: number[]) => ({ min: t.reduce((a, b) => Math.min(a, b)), median: median(t) });
const ms = (v: number) => v.toFixed(3);
const ratios: Record<string, { min: number[]; median: number[] }> = {};

for (let rep = 1; rep <= repeats; rep++) {
  for (const threads of threadCounts) {
    await useBackend("wasm", threads);
    for (const [name, file] of Object.entries(WORKLOADS)) {
      const { config } = await loadExperiment(`${root}${file}`, [`backend.threads=${threads}`]);
      const runs = Object.values(SETTINGS).map((directGrads) => {
        const trainer = Trainer.create(config, { directGrads });
        return { trainer, steps: trainer.run(), times: [] as number[], rows: [] as string[] };
      });
      for (let r = 0; r < rounds + WARM_UP; r++) {
        for (const run of runs) {
          const start = performance.now();
          const row = (await run.steps.next()).value;
          if (r >= WARM_UP) run.times.push(performance.now() - start);
          run.rows.push(JSON.stringify(row));
        }
      }
      const same = runs[0].rows.every((row, i) => row === runs[1].rows[i]);
      const [tape, direct] = runs.map((run) => stat(run.times));
      const key = `${name} ${threads}T`;
      ratios[key] ??= { min: [], median: [] };
      ratios[key].min.push(direct.min / tape.min);
      ratios[key].median.push(direct.median / tape.median);
      console.log(
        `repeat ${rep} ${key.padEnd(9)} tape min ${ms(tape.min)} median ${ms(tape.median)} | ` +
          `direct min ${ms(direct.min)} median ${ms(direct.median)} | direct/tape min ${
            (direct.min / tape.min).toFixed(3)
          } median ${(direct.median / tape.median).toFixed(3)} | same metrics: ${
            same ? "yes" : "NO"
          }`,
      );
      runs.forEach((run) => run.trainer.dispose());
    }
  }
}
console.log("direct / tape over the repeats (ms ratios; below 1: without the tape is faster):");
for (const [key, r] of Object.entries(ratios)) {
  const f = (v: number[]) => v.map((x) => x.toFixed(3)).join(", ");
  console.log(`  ${key.padEnd(9)} min ${f(r.min)}  median ${f(r.median)}`);
}
Deno.exit(0); // the threaded backend's workers would keep the process alive
