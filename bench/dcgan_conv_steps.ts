/**
 * DCGAN training steps (experiments/bench/dcgan-mnist.yaml) with each choice
 * of conv kernels, interleaved round-robin in one process so that load from
 * other jobs hits every choice alike (Deno.bench times one choice after the
 * other). Prints the minimum and the median per choice and their ratios to
 * the XNNPACK-based kernels.
 *
 *     deno run --allow-read --allow-write --allow-env --allow-sys=cpus \
 *       bench/dcgan_conv_steps.ts [rounds=10] [threads=1] [choice,choice,...]
 */
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { CONV_CHOICES, type ConvChoice, useConv } from "./_kernel_choice.ts";

const rounds = Number(Deno.args[0] ?? 10);
const threads = Number(Deno.args[1] ?? 1);
const choices = (Deno.args[2]?.split(",") ?? ["xnnpack", "rust"]) as ConvChoice[];
for (const c of choices) {
  if (!(c in CONV_CHOICES)) {
    throw new Error(`unknown conv choice ${c} (valid: ${Object.keys(CONV_CHOICES)})`);
  }
}
const { config } = await loadExperiment(
  new URL("../experiments/bench/dcgan-mnist.yaml", import.meta.url).pathname,
);
await useBackend("wasm", threads);
const steps = new Map(choices.map((c) => {
  useConv(c);
  return [c, Trainer.create(config).run()] as const;
}));
const times = new Map(choices.map((c) => [c, [] as number[]]));
for (let r = 0; r < rounds + 2; r++) {
  for (const c of choices) {
    useConv(c);
    const start = performance.now();
    await steps.get(c)!.next();
    if (r >= 2) times.get(c)!.push(performance.now() - start); // two warm-up rounds
  }
}
const stat = (c: ConvChoice) => {
  const t = times.get(c)!.toSorted((a, b) => a - b);
  return { min: t[0], median: t[t.length >> 1] };
};
const base = stat(choices[0]);
console.log(
  `dcgan step, ${threads} thread(s), ${rounds} interleaved rounds (ms; ratio to ${choices[0]})`,
);
for (const c of choices) {
  const { min, median } = stat(c);
  console.log(
    `${c.padEnd(12)} min ${min.toFixed(0)} (${(min / base.min).toFixed(2)})  median ${
      median.toFixed(0)
    } (${(median / base.median).toFixed(2)})`,
  );
}
