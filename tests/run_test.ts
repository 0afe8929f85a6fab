import assert from "node:assert/strict";
import { configHash, parseExperiment, parseYaml } from "../src/config/load.ts";
import { resumeRun, runExperiment } from "../src/runs/experiment.ts";
import { readMetrics } from "../src/runs/files.ts";
import { RunFolder } from "../src/runs/run_folder.ts";
import { cli, tinyExperiment, withoutTime } from "./_fixtures.ts";

Deno.test("a run folder holds config, manifest, metrics, summary, checkpoints and samples", async () => {
  const root = await Deno.makeTempDir();
  const loaded = parseExperiment(tinyExperiment(root));
  const summary = await runExperiment(loaded, { commandLine: ["test"] });
  const folder = new RunFolder(summary.run_dir);
  assert.ok(summary.run_dir.startsWith(`${root}/tiny/`));
  assert.equal(await Deno.readTextFile(folder.config), loaded.resolvedYaml);
  const manifest = JSON.parse(await Deno.readTextFile(folder.manifest));
  assert.equal(manifest.seed, 5);
  assert.equal(manifest.backend, "wasm");
  assert.equal(manifest.config_hash, loaded.hash);
  assert.deepEqual(manifest.command_line, ["test"]);
  assert.deepEqual(manifest.data, { name: "ring8" }); // no split: an endless toy set
  const rows = await readMetrics(folder.metrics);
  assert.deepEqual(rows.map((r) => r.step), Array.from({ length: 61 }, (_, i) => i));
  for (const key of ["d/loss", "g/loss", "d/real_score", "d/fake_score", "elapsed"]) {
    assert.ok(Number.isFinite(rows[60][key]), key);
  }
  assert.deepEqual(rows.filter((r) => "eval/modes" in r).map((r) => r.step), [0, 20, 40, 60]);
  const saved = JSON.parse(await Deno.readTextFile(folder.summary));
  assert.deepEqual(saved.final, withoutTime([rows[60]])[0]);
  const samples = (await Deno.readTextFile(folder.samplesAt(60))).trim().split("\n");
  assert.equal(samples[0], "x0,x1");
  assert.equal(samples.length, 201);
  const checkpoints = [...Deno.readDirSync(folder.checkpoints)].map((e) => e.name).sort();
  assert.deepEqual(checkpoints, ["step-00000040.ckpt", "step-00000060.ckpt"]);
  // Vector data: one CSV per evaluation and no pictures.
  const pictures = [...Deno.readDirSync(folder.samples)].map((e) => e.name).sort();
  assert.deepEqual(pictures, [0, 20, 40, 60].map((s) => `step-${String(s).padStart(8, "0")}.csv`));
});

Deno.test("the same file and seed twice give identical metrics apart from wall time", async () => {
  const root = await Deno.makeTempDir();
  const loaded = parseExperiment(tinyExperiment(root));
  const [a, b] = [await runExperiment(loaded), await runExperiment(loaded)];
  assert.notEqual(a.run_dir, b.run_dir);
  const [ra, rb] = [
    await readMetrics(`${a.run_dir}/metrics.jsonl`),
    await readMetrics(`${b.run_dir}/metrics.jsonl`),
  ];
  assert.deepEqual(withoutTime(ra), withoutTime(rb));
  assert.deepEqual(
    await Deno.readTextFile(`${a.run_dir}/samples/step-00000060.csv`),
    await Deno.readTextFile(`${b.run_dir}/samples/step-00000060.csv`),
  );
  const other = await runExperiment(
    parseExperiment(tinyExperiment(root), { overrides: ["seed=6"] }),
  );
  assert.notDeepEqual(
    withoutTime(await readMetrics(`${other.run_dir}/metrics.jsonl`)),
    withoutTime(ra),
  );
});

async function waitForStep(path: string, step: number, child: Deno.ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const rows = await readMetrics(path).catch(() => []);
    if (rows.length && rows[rows.length - 1].step >= step) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill("SIGKILL");
  throw new Error(`the run never reached step ${step}`);
}

Deno.test("a run killed with SIGKILL and resumed ends exactly like an uninterrupted run", async () => {
  const root = await Deno.makeTempDir();
  const file = `${root}/tiny.yaml`;
  await Deno.writeTextFile(file, tinyExperiment(root));
  const steps = [
    "--set",
    "train.steps=1000",
    "--set",
    "train.checkpoint_every=50",
    "--set",
    "eval.every=250",
  ];

  const reference = await cli([file, ...steps, "--quiet"]).output();
  assert.equal(reference.code, 0, new TextDecoder().decode(reference.stderr));
  const refDir = new TextDecoder().decode(reference.stdout).match(/run folder: (.*)/)![1];

  const killed = cli([file, ...steps, "--quiet"]);
  const dir = await (async () => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const runs = [...Deno.readDirSync(`${root}/tiny`)].map((e) => `${root}/tiny/${e.name}`);
      const fresh = runs.find((r) => r !== refDir);
      if (fresh) return fresh;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("the second run made no folder");
  })();
  await waitForStep(`${dir}/metrics.jsonl`, 170, killed);
  killed.kill("SIGKILL");
  const status = await killed.status;
  assert.equal(status.signal, "SIGKILL");
  await killed.stdout.cancel();
  await killed.stderr.cancel();
  assert.equal(
    await Deno.stat(`${dir}/summary.json`).catch(() => null),
    null,
    "killed before the end",
  );

  const resumed = await cli(["--resume", dir, "--quiet"]).output();
  assert.equal(resumed.code, 0, new TextDecoder().decode(resumed.stderr));
  const [want, got] = [
    await readMetrics(`${refDir}/metrics.jsonl`),
    await readMetrics(`${dir}/metrics.jsonl`),
  ];
  assert.equal(got.length, 1001);
  assert.deepEqual(withoutTime(got), withoutTime(want));
  const final = async (d: string) => JSON.parse(await Deno.readTextFile(`${d}/summary.json`)).final;
  assert.deepEqual(await final(dir), await final(refDir));
});

Deno.test("--resume accepts a folder written before newer keys existed, and refuses a foreign checkpoint", async () => {
  const root = await Deno.makeTempDir();
  const summary = await runExperiment(parseExperiment(tinyExperiment(root)));
  const folder = new RunFolder(summary.run_dir);
  // An older Duel wrote no `lr_schedule`; its checkpoints carry the hash of that file.
  const text = await Deno.readTextFile(folder.config);
  const older = text.replace("\n  lr_schedule:\n    name: constant", "");
  assert.notEqual(older, text);
  await Deno.writeTextFile(folder.config, older);
  const ckpt = (await folder.latestCheckpoint())!;
  const data = parseYaml(older, folder.config).data;
  const olderHash = configHash(data);
  await folder.saveCheckpoint({ ...ckpt, configHash: olderHash });
  const resumed = await resumeRun(summary.run_dir);
  assert.equal(resumed.final["eval/modes"], summary.final["eval/modes"]);
  await folder.saveCheckpoint({ ...ckpt, configHash: "0".repeat(64) });
  await assert.rejects(resumeRun(summary.run_dir), /another configuration/);
});
