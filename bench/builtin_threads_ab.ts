/**
 * Training steps on 2 threads with tfjs-wasm's own kernels (XNNPACK's pool) on
 * one thread (Duel's default, see `setBuiltinThreads`) and on both, interleaved
 * round by round in one process: two threaded backends, each with its own
 * trainer, so that load from other jobs hits both alike. Prints each side's
 * median and fastest round (ms per step) and the per-round ratios.
 *
 *     deno run -A bench/builtin_threads_ab.ts [experiment.yaml] [steps per round=8] [rounds=16]
 *
 * e.g. `experiments/dcgan-mnist.yaml 8 16` or `experiments/ring8.yaml 300 20`.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { useThreadedWasm } from "../src/backend/threads.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { median } from "./_stats.ts";
import { countArg } from "./_args.ts";

const file = Deno.args[0] ?? "experiments/dcgan-mnist.yaml";
const steps = countArg(1, "steps per round", 8), rounds = countArg(2, "rounds", 16);
const never = "1000000";
const { config } = await loadExperiment(file, [
  `train.steps=${never}`,
  `eval.every=${never}`,
  `train.checkpoint_every=${never}`,
]);
await useBackend("wasm", 1); // installs Duel's kernels, which the threaded backends copy
const sides: { name: string; steps: AsyncGenerator<unknown>; ms: number[] }[] = [];
for (const builtins of [1, 2]) {
  const name = `wasm-builtins-${builtins}`;
  await useThreadedWasm(2, name, builtins);
  const steps = Trainer.create(config).run() as AsyncGenerator<unknown>;
  for (let i = 0; i < 8; i++) await steps.next(); // warm-up
  sides.push({ name, steps, ms: [] });
}
for (let r = 0; r < rounds; r++) {
  for (const side of r % 2 ? sides.toReversed() : sides) {
    await tf.setBackend(side.name);
    const start = performance.now();
    for (let i = 0; i < steps; i++) await side.steps.next();
    side.ms.push((performance.now() - start) / steps);
  }
}
console.log(`${file}, 2 threads for Duel's kernels, ${rounds} rounds of ${steps} steps`);
for (const s of sides) {
  console.log(
    `${s.name}: median ${median(s.ms).toFixed(3)}, fastest ${Math.min(...s.ms).toFixed(3)} ms/step`,
  );
}
const ratios = sides[0].ms.map((v, i) => v / sides[1].ms[i]);
console.log(
  `1 / 2 built-in threads per round: ${ratios.map((x) => x.toFixed(3)).join(" ")} ` +
    `(median ${median(ratios).toFixed(3)}; below 1 in ${ratios.filter((x) => x < 1).length})`,
);
Deno.exit(0);
