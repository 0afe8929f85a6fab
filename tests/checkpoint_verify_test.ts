/**
 * Checkpoints are verified on resume (issue #15): a flipped byte, an edited header step or a
 * truncated file is named with why, set aside, and the newest intact checkpoint is used; the
 * resumed run still ends bit-identical. Version 1 checkpoints (no checksum) still resume.
 * Stray *.tmp files are removed; a run folder has one writer at a time.
 */
import assert from "node:assert/strict";
import { parseExperiment } from "../src/config/load.ts";
import { resumeRun, runExperiment, type RunSummary } from "../src/runs/experiment.ts";
import { readMetrics } from "../src/runs/files.ts";
import { lockRunFolder } from "../src/runs/lock.ts";
import { RunFolder } from "../src/runs/run_folder.ts";
import { decodeCheckpoint } from "../src/train/checkpoint.ts";
import { cli, tinyExperiment, withoutTime } from "./_fixtures.ts";

const NEWEST = "step-00000060.ckpt";

/** A finished tiny run (checkpoints at 40 and 60) and its metrics, to compare resumes with. */
async function finishedRun(): Promise<{ folder: RunFolder; summary: RunSummary; rows: unknown }> {
  const root = await Deno.makeTempDir();
  const summary = await runExperiment(parseExperiment(tinyExperiment(root)));
  const folder = new RunFolder(summary.run_dir);
  return { folder, summary, rows: withoutTime(await readMetrics(folder.metrics)) };
}

/** Resumes `folder`, collecting warnings; checks it ends as the original did. */
async function resumeAndCompare(run: Awaited<ReturnType<typeof finishedRun>>): Promise<string[]> {
  const warnings: string[] = [];
  const resumed = await resumeRun(run.folder.dir, { onWarning: (w) => warnings.push(w) });
  assert.deepEqual(resumed.final, run.summary.final);
  assert.deepEqual(withoutTime(await readMetrics(run.folder.metrics)), run.rows);
  return warnings;
}

async function edit(path: string, change: (bytes: Uint8Array) => Uint8Array): Promise<void> {
  await Deno.writeFile(path, change(await Deno.readFile(path)));
}

Deno.test("a byte flipped in the newest checkpoint is detected and the older one is used", async () => {
  const run = await finishedRun();
  const file = `${run.folder.checkpoints}/${NEWEST}`;
  await edit(file, (b) => {
    b[b.length - 10] ^= 0x01; // one bit of tensor data
    return b;
  });
  assert.throws(() => decodeCheckpoint(Deno.readFileSync(file)), /checksum mismatch/);
  const warnings = await resumeAndCompare(run);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    new RegExp(
      `^duel: warning: ${file}: checksum mismatch .*; moved to ${NEWEST}\\.corrupt, resuming from an older checkpoint \\(step-00000040\\.ckpt\\)`,
    ),
  );
  assert.ok(Deno.statSync(`${file}.corrupt`).isFile);
  // The new step-60 checkpoint is intact again.
  assert.equal(decodeCheckpoint(Deno.readFileSync(file)).state.step, 60);
});

Deno.test("a header whose step was edited is detected (checksum), and so is one that disagrees with its name", async () => {
  const run = await finishedRun();
  const file = `${run.folder.checkpoints}/${NEWEST}`;
  await edit(file, (b) => {
    const text = new TextDecoder().decode(b.subarray(0, 200));
    const at = text.indexOf('"step":60');
    assert.ok(at > 0);
    b.set(new TextEncoder().encode('"step":40'), at); // same length: only the checksum tells
    return b;
  });
  const warnings = await resumeAndCompare(run);
  assert.match(warnings.join("\n"), /step-00000060\.ckpt: checksum mismatch/);

  // A valid checkpoint of step 40 saved under the name of step 60.
  await Deno.copyFile(`${run.folder.checkpoints}/step-00000040.ckpt`, file);
  const later = await resumeAndCompare(run);
  assert.match(later.join("\n"), /step-00000060\.ckpt: its header says step 40, its name step 60/);
});

Deno.test("a truncated newest checkpoint is named and the older intact one is used", async () => {
  const run = await finishedRun();
  const file = `${run.folder.checkpoints}/${NEWEST}`;
  await edit(file, (b) => b.subarray(0, b.length - 100));
  const warnings = await resumeAndCompare(run);
  assert.match(warnings[0], new RegExp(`${file}: truncated Duel checkpoint`));
});

Deno.test("a checkpoint without a metrics row for its step is not trusted", async () => {
  const run = await finishedRun();
  const rows = await readMetrics(run.folder.metrics);
  await Deno.writeTextFile(
    run.folder.metrics,
    rows.filter((r) => r.step <= 50).map((r) => JSON.stringify(r) + "\n").join(""),
  );
  const warnings = await resumeAndCompare(run);
  assert.match(warnings[0], /step-00000060\.ckpt: metrics\.jsonl has no row for step 60/);
});

Deno.test("a version 1 checkpoint (no checksum, written before it) still resumes", async () => {
  const run = await finishedRun();
  const file = `${run.folder.checkpoints}/${NEWEST}`;
  // Version 1: magic, header, padding to 4 bytes, data (what Duel wrote before the checksum).
  await edit(file, (b) => {
    const text = new TextDecoder().decode(b.subarray(0, 100_000));
    const headerStart = text.indexOf("\n", 10) + 1;
    const headerEnd = text.indexOf("\n", headerStart) + 1;
    const dataStart = headerEnd + ((4 - (headerEnd % 4)) % 4);
    const head = new TextEncoder().encode("DUELCKPT1\n" + text.slice(headerStart, headerEnd));
    const pad = (4 - (head.length % 4)) % 4;
    const out = new Uint8Array(head.length + pad + (b.length - dataStart));
    out.set(head);
    out.fill(0x20, head.length, head.length + pad);
    out.set(b.subarray(dataStart), head.length + pad);
    return out;
  });
  const old = decodeCheckpoint(Deno.readFileSync(file));
  assert.equal(old.unverified, true);
  assert.equal(old.state.step, 60);
  assert.deepEqual(await resumeAndCompare(run), []);
});

Deno.test("stray *.tmp files of interrupted writes are removed on resume", async () => {
  const run = await finishedRun();
  const strays = [
    `${run.folder.checkpoints}/step-00000080.ckpt.1a2b3c4d.tmp`,
    `${run.folder.dir}/summary.json.5e6f7a8b.tmp`,
    `${run.folder.samples}/step-00000080.csv.9c0d1e2f.tmp`,
  ];
  for (const s of strays) await Deno.writeTextFile(s, "half");
  await resumeAndCompare(run);
  for (const s of strays) assert.equal(await Deno.stat(s).then(() => true, () => false), false, s);
});

Deno.test("a run folder has one writer: a second resume is refused with the holder's pid", async () => {
  const run = await finishedRun();
  // In-process: the folder is held.
  const lock = lockRunFolder(run.folder.dir, () => {});
  await assert.rejects(
    resumeRun(run.folder.dir),
    new RegExp(`being written by process ${Deno.pid} \\(lock ${run.folder.dir}/\\.lock\\)`),
  );
  // Another process: one line, exit 1, naming this process.
  const out = await cli(["--resume", run.folder.dir, "--quiet"]).output();
  const err = new TextDecoder().decode(out.stderr).trim();
  assert.equal(out.code, 1, err);
  assert.equal(err.split("\n").length, 1, err);
  assert.match(
    err,
    new RegExp(`^duel: ${run.folder.dir}: the run folder is being written by process ${Deno.pid} `),
  );
  lock.release();
  // Once released, resuming works; a stale lock file (its process gone) is taken over.
  await Deno.writeTextFile(`${run.folder.dir}/.lock`, "999999999\n");
  const warnings = await resumeAndCompare(run);
  assert.deepEqual(warnings, [
    `duel: warning: ${run.folder.dir}: took over a stale lock of process 999999999, which has ended`,
  ]);
  assert.equal(await Deno.stat(`${run.folder.dir}/.lock`).then(() => true, () => false), false);
});
