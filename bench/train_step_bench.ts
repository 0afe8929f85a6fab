/**
 * One training step (one critic update + one generator update) of the peer
 * toy2d workload: stock wasm kernels (baseline), the pure-tfjs replacements,
 * Duel's Rust kernels (1 and 2 tfjs threads), and the cpu backend, in one run.
 * The stock and pure-tfjs rows run without the step-overhead kernels
 * ({@link STEP_FIXES}: fused Adam, leaky ReLU and its gradient, bias-gradient sums, shared
 * Identity, dense chains);
 * the "step overhead" group turns those off one at a time on the Rust matmul.
 */
import { type KernelFixName, setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { type MatmulChoice, useMatmul } from "./_kernel_choice.ts";

const { config } = await loadExperiment(
  new URL("../experiments/bench/toy2d.yaml", import.meta.url).pathname,
);

/** The Rust kernels that cut the step's many small tfjs kernels (not matmul). */
const STEP_FIXES = [
  "adam_rust",
  "leaky_relu_grad_rust",
  "sum_rust",
  "leaky_relu_rust",
  "identity_shared",
  "dense_chain_rust",
] as const;

async function stepper(
  backend: "wasm" | "cpu",
  choice: MatmulChoice,
  threads = 1,
  stepFixes: readonly KernelFixName[] = STEP_FIXES,
): Promise<(ctx: Deno.BenchContext) => Promise<void>> {
  const choose = () => {
    if (backend !== "wasm") return;
    useMatmul(choice);
    for (const fix of STEP_FIXES) setKernelFix(fix, stepFixes.includes(fix));
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

const stock = await stepper("wasm", "builtin", 1, []);
const fixed = await stepper("wasm", "tfjs", 1, []);
const rust = await stepper("wasm", "rust");
const cpu = await stepper("cpu", "builtin");
const twoThreads = await stepper("wasm", "rust", 2);
const without = await Promise.all(
  STEP_FIXES.map((off) => stepper("wasm", "rust", 1, STEP_FIXES.filter((f) => f !== off))),
);
const noneOfThem = await stepper("wasm", "rust", 1, []);

Deno.bench("toy2d step: wasm, stock kernels", { group: "toy2d", baseline: true }, stock);
Deno.bench("toy2d step: wasm, pure-tfjs replacements", { group: "toy2d" }, fixed);
Deno.bench("toy2d step: wasm, Rust kernels", { group: "toy2d" }, rust);
Deno.bench("toy2d step: cpu backend", { group: "toy2d" }, cpu);
Deno.bench("toy2d step: wasm, Rust kernels, 2 tfjs threads", { group: "toy2d" }, twoThreads);

const overhead = { group: "step overhead" };
Deno.bench("toy2d step: Rust matmul, all step kernels", { ...overhead, baseline: true }, rust);
STEP_FIXES.forEach((off, i) =>
  Deno.bench(`toy2d step: Rust matmul, without ${off}`, overhead, without[i])
);
Deno.bench("toy2d step: Rust matmul, none of them (tfjs ops)", overhead, noneOfThem);
