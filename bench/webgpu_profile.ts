/**
 * Profiles training steps on the webgpu backend: which tfjs kernels take the
 * step's time, by tfjs's own timer (`tf.profile`: GPU timestamp queries where
 * the adapter has them, else wall time per kernel). Prints the step times and
 * the kernels by total time, largest first.
 *
 *     deno run -A bench/webgpu_profile.ts [steps=2] [experiment.yaml=experiments/bench/dcgan-mnist.yaml] [--set k=v ...]
 *
 * On Mesa's llvmpipe (no GPU) this measures a software rasteriser: useful to see which
 * tfjs WGSL kernels dominate, not what a GPU would take.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { countArg } from "./_args.ts";

const steps = countArg(0, "steps", 2);
const file = Deno.args[1] ??
  new URL("../experiments/bench/dcgan-mnist.yaml", import.meta.url).pathname;
const sets = Deno.args.slice(2).filter((a) => a !== "--set");
const info = await useBackend("webgpu");
const { config, data } = await loadExperiment(file, [
  "backend.name=webgpu",
  "backend.threads=1",
  ...sets,
]);
const trainer = Trainer.create(config, { data });
const run = trainer.run(Infinity);
let t0 = performance.now();
await run.next(); // the first step compiles every shader
const first = performance.now() - t0;
const totals = new Map<string, { ms: number; calls: number }>();
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  t0 = performance.now();
  const profile = await tf.profile(async () => {
    await run.next();
    return [];
  });
  times.push(performance.now() - t0);
  for (const k of profile.kernels) {
    const ms = await k.kernelTimeMs as number | { error: string };
    const t = totals.get(k.name) ?? { ms: 0, calls: 0 };
    totals.set(k.name, { ms: t.ms + (typeof ms === "number" ? ms : 0), calls: t.calls + 1 });
  }
}
const all = [...totals.values()].reduce((a, t) => a + t.ms, 0);
console.log(
  `${config.name} on webgpu (${info.adapter?.description}), batch ${config.train.batch_size}`,
);
console.log(
  `first step (shader compilation) ${(first / 1000).toFixed(1)} s; profiled steps ${
    times.map((t) => (t / 1000).toFixed(2)).join(", ")
  } s; kernel time ${(all / steps / 1000).toFixed(2)} s per step`,
);
console.log("kernel                     calls/step   ms/step   share");
for (const [name, t] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
  console.log(
    `${name.padEnd(26)} ${String(t.calls / steps).padStart(10)} ${
      (t.ms / steps).toFixed(1).padStart(9)
    } ${(100 * t.ms / all).toFixed(1).padStart(6)}%`,
  );
}
Deno.exit(0);
