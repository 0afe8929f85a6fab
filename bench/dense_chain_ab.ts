/**
 * Training steps with dense chains on (`dense_chain_rust`, `dense_chain_grad_rust`: each
 * run of dense + activation layers one op and one Rust kernel call per pass) and off (the
 * per-op layers), side by side in one process (`_step_ab.ts`): for each repeat, each
 * thread count and each workload, one trainer per setting, their steps interleaved
 * round-robin so that load from other jobs hits both alike. Prints the host's SIMD
 * features, each (repeat, threads, workload)'s minimum and median step per setting, and
 * on / off ratios.
 *
 *     deno run -A bench/dense_chain_ab.ts [rounds=200] [repeats=3] [threads=1,2]
 *
 * Workloads: the toy2d step (experiments/bench/toy2d.yaml) and the README's ring8 step
 * (experiments/ring8.yaml: with its EMA; evaluation is not part of a step).
 */
import { setKernelFix } from "../src/backend/kernels.ts";
import { countArg, countListArg } from "./_args.ts";
import { compareSteps, type StepSetting } from "./_step_ab.ts";

const use = (on: boolean) => {
  setKernelFix("dense_chain_rust", on);
  setKernelFix("dense_chain_grad_rust", on);
};
const setting = (name: string, on: boolean): StepSetting => ({ name, enter: () => use(on) });

await compareSteps([setting("off", false), setting("on", true)], {
  rounds: countArg(0, "rounds", 200),
  repeats: countArg(1, "repeats", 3),
  threads: countListArg(2, "threads", [1, 2], 8),
  warmUp: 5,
});
use(true);
Deno.exit(0); // the threaded backend's workers would keep the process alive
