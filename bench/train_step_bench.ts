/**
 * One training step (one critic update + one generator update) of the peer
 * toy2d workload: stock wasm kernels (baseline), the pure-tfjs replacements,
 * Duel's Rust kernels (1 and 2 tfjs threads), and the cpu backend, in one run.
 */
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { type MatmulChoice, useMatmul } from "./_kernel_choice.ts";

const { config } = await loadExperiment(
  new URL("../experiments/bench/toy2d.yaml", import.meta.url).pathname,
);

async function stepper(
  backend: "wasm" | "cpu",
  choice: MatmulChoice,
  threads = 1,
): Promise<(ctx: Deno.BenchContext) => Promise<void>> {
  await useBackend(backend, threads);
  if (backend === "wasm") useMatmul(choice);
  const trainer = Trainer.create(config);
  const steps = trainer.run();
  return async (ctx: Deno.BenchContext) => {
    await useBackend(backend, threads);
    if (backend === "wasm") useMatmul(choice);
    ctx.start();
    await steps.next();
    ctx.end();
  };
}

const stock = await stepper("wasm", "builtin");
const fixed = await stepper("wasm", "tfjs");
const rust = await stepper("wasm", "rust");
const cpu = await stepper("cpu", "builtin");
const twoThreads = await stepper("wasm", "rust", 2);

Deno.bench("toy2d step: wasm, stock kernels", { group: "toy2d", baseline: true }, stock);
Deno.bench("toy2d step: wasm, pure-tfjs replacements", { group: "toy2d" }, fixed);
Deno.bench("toy2d step: wasm, Rust kernels", { group: "toy2d" }, rust);
Deno.bench("toy2d step: cpu backend", { group: "toy2d" }, cpu);
Deno.bench("toy2d step: wasm, Rust kernels, 2 tfjs threads", { group: "toy2d" }, twoThreads);
