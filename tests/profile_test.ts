import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseExperiment } from "../src/config/load.ts";
import { profileSteps, profileTable } from "../src/runs/profile.ts";
import { Trainer } from "../src/train/trainer.ts";
import { cli, tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

Deno.test("profileSteps sums kernel times by name over the profiled steps and advances training", async () => {
  const trainer = Trainer.create(parseExperiment(tinyExperiment("/nonexistent")).config);
  const profile = await profileSteps(trainer, 4);
  assert.equal(trainer.step, 4);
  const names = profile.kernels.map((k) => k.kernel);
  assert.ok(names.includes("BatchMatMul") && names.includes("Softplus"), names.join(","));
  const matmul = profile.kernels.find((k) => k.kernel === "BatchMatMul")!;
  // Per step: critic update 2 forward passes x 2 dense + backward, generator update...: a multiple of 4 steps.
  assert.equal(matmul.calls % 4, 0);
  assert.ok(Math.abs(profile.kernels.reduce((s, k) => s + k.share, 0) - 1) < 1e-9);
  assert.ok(profileTable(profile).includes("| BatchMatMul |"));
  trainer.dispose();
});

Deno.test("--profile prints a kernel table and writes no run folder", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(`${root}/tiny.yaml`, tinyExperiment(`${root}/runs`));
  const out = await cli([`${root}/tiny.yaml`, "--profile", "3"]).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(new TextDecoder().decode(out.stdout), /\| BatchMatMul \| \d+ \|/);
  assert.deepEqual([...Deno.readDirSync(root)].map((e) => e.name), ["tiny.yaml"]);
});
