/**
 * Divergence is caught (issue #15): a run with lr 1e6 stops with exit 3 and one line naming
 * the step, keeps a finite checkpoint, records the stop in summary.json, and resumes with a
 * lower learning rate; `train.divergence_guard` stops a runaway Wasserstein critic; a
 * sweep records a diverged trial as `diverged`.
 */
import assert from "node:assert/strict";
import { parseExperiment } from "../src/config/load.ts";
import { decodeCheckpoint } from "../src/train/checkpoint.ts";
import { readMetrics } from "../src/runs/files.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { DivergedError } from "../src/errors.ts";
import { loadSweep } from "../src/sweep/sweep_file.ts";
import { runSweep } from "../src/sweep/runner.ts";
import { trialsFromSweep } from "../src/report/sources.ts";
import { summarize } from "../src/report/summarize.ts";
import { cli, tinyExperiment } from "./_fixtures.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("lr 1e6: exit 3, one line naming the step, a finite checkpoint kept, resumable with a lower lr", async () => {
  const root = await Deno.makeTempDir();
  const file = `${root}/tiny.yaml`;
  await Deno.writeTextFile(file, tinyExperiment(root));
  const lr = ["--set", "optimizer.generator.lr=1e6", "--set", "optimizer.discriminator.lr=1e6"];
  const out = await cli([file, ...lr, "--quiet"]).output();
  const err = text(out.stderr).trim();
  assert.equal(out.code, 3, err);
  assert.equal(err.split("\n").length, 1, err);
  assert.doesNotMatch(err, /^\s+at /m);
  const m = /^(\S+): diverged at step (\d+): (.+)$/.exec(err);
  assert.ok(m, err);
  const [dir, step] = [m[1], Number(m[2])];
  assert.match(err, /hints: generator lr 1000000, critic lr 1000000, objective non_saturating/);

  const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
  assert.equal(summary.stopped.reason, "diverged");
  assert.equal(summary.stopped.step, step);
  assert.ok(Object.values(summary.final).every((v) => Number.isFinite(v)), "final row finite");
  const rows = await readMetrics(`${dir}/metrics.jsonl`);
  assert.ok(rows.length >= 1 && rows.length <= step + 1);
  for (const row of rows) {
    for (const [k, v] of Object.entries(row)) assert.ok(Number.isFinite(v), `${k} at ${row.step}`);
  }
  // Every kept checkpoint is finite; the one the summary names is among them.
  const names = [...Deno.readDirSync(`${dir}/checkpoints`)].map((e) => e.name).sort();
  assert.ok(names.length >= 1 && names.includes(summary.stopped.checkpoint.split("/")[1]));
  for (const name of names) {
    const ckpt = decodeCheckpoint(await Deno.readFile(`${dir}/checkpoints/${name}`));
    assert.ok(ckpt.state.tensors.every((t) => t.data.every(Number.isFinite)), name);
  }

  // --resume with a lower lr continues from the kept checkpoint and finishes.
  const lower = [
    "--set",
    "optimizer.generator.lr=1e-3",
    "--set",
    "optimizer.discriminator.lr=1e-3",
  ];
  const resumed = await cli(["--resume", dir, ...lower, "--quiet"]).output();
  assert.equal(resumed.code, 0, text(resumed.stderr));
  const done = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
  assert.equal(done.steps, 60);
  assert.equal(done.stopped, undefined);
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/manifest.json`));
  assert.deepEqual(manifest.config_changes.map((c: { set: string[] }) => c.set), [
    ["optimizer.generator.lr=1e-3", "optimizer.discriminator.lr=1e-3"],
  ]);
  // Only the learning rates and the guard may change on --resume.
  const refused = await cli(["--resume", dir, "--set", "train.steps=9", "--quiet"]).output();
  assert.equal(refused.code, 2);
  assert.match(text(refused.stderr).trim(), /^--set train\.steps=9: not with --resume \(valid: /);
});

Deno.test("train.divergence_guard stops a runaway Wasserstein critic; without it the run ends", async () => {
  const root = await Deno.makeTempDir();
  // An unconstrained critic (no clipping, no penalty): its scores run off.
  const wgan = tinyExperiment(root, "objective: { name: wasserstein }\n")
    .replace(
      "lr: 1.0e-3 }\n  discriminator: { name: adam, lr: 1.0e-3 }",
      "lr: 1.0e-3 }\n  discriminator: { name: adam, lr: 0.05 }",
    );
  const free = await runExperiment(parseExperiment(wgan));
  const scores = (await readMetrics(`${free.run_dir}/metrics.jsonl`)).map((r) => r["d/fake_score"]);
  const peak = Math.max(...scores.filter((s) => s !== undefined).map(Math.abs));
  const bound = peak / 4;
  const guarded = parseExperiment(wgan, {
    overrides: [`train.divergence_guard={ max_abs_score: ${bound} }`],
  });
  assert.deepEqual(guarded.config.train.divergence_guard, { max_abs_score: bound });
  const error = await runExperiment(guarded).then(() => undefined, (e) => e);
  assert.ok(error instanceof DivergedError, String(error));
  assert.equal(error.exitCode, 3);
  assert.match(
    error.message,
    /diverged at step \d+: d\/(real|fake)_score is .*past train\.divergence_guard\.max_abs_score/,
  );
  // A file without the key resolves as before: the key is absent, not null.
  assert.equal("divergence_guard" in parseExperiment(wgan).config.train, false);
  assert.doesNotMatch(parseExperiment(wgan).resolvedYaml, /divergence_guard/);
});

Deno.test("a sweep records a diverged trial as diverged, not done or failed, and does not retry it", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/tiny.yaml`, tinyExperiment(`${dir}/runs`));
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    "name: lr\nbase: tiny.yaml\nset: { train.steps: 20 }\nsweep:\n  points:\n" +
      "    - { optimizer.discriminator.lr: 1.0e-3 }\n" +
      "    - { optimizer.generator.lr: 1.0e+6, optimizer.discriminator.lr: 1.0e+6 }\n",
  );
  const sweep = await loadSweep(`${dir}/sweep.yaml`);
  const events: string[] = [];
  const rows = await runSweep(sweep, {
    parallel: 2,
    root: `${dir}/runs`,
    onEvent: (e, t) => e !== "start" && events.push(`${t.index} ${e}`),
  });
  assert.deepEqual(rows.map((r) => r.state), ["done", "diverged"]);
  assert.equal(rows[1].attempts, 1);
  assert.match(rows[1].error ?? "", /diverged at step \d+/);
  assert.deepEqual(events.sort(), ["0 done", "1 diverged"]);
  // Rerunning leaves it diverged (it would diverge again).
  const again = await runSweep(sweep, { parallel: 1, root: `${dir}/runs` });
  assert.deepEqual(again.map((r) => [r.state, r.attempts]), [["done", 1], ["diverged", 1]]);
  // The report counts it as diverged.
  const report = summarize("lr", await trialsFromSweep(`${dir}/runs/sweeps/lr`));
  assert.deepEqual(report.counts, { total: 2, done: 1, unfinished: 1, diverged: 1 });
  assert.match(report.failures[0].error, /diverged at step/);
});
