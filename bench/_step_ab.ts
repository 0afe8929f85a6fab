/**
 * Two ways of training, side by side in one process: for each repeat, each
 * thread count and each workload (the toy2d step and the README's ring8 step),
 * one trainer per setting, their steps interleaved round-robin so that load
 * from other jobs hits both alike. Prints the host's SIMD features, each
 * (repeat, threads, workload)'s minimum and median step per setting, the
 * second / first ratios, whether the two trainers' step metrics were the same
 * value for value, and the ratios over the repeats. Used by
 * `dense_chain_ab.ts` and `direct_grads_ab.ts`.
 * @module
 */
import { useBackend } from "../src/backend/tfjs.ts";
import type { Experiment } from "../src/config/schema.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { parseCpuInfo } from "./peer/e2e.ts";
import { median } from "./_stats.ts";

/** One side of the comparison. */
export interface StepSetting {
  /** Its name in the printed lines. */
  readonly name: string;
  /** Puts the setting in force before each of its steps (and before its trainer is made). */
  readonly enter?: () => void;
  /** Makes its trainer (default: `Trainer.create(config)`). */
  readonly create?: (config: Experiment) => Trainer;
}

/** Steps, repeats and thread counts of a comparison. */
export interface StepAbOptions {
  readonly rounds: number;
  readonly repeats: number;
  readonly threads: readonly number[];
  /** Rounds run first and not timed. */
  readonly warmUp: number;
}

/** The workloads compared. */
const WORKLOADS = { toy2d: "experiments/bench/toy2d.yaml", ring8: "experiments/ring8.yaml" };

const stat = (t: number[]) => ({ min: t.reduce((a, b) => Math.min(a, b)), median: median(t) });
const ms = (v: number) => v.toFixed(3);

/**
 * Runs the comparison of `first` and `second` and prints it (see the module).
 *
 * Inside Duel's benchmarks it is used as
 * `await compareSteps([tape, direct], { rounds, repeats, threads, warmUp: 20 })`.
 */
export async function compareSteps(
  [first, second]: readonly [StepSetting, StepSetting],
  options: StepAbOptions,
): Promise<void> {
  const root = new URL("../", import.meta.url).pathname;
  const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
  console.log(`host: ${cpu.model}; ${cpu.simd}; ${navigator.hardwareConcurrency} cores`);
  const label = `${second.name}/${first.name}`;
  const ratios: Record<string, { min: number[]; median: number[] }> = {};
  for (let rep = 1; rep <= options.repeats; rep++) {
    for (const threads of options.threads) {
      await useBackend("wasm", threads);
      for (const [name, file] of Object.entries(WORKLOADS)) {
        const { config } = await loadExperiment(`${root}${file}`, [`backend.threads=${threads}`]);
        const runs = [first, second].map((setting) => {
          setting.enter?.();
          const trainer = setting.create?.(config) ?? Trainer.create(config);
          return {
            setting,
            trainer,
            steps: trainer.run(),
            times: [] as number[],
            rows: [] as string[],
          };
        });
        for (let r = 0; r < options.rounds + options.warmUp; r++) {
          for (const run of runs) {
            run.setting.enter?.();
            const start = performance.now();
            const row = (await run.steps.next()).value;
            if (r >= options.warmUp) run.times.push(performance.now() - start);
            run.rows.push(JSON.stringify(row));
          }
        }
        const same = runs[0].rows.every((row, i) => row === runs[1].rows[i]);
        const [a, b] = runs.map((run) => stat(run.times));
        const key = `${name} ${threads}T`;
        ratios[key] ??= { min: [], median: [] };
        ratios[key].min.push(b.min / a.min);
        ratios[key].median.push(b.median / a.median);
        console.log(
          `repeat ${rep} ${key.padEnd(9)} ${first.name} min ${ms(a.min)} median ${
            ms(a.median)
          } | ` +
            `${second.name} min ${ms(b.min)} median ${ms(b.median)} | ${label} min ${
              (b.min / a.min).toFixed(3)
            } median ${(b.median / a.median).toFixed(3)} | same metrics: ${same ? "yes" : "NO"}`,
        );
        runs.forEach((run) => run.trainer.dispose());
      }
    }
  }
  console.log(`${label} over the repeats (ms ratios; below 1: ${second.name} is faster):`);
  for (const [key, r] of Object.entries(ratios)) {
    const f = (v: number[]) => v.map((x) => x.toFixed(3)).join(", ");
    console.log(`  ${key.padEnd(9)} min ${f(r.min)}  median ${f(r.median)}`);
  }
}
