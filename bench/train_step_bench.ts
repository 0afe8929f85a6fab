/**
 * One training step (one critic update + one generator update) of the peer
 * toy2d workload: stock wasm kernels (baseline), the pure-tfjs replacements,
 * Duel's Rust kernels (1 and 2 tfjs threads), and the cpu backend, in one run (stock and
 * pure-tfjs with tfjs's Adam, the Rust rows with the fused Rust Adam);
 * and, on the Rust kernels, Adam's fused update (`adam_rust`) on and off.
 */
import { setKernelFix } from "../src/backend/kernels.ts";
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
  fusedAdam = true,
): Promise<(ctx: Deno.BenchContext) => Promise<void>> {
  const choose = () => {
    if (backend !== "wasm") return;
    useMatmul(choice);
    setKernelFix("adam_rust", fusedAdam);
  };
  await useBackend(backend, threads);
  choose();
  const trainer = Trainer.create(config);
  const steps = trainer.run();
  return async (ctx: Deno.BenchContext) => {
    await useBackend(backend, threads);
    choose();
    ctx.start();
    await steps.next();
    ctx.end();
  };
}

const stock = await stepper("wasm", "builtin", 1, false);
const fixed = await stepper("wasm", "tfjs", 1, false);
const rust = await stepper("wasm", "rust");
const cpu = await stepper("cpu", "builtin");
const twoThreads = await stepper("wasm", "rust", 2);
const unfusedAdam = await stepper("wasm", "rust", 1, false);

Deno.bench("toy2d step: wasm, stock kernels", { group: "toy2d", baseline: true }, stock);
Deno.bench("toy2d step: wasm, pure-tfjs replacements", { group: "toy2d" }, fixed);
Deno.bench("toy2d step: wasm, Rust kernels", { group: "toy2d" }, rust);
Deno.bench("toy2d step: cpu backend", { group: "toy2d" }, cpu);
Deno.bench("toy2d step: wasm, Rust kernels, 2 tfjs threads", { group: "toy2d" }, twoThreads);

Deno.bench("toy2d step: Rust kernels, fused Rust Adam", {
  group: "adam",
  baseline: true,
}, rust);
Deno.bench("toy2d step: Rust kernels, tfjs Adam (adam_rust off)", { group: "adam" }, unfusedAdam);
