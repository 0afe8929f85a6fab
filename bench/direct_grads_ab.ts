/**
 * Training steps with their gradients through tfjs's tape and without it
 * (`src/train/direct_grads.ts`, the trainer's default for dense-chain players), side by side
 * in one process (`_step_ab.ts`): for each repeat, each thread count and each workload, one
 * trainer per setting, their steps interleaved round-robin so that load from other jobs hits
 * both alike. Prints the host's SIMD features, each (repeat, threads, workload)'s minimum and
 * median step per setting, the direct / tape ratios, and whether the two trainers' step
 * metrics were the same, value for value (they must be: the same kernels in the same order).
 *
 *     deno run -A bench/direct_grads_ab.ts [rounds=300] [repeats=3] [threads=1,2]
 *
 * Workloads: the toy2d step (experiments/bench/toy2d.yaml) and the README's ring8 step
 * (experiments/ring8.yaml: with its EMA; evaluation is not part of a step).
 */
import { Trainer } from "../src/train/trainer.ts";
import { countArg, countListArg } from "./_args.ts";
import { compareSteps, type StepSetting } from "./_step_ab.ts";

const setting = (name: string, directGrads: boolean): StepSetting => ({
  name,
  create: (config) => Trainer.create(config, { directGrads }),
});

await compareSteps([setting("tape", false), setting("direct", true)], {
  rounds: countArg(0, "rounds", 300),
  repeats: countArg(1, "repeats", 3),
  threads: countListArg(2, "threads", [1, 2], 8),
  warmUp: 20,
});
Deno.exit(0); // the threaded backend's workers would keep the process alive
