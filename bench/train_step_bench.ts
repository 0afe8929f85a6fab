/**
 * One training step (one critic update + one generator update) of the peer
 * toy2d workload, with Duel's kernel replacements (wasm, 1 and 2 threads)
 * against the stock wasm kernels (baseline) and the cpu backend, in one run.
 */
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";

const { config } = await loadExperiment(
  new URL("../experiments/bench/toy2d.yaml", import.meta.url).pathname,
);

async function stepper(
  backend: "wasm" | "cpu",
  fixes: boolean,
  threads = 1,
): Promise<(ctx: Deno.BenchContext) => Promise<void>> {
  await useBackend(backend, threads);
  if (backend === "wasm") setKernelFix("matmul_transpose", fixes);
  const trainer = Trainer.create(config);
  const steps = trainer.run();
  return async (ctx: Deno.BenchContext) => {
    await useBackend(backend, threads);
    if (backend === "wasm") setKernelFix("matmul_transpose", fixes);
    ctx.start();
    await steps.next();
    ctx.end();
  };
}

const stock = await stepper("wasm", false);
const fixed = await stepper("wasm", true);
const cpu = await stepper("cpu", false);
const twoThreads = await stepper("wasm", true, 2);

Deno.bench("toy2d step: wasm, stock kernels", { group: "toy2d", baseline: true }, stock);
Deno.bench("toy2d step: wasm, Duel kernel replacements", { group: "toy2d" }, fixed);
Deno.bench("toy2d step: cpu backend", { group: "toy2d" }, cpu);
Deno.bench("toy2d step: wasm, Duel kernels, 2 threads", { group: "toy2d" }, twoThreads);
