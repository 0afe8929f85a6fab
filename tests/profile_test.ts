import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import * as tf from "@tensorflow/tfjs-core";
import { profileSteps, profileTable, timeKernels } from "../src/runs/profile.ts";
import { Trainer } from "../src/train/trainer.ts";
import { cli, tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

Deno.test("profileSteps sums kernel times by name over the profiled steps and advances training", async () => {
  const trainer = Trainer.create(parseExperiment(tinyExperiment("/nonexistent")).config);
  const profile = await profileSteps(trainer, 4);
  assert.equal(trainer.step, 4);
  const names = profile.kernels.map((k) => k.kernel);
  assert.ok(names.includes("DuelDenseChain") && names.includes("Softplus"), names.join(","));
  const chain = profile.kernels.find((k) => k.kernel === "DuelDenseChain")!;
  // The same forward passes every step: a multiple of 4 steps.
  assert.equal(chain.calls % 4, 0);
  assert.ok(Math.abs(profile.kernels.reduce((s, k) => s + k.share, 0) - 1) < 1e-9);
  assert.ok(profileTable(profile).includes("| DuelDenseChain |"));
  // Kernel time is part of the wall time.
  assert.ok(profile.kernelMsPerStep > 0 && profile.kernelMsPerStep <= profile.wallMsPerStep);
  trainer.dispose();
});

Deno.test("--profile prints a kernel table and writes no run folder", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(`${root}/tiny.yaml`, tinyExperiment(`${root}/runs`));
  const out = await cli([`${root}/tiny.yaml`, "--profile", "3"]).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(new TextDecoder().decode(out.stdout), /\| DuelDenseChain \| \d+ \|/);
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["tiny.yaml"]);
});

Deno.test("timeKernels counts a kernel's own time, without the kernels it calls, and restores the kernels", async () => {
  const backend = tf.getBackend();
  const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
  };
  const identity = (args: Parameters<tf.KernelFunc>[0]) =>
    tf.getKernel("Identity", backend)!.kernelFunc(args) as tf.TensorInfo;
  // An outer kernel (3 ms of its own) that calls an inner one (30 ms), as replacements call
  // built-ins. The inner one is 10x longer so that a loaded machine cannot blur the two.
  tf.registerKernel({
    kernelName: "DuelProfInner",
    backendName: backend,
    kernelFunc: (args) => (busy(30), identity(args)),
  });
  tf.registerKernel({
    kernelName: "DuelProfOuter",
    backendName: backend,
    kernelFunc: (args) => (busy(3), tf.getKernel("DuelProfInner", backend)!.kernelFunc(args)),
  });
  const before = tf.getKernel("DuelProfOuter", backend)!.kernelFunc;
  const times = await timeKernels(() => {
    (tf.engine().runKernel("DuelProfOuter", { x: tf.ones([4]) }, {}) as tf.Tensor).dispose();
  });
  const [outer, inner] = [times.get("DuelProfOuter")!, times.get("DuelProfInner")!];
  assert.equal(outer.calls, 1);
  assert.equal(inner.calls, 1);
  assert.ok(inner.ms >= 30, `inner ${inner.ms}`);
  assert.ok(outer.ms >= 3 && outer.ms < 30, `outer ${outer.ms}: its own 3 ms, not the inner 30`);
  assert.ok(times.get("Identity")!.calls >= 1);
  assert.equal(tf.getKernel("DuelProfOuter", backend)!.kernelFunc, before);
  // Restored when the timed function throws too.
  await assert.rejects(
    timeKernels(() => {
      throw new Error("boom");
    }),
    /boom/,
  );
  assert.equal(tf.getKernel("DuelProfOuter", backend)!.kernelFunc, before);
  tf.unregisterKernel("DuelProfOuter", backend);
  tf.unregisterKernel("DuelProfInner", backend);
});
