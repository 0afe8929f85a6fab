/**
 * Examples of src/runs/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { parseExperiment } from "../src/config/load.ts";
import { stopLine, verdict } from "../src/runs/divergence.ts";
import { evaluationRows } from "../src/runs/files.ts";
import { lockRunFolder } from "../src/runs/lock.ts";
import { gitCommit } from "../src/runs/run_folder.ts";
import { viewFile } from "../src/runs/run_report.ts";
import { EXPERIMENT_CLI, EXPERIMENT_FLAGS, experimentArgs } from "../src/runs/subprocess.ts";
import { withWrappedKernels } from "../src/runs/profile.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import * as tf from "../src/deps/tfjs_core.ts";

Deno.test("src/runs/divergence.ts: verdict", () => {
  assert.equal(verdict({ step: 3, "d/loss": 1.3, "g/loss": 0.7 }), undefined);
  assert.equal(verdict({ step: 4, "d/loss": 1.3, "g/loss": NaN }), "g/loss is NaN");
  assert.equal(
    verdict({ step: 9, "d/loss": 1, "d/fake_score": -2e5 }, { max_abs_score: 1e4 }),
    "d/fake_score is -2e+5, past train.divergence_guard.max_abs_score 10000",
  );
});

Deno.test("src/runs/divergence.ts: stopLine", () => {
  const { config } = parseExperiment(`name: d
data: { name: ring8 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
optimizer: { generator: { lr: 1.0e+6 } }
`);
  const line = stopLine(
    "runs/d/x",
    4,
    "g/loss is NaN",
    { step: 3, "d/loss": 1.5 },
    config,
    undefined,
  );
  assert.match(line, /^runs\/d\/x: diverged at step 4: g\/loss is NaN/);
  assert.match(line, /generator lr 1000000/);
});

Deno.test("src/runs/files.ts: evaluationRows", () => {
  const rows: Record<string, number>[] = [
    { step: 0, "eval/hq": 0.1 },
    { step: 1, "d/loss": 1 },
    { step: 2, "d/loss": 1, "eval/hq": 0.5 },
  ];
  assert.deepEqual(evaluationRows(rows), [
    { step: 0, "eval/hq": 0.1 },
    { step: 2, "d/loss": 1, "eval/hq": 0.5 },
  ]);
});

Deno.test("src/runs/lock.ts: lockRunFolder", async () => {
  const dir = await Deno.makeTempDir();
  const lock = lockRunFolder(dir, () => {});
  assert.throws(() => lockRunFolder(dir, () => {}), /is being written by process \d+/);
  lock.release();
  lockRunFolder(dir, () => {}).release();
});

Deno.test("src/runs/run_folder.ts: gitCommit", async () => {
  console.log(await gitCommit()); // e.g. "4584bab...+dirty"
});

Deno.test("src/runs/run_report.ts: viewFile", () => {
  assert.equal(viewFile(500, "svg"), "views/step-00000500.svg");
});

Deno.test("src/runs/subprocess.ts: EXPERIMENT_FLAGS", () => {
  assert.ok(EXPERIMENT_FLAGS.includes("--allow-read"));
});

Deno.test("src/runs/subprocess.ts: EXPERIMENT_CLI", () => {
  assert.ok(EXPERIMENT_CLI.endsWith("/src/cli/experiment.ts"));
});

Deno.test("src/runs/subprocess.ts: experimentArgs", () => {
  assert.deepEqual(experimentArgs(["e.yaml"]).slice(-2), [experimentArgs([]).at(-1), "e.yaml"]);
});

Deno.test("src/runs/profile.ts: withWrappedKernels wraps every kernel and restores them, even on a throw", async () => {
  await useBackend("wasm");
  const original = tf.getKernel("BatchMatMul", "wasm")!.kernelFunc;
  let calls = 0;
  const wrap = (config: tf.KernelConfig): tf.KernelConfig => ({
    ...config,
    kernelFunc: (args) => (calls++, config.kernelFunc(args)),
  });
  await assert.rejects(
    withWrappedKernels(wrap, () => {
      tf.tidy(() => tf.matMul(tf.ones([2, 2]), tf.ones([2, 2])));
      throw new Error("stop");
    }),
    /stop/,
  );
  assert.ok(calls >= 1);
  assert.equal(tf.getKernel("BatchMatMul", "wasm")!.kernelFunc, original);
});
