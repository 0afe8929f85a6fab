/**
 * Training on webgpu: no adapter is one line and exit 2; a small DCGAN on
 * MNIST ends near the same run on cpu; repeated runs and --resume give the
 * same bits on llvmpipe (the guarantee `reproducibilityOf` states).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { enterHost } from "../src/backend/host.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { NO_ADAPTER } from "../src/backend/webgpu.ts";
import { loadExperiment, parseExperiment } from "../src/config/load.ts";
import { UserError } from "../src/errors.ts";
import { evaluate } from "../src/metrics/evaluate.ts";
import { resumeRun, runExperiment } from "../src/runs/experiment.ts";
import { readMetrics } from "../src/runs/files.ts";
import { type StepMetrics, Trainer } from "../src/train/trainer.ts";
import { NO_GPU, relativeError } from "./_webgpu.ts";

Deno.test("webgpu without an adapter: a one-line UserError (exit 2), the backend unchanged", async () => {
  await useBackend("cpu");
  for (const request of [() => Promise.resolve(null), () => Promise.reject(new Error("x"))]) {
    const e = await useBackend("webgpu", 1, request).catch((e) => e);
    assert.ok(e instanceof UserError, String(e));
    assert.equal(e.exitCode, 2);
    assert.equal(e.message, NO_ADAPTER);
    assert.ok(!e.message.includes("\n"));
    assert.equal(tf.getBackend(), "cpu");
  }
});

/** A narrow DCGAN on MNIST at batch 8 with R1 every 2 steps (double backprop through convs). */
const DCGAN = `name: dcgan-small
seed: 1
data: { name: mnist }
noise: { dim: 16 }
generator:
  layers:
    - { type: dense, units: 392 }
    - { type: batch_norm }
    - { type: relu }
    - { type: reshape, shape: [7, 7, 8] }
    - { type: conv2d_transpose, filters: 4, kernel: 4, stride: 2, padding: 1 }
    - { type: batch_norm }
    - { type: relu }
    - { type: conv2d_transpose, filters: 1, kernel: 4, stride: 2, padding: 1 }
    - { type: tanh }
discriminator:
  layers:
    - { type: conv2d, filters: 4, kernel: 4, stride: 2, padding: 1 }
    - { type: leaky_relu, alpha: 0.2 }
    - { type: conv2d, filters: 8, kernel: 4, stride: 2, padding: 1 }
    - { type: batch_norm }
    - { type: leaky_relu, alpha: 0.2 }
    - { type: flatten }
    - { type: dense, units: 1 }
objective: { name: non_saturating }
regularizers: [{ name: r1, gamma: 1, every: 2 }]
optimizer:
  generator: { name: adam, lr: 2.0e-4, betas: [0.5, 0.999] }
  discriminator: { name: adam, lr: 2.0e-4, betas: [0.5, 0.999] }
train: { steps: 30, batch_size: 8, ema: 0.99 }
`;

/** Relative agreement asked of the 30-step DCGAN's losses, webgpu against cpu (llvmpipe: 1.4e-7 measured). */
const DCGAN_TOL = 1e-5;

Deno.test({
  name: "webgpu: a 30-step small DCGAN on MNIST ends within 1e-5 of the cpu run",
  ignore: NO_GPU,
  async fn() {
    const loaded = parseExperiment(DCGAN, { loadData: true });
    const run = async (backend: "cpu" | "webgpu") => {
      await useBackend(backend);
      const trainer = Trainer.create(loaded.config, { data: loaded.data });
      const rows: StepMetrics[] = [];
      for await (const m of trainer.run()) rows.push(m);
      trainer.dispose();
      return rows;
    };
    const cpu = await run("cpu");
    const gpu = await run("webgpu");
    assert.equal(gpu.length, 30);
    const keys = ["d/loss", "g/loss", "d/real_score", "d/fake_score"] as const;
    const series = (rows: StepMetrics[]) => rows.flatMap((r) => keys.map((k) => r[k]!));
    const err = relativeError(series(gpu), series(cpu));
    console.log(
      `dcgan 30 steps, webgpu vs cpu: largest relative difference ${err.toExponential(2)}`,
    );
    assert.ok(err <= DCGAN_TOL, `relative difference ${err} > ${DCGAN_TOL}`);
  },
});

const RING = (root: string) =>
  `name: ring-resume
seed: 4
data: { name: ring8 }
noise: { dim: 2 }
generator: { layers: [{ type: dense, units: 16 }, { type: relu }, { type: dense, units: 2 }] }
discriminator:
  layers: [{ type: dense, units: 16 }, { type: leaky_relu }, { type: dense, units: 1 }]
regularizers: [{ name: gradient_penalty }]
train: { steps: 8, batch_size: 16, ema: 0.9, checkpoint_every: 4 }
eval: { every: 4, samples: 200 }
backend: { name: webgpu }
output: { root: ${root} }
`;

const withoutTime = (rows: Record<string, number>[]) =>
  rows.map(({ elapsed: _e, ...rest }) => rest);

Deno.test({
  name: "webgpu on llvmpipe: a rerun gives the same bits, and --resume continues to them",
  ignore: NO_GPU,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/ring.yaml`, RING(`${dir}/runs`));
      const quiet = { views: false as const };
      const full = await runExperiment(await loadExperiment(`${dir}/ring.yaml`), quiet);
      const manifest = JSON.parse(await Deno.readTextFile(`${full.run_dir}/manifest.json`));
      assert.equal(manifest.backend, "webgpu");
      assert.ok(manifest.adapter.description.length > 0 && manifest.adapter.limits.maxBufferSize);
      const again = await runExperiment(await loadExperiment(`${dir}/ring.yaml`), quiet);
      const rows = withoutTime(await readMetrics(`${full.run_dir}/metrics.jsonl`));
      assert.equal(rows.length, 9);
      assert.deepEqual(withoutTime(await readMetrics(`${again.run_dir}/metrics.jsonl`)), rows);
      // Interrupted after step 5 (checkpoint at 4), then resumed.
      const stop = new AbortController();
      const cut = await runExperiment(await loadExperiment(`${dir}/ring.yaml`), {
        ...quiet,
        signal: stop.signal,
        onRow: (row) => row.step === 5 && stop.abort(),
      });
      assert.equal(cut.steps, 5);
      await resumeRun(cut.run_dir, quiet);
      const resumed = withoutTime(await readMetrics(`${cut.run_dir}/metrics.jsonl`));
      if (manifest.reproducibility.startsWith("bit-exact")) assert.deepEqual(resumed, rows);
      else {
        const flat = (r: typeof rows) => r.flatMap((x) => Object.values(x));
        assert.ok(relativeError(flat(resumed), flat(rows)) < 1e-4);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "webgpu: evaluate() outside enterHost says how to call it; inside it measures",
  ignore: NO_GPU,
  async fn() {
    await useBackend("webgpu");
    const { config } = parseExperiment(`name: tiny
data: { name: ring8 }
train: { steps: 2, batch_size: 8 }
eval: { samples: 16 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
`);
    const trainer = Trainer.create(config);
    try {
      for await (const _ of trainer.run());
      assert.throws(() => evaluate(trainer), /evaluate\(\) reads tensors synchronously.*enterHost/);
      const leave = await enterHost(trainer.tensors());
      const { metrics } = evaluate(trainer);
      await leave();
      assert.ok(Number.isFinite(metrics["eval/modes"]));
      assert.equal(tf.getBackend(), "webgpu");
    } finally {
      trainer.dispose();
    }
  },
});
