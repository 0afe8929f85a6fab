/**
 * Training steps with dense chains on (`dense_chain_rust`, `dense_chain_grad_rust`: each
 * run of dense + activation layers one op and one Rust kernel call per pass) and off (the
 * per-op layers), side by side in one process: for each repeat, each thread count and each
 * workload, one trainer per setting, their steps interleaved round-robin so that load
 * from other jobs hits both alike. Prints the host's SIMD features, each (repeat,
 * threads, workload)'s minimum and median step per setting, and on / off ratios.
 *
 *     deno run -A bench/dense_chain_ab.ts [rounds=200] [repeats=3] [threads=1,2]
 *
 * Workloads: the toy2d step (experiments/bench/toy2d.yaml) and the README's ring8 step
 * (experiments/ring8.yaml: with its EMA; evaluation is not part of a step).
 */
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { parseCpuInfo } from "./peer/e2e.ts";
import { countArg, countListArg } from "./_args.ts";

const rounds = countArg(0, "rounds", 200);
const repeats = countArg(1, "repeats", 3);
const threadCounts = countListArg(2, "threads", [1, 2], 8);
const root = new URL("../", import.meta.url).pathname;
const WORKLOADS = { toy2d: "experiments/bench/toy2d.yaml", ring8: "experiments/ring8.yaml" };
const SETTINGS = { off: false, on: true } as const;

const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(`host: ${cpu.model}; ${cpu.simd}; ${navigator.hardwareConcurrency} cores`);

const use = (on: boolean) => {
  setKernelFix("dense_chain_rust", on);
  setKernelFix("dense_chain_grad_rust", on);
};
const stat = (t: number[]) => {
  const s = t.toSorted((a, b) => a - b);
  return { min: s[0], median: s[s.length >> 1] };
};
const ms = (v: number) => v.toFixed(3);
const ratios: Record<string, { min: number[]; median: number[] }> = {};

for (let rep = 1; rep <= repeats; rep++) {
  for (const threads of threadCounts) {
    await useBackend("wasm", threads);
    for (const [name, file] of Object.entries(WORKLOADS)) {
      const { config } = await loadExperiment(`${root}${file}`, [`backend.threads=${threads}`]);
      const runs = Object.entries(SETTINGS).map(([setting, on]) => {
        use(on);
        const trainer = Trainer.create(config);
        return { setting, on, trainer, steps: trainer.run(), times: [] as number[] };
      });
      for (let r = 0; r < rounds + 5; r++) {
        for (const run of runs) {
          use(run.on);
          const start = performance.now();
          await run.steps.next();
          if (r >= 5) run.times.push(performance.now() - start); // five warm-up rounds
        }
      }
      const [off, on] = runs.map((run) => stat(run.times));
      const key = `${name} ${threads}T`;
      ratios[key] ??= { min: [], median: [] };
      ratios[key].min.push(on.min / off.min);
      ratios[key].median.push(on.median / off.median);
      console.log(
        `repeat ${rep} ${key.padEnd(9)} off min ${ms(off.min)} median ${ms(off.median)} | ` +
          `on min ${ms(on.min)} median ${ms(on.median)} | on/off min ${
            (on.min / off.min).toFixed(3)
          } median ${(on.median / off.median).toFixed(3)}`,
      );
      runs.forEach((run) => run.trainer.dispose());
    }
  }
}
use(true);
console.log("on / off over the repeats (ms ratios; below 1: the chains are faster):");
for (const [key, r] of Object.entries(ratios)) {
  const f = (v: number[]) => v.map((x) => x.toFixed(3)).join(", ");
  console.log(`  ${key.padEnd(9)} min ${f(r.min)}  median ${f(r.median)}`);
}
