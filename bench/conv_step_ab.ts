/**
 * DCGAN training steps (experiments/bench/dcgan-mnist.yaml) with each variant
 * of kernels, interleaved round-robin in one process so that load from other
 * jobs hits every variant alike: a variant is a conv choice (bench/_kernel_choice.ts),
 * optionally `+nomean` (tfjs-wasm's Mean instead of `mean_rust`). Prints the
 * minimum and the median step per variant and their ratios to the first.
 *
 *     deno run --allow-read --allow-write --allow-env --allow-sys=cpus \
 *       bench/conv_step_ab.ts [rounds=10] [threads=1] [variant,variant,...]
 */
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { CONV_CHOICES, type ConvChoice, useConv } from "./_kernel_choice.ts";

const rounds = Number(Deno.args[0] ?? 10);
const threads = Number(Deno.args[1] ?? 1);
const variants = Deno.args[2]?.split(",") ?? ["rust+nomean", "rust", "xnnpack"];
const parse = (v: string) => {
  const [choice, extra] = v.split("+") as [ConvChoice, string | undefined];
  if (!(choice in CONV_CHOICES) || (extra !== undefined && extra !== "nomean")) {
    throw new Error(`unknown variant ${v} (valid: ${Object.keys(CONV_CHOICES)}, +nomean)`);
  }
  return { choice, mean: extra !== "nomean" };
};
const use = (v: string) => {
  const { choice, mean } = parse(v);
  useConv(choice);
  setKernelFix("mean_rust", mean);
};
const { config } = await loadExperiment(
  new URL("../experiments/bench/dcgan-mnist.yaml", import.meta.url).pathname,
);
await useBackend("wasm", threads);
const steps = new Map(variants.map((v) => {
  use(v);
  return [v, Trainer.create(config).run()] as const;
}));
const times = new Map(variants.map((v) => [v, [] as number[]]));
for (let r = 0; r < rounds + 2; r++) {
  for (const v of variants) {
    use(v);
    const start = performance.now();
    await steps.get(v)!.next();
    if (r >= 2) times.get(v)!.push(performance.now() - start); // two warm-up rounds
  }
}
const stat = (v: string) => {
  const t = times.get(v)!.toSorted((a, b) => a - b);
  return { min: t[0], median: t[t.length >> 1] };
};
const base = stat(variants[0]);
console.log(
  `dcgan step, ${threads} thread(s), ${rounds} interleaved rounds (ms; ratio to ${variants[0]})`,
);
for (const v of variants) {
  const { min, median } = stat(v);
  console.log(
    `${v.padEnd(14)} min ${min.toFixed(0)} (${(min / base.min).toFixed(2)})  median ${
      median.toFixed(0)
    } (${(median / base.median).toFixed(2)})`,
  );
}
