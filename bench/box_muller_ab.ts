/**
 * Training steps with the noise's Box-Muller transform shared out over the kernel
 * threads (`box_muller_threads` on: `DuelBoxMuller`) and on the calling thread alone
 * (off: `Rng.fillNormal`), side by side in one process (`_step_ab.ts`): for each repeat,
 * thread count and workload, one trainer per setting, their steps interleaved
 * round-robin so that load from other jobs hits both alike. The same values either way
 * (`tests/box_muller_test.ts`). Prints the host's SIMD features, each (repeat, threads,
 * workload)'s minimum and median step per setting, and on / off ratios.
 *
 *     deno run -A bench/box_muller_ab.ts [rounds=200] [repeats=3] [threads=1,2]
 * @module
 */
import { setKernelFix } from "../src/backend/kernels.ts";
import { countArg, countListArg } from "./_args.ts";
import { compareSteps, type StepSetting } from "./_step_ab.ts";

const setting = (name: string, on: boolean): StepSetting => ({
  name,
  enter: () => setKernelFix("box_muller_threads", on),
});

await compareSteps([setting("off", false), setting("on", true)], {
  rounds: countArg(0, "rounds", 200),
  repeats: countArg(1, "repeats", 3),
  threads: countListArg(2, "threads", [1, 2], 8),
  warmUp: 5,
});
