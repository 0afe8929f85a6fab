/**
 * Duel's side of the peer comparison: times the same work as
 * `../shared/peers/torch_gan_bench.py` (one critic + one generator update
 * per step, read back like `.item()`; or a 512^3 matmul) and prints one JSON
 * line per (config, threads) in the same shape as the PyTorch script.
 *
 *   deno run -A bench/peer/duel_step.ts --config toy2d --threads 1
 *   deno run -A bench/peer/duel_step.ts --config toy2d --backend webgpu
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { type BackendName, useBackend } from "../../src/backend/tfjs.ts";
import { loadExperiment } from "../../src/config/load.ts";
import { Rng } from "../../src/rng.ts";
import { Trainer } from "../../src/train/trainer.ts";
import { median } from "../_stats.ts";

/** Experiment file per peer workload. */
export const WORKLOADS: Record<string, string> = {
  toy2d: "experiments/bench/toy2d.yaml",
  dcgan_mnist: "experiments/bench/dcgan-mnist.yaml",
  ring8: "experiments/ring8.yaml",
};

interface Args {
  /** wasm (the default) or webgpu (then `threads` is the host's, for evaluation only). */
  readonly backend: BackendName;
  readonly warmup: number;
  readonly steps: number;
  readonly minSteps: number;
  readonly maxSeconds: number;
}

function summarize(ms: number[]) {
  const middle = median(ms);
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  return {
    median_ms: round(middle),
    mean_ms: round(ms.reduce((a, b) => a + b, 0) / ms.length),
    min_ms: round(ms.reduce((a, b) => Math.min(a, b), Infinity)),
    steps_per_s: Math.round(1e6 / middle) / 1e3,
    timed_steps: ms.length,
  };
}

/** Times `step` like the PyTorch script: warm-up, then until steps or seconds run out. */
async function timeLoop(step: () => unknown, args: Args, limitSeconds = args.maxSeconds) {
  for (let i = 0; i < args.warmup; i++) await step();
  const ms: number[] = [];
  let spent = 0;
  while (ms.length < args.steps && (spent < limitSeconds * 1000 || ms.length < args.minSteps)) {
    const t0 = performance.now();
    await step();
    const dt = performance.now() - t0;
    ms.push(dt);
    spent += dt;
  }
  return ms;
}

async function benchGan(config: string, threads: number, args: Args) {
  const root = new URL("../../", import.meta.url).pathname;
  const loaded = await loadExperiment(`${root}${WORKLOADS[config]}`, [
    `backend.name=${args.backend}`,
    `backend.threads=${threads}`,
  ]);
  await useBackend(args.backend, threads);
  const trainer = Trainer.create(loaded.config);
  const steps = trainer.run();
  let last: Record<string, number> = {};
  const ms = await timeLoop(async () => {
    last = (await steps.next()).value as Record<string, number>;
  }, args);
  return {
    ...summarize(ms),
    warmup_steps: args.warmup,
    batch: loaded.config.train.batch_size,
    zdim: loaded.config.noise.dim,
    final_d_loss: last["d/loss"],
    final_g_loss: last["g/loss"],
  };
}

async function benchMatmul(threads: number, args: Args, n = 512) {
  await useBackend(args.backend, threads);
  const rng = Rng.derive(0, "bench/matmul");
  const a = tf.tensor2d(rng.fillNormal(new Float32Array(n * n)), [n, n]);
  const b = tf.tensor2d(rng.fillNormal(new Float32Array(n * n)), [n, n]);
  const gpu = args.backend === "webgpu";
  const ms = await timeLoop(
    // The wasm backend computes synchronously; on webgpu the product is read back to finish it.
    gpu ? () => tf.matMul(a, b).data() : () => tf.matMul(a, b).dispose(),
    { ...args, warmup: 3, steps: 200, minSteps: 5 },
    Math.min(args.maxSeconds, 10),
  );
  const s = summarize(ms);
  return {
    n,
    median_ms: s.median_ms,
    min_ms: s.min_ms,
    gflops: Math.round(2 * n ** 3 / s.median_ms / 1e3) / 1e3,
    gflops_best: Math.round(2 * n ** 3 / s.min_ms / 1e3) / 1e3,
    reps: ms.length,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      config: { type: "string", default: "toy2d" },
      backend: { type: "string", default: "wasm" },
      threads: { type: "string", default: "1" },
      warmup: { type: "string", default: "20" },
      steps: { type: "string", default: "200" },
      "min-steps": { type: "string", default: "20" },
      "max-seconds": { type: "string", default: "120" },
    },
  });
  const args: Args = {
    backend: values.backend as BackendName,
    warmup: +values.warmup,
    steps: +values.steps,
    minSteps: +values["min-steps"],
    maxSeconds: +values["max-seconds"],
  };
  const threads = +values.threads;
  const info = await useBackend(args.backend, threads);
  const result = values.config === "matmul"
    ? await benchMatmul(threads, args)
    : await benchGan(values.config, threads, args);
  console.log(JSON.stringify({
    impl: args.backend === "webgpu" ? "duel_webgpu" : "duel",
    tfjs: tf.version_core,
    ...(info.adapter ? { adapter: info.adapter.description } : {}),
    config: values.config,
    threads,
    ...result,
  }));
  Deno.exit(0); // threaded backends keep workers alive
}
