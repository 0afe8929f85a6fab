/**
 * Views and health in run folders: views at every evaluation, report.html,
 * gradient norms at their interval, and no change to any existing number.
 */
import assert from "node:assert/strict";
import { parseExperiment } from "../src/config/load.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { readMetrics } from "../src/runs/files.ts";
import { viewFile, writeRunReport } from "../src/runs/run_report.ts";
import { gridPng } from "../src/images/grid.ts";
import { ROOT, tinyExperiment, withoutTime } from "./_fixtures.ts";

const names = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

Deno.test("a 2-D run writes a view per evaluation, report.html and gradient norms at their interval", async () => {
  const root = await Deno.makeTempDir();
  const loaded = parseExperiment(tinyExperiment(root), { overrides: ["eval.health_every=15"] });
  const { run_dir } = await runExperiment(loaded);
  const steps = [0, 20, 40, 60];
  assert.deepEqual(
    names(`${run_dir}/views`),
    steps.flatMap((s) => [viewFile(s, "png"), viewFile(s, "svg")]).map((f) => f.slice(6)),
  );
  const rows = await readMetrics(`${run_dir}/metrics.jsonl`);
  assert.deepEqual(rows.filter((r) => "d/grad_norm" in r).map((r) => r.step), [15, 30, 45, 60]);
  assert.deepEqual(rows.filter((r) => "g/grad_norm" in r).map((r) => r.step), [15, 30, 45, 60]);
  assert.ok(rows.every((r) => !("d/grad_norm" in r) || r["d/grad_norm"] > 0));
  const html = await Deno.readTextFile(`${run_dir}/report.html`);
  assert.match(html, /finished: step 60 of 60/);
  assert.match(html, /<div id="latest"><svg/);
  assert.match(html, /class="heat"/);
  assert.equal(html.split('<img src="views/step-').length - 1, 4); // the strip, one per evaluation
  assert.match(html, /gradient norms/);
  assert.match(html, /name: tiny/);
  assert.match(html, /&quot;config_hash&quot;/);
});

Deno.test("views and health logging change no existing number of a run", async () => {
  const root = await Deno.makeTempDir();
  const run = async (views: boolean, health: string) => {
    const loaded = parseExperiment(tinyExperiment(root), {
      overrides: [`eval.health_every=${health}`],
    });
    const { run_dir } = await runExperiment(loaded, { views });
    return withoutTime(await readMetrics(`${run_dir}/metrics.jsonl`));
  };
  const plain = await run(false, "0");
  const drawn = await run(true, "7");
  assert.ok(drawn.some((r) => "d/grad_norm" in r));
  const existing = drawn.map((r) =>
    Object.fromEntries(Object.entries(r).filter(([k]) => !k.endsWith("/grad_norm")))
  );
  assert.deepEqual(existing, plain);
  assert.ok(plain.every((r) => !("d/grad_norm" in r)));
});

Deno.test("an absent eval.health_every leaves the config hash as it was", () => {
  const text = tinyExperiment("/tmp");
  const a = parseExperiment(text),
    b = parseExperiment(text, { overrides: ["eval.health_every=50"] });
  assert.doesNotMatch(a.resolvedYaml, /health_every/);
  assert.notEqual(a.hash, b.hash);
  assert.equal(a.config.eval.health_every, undefined);
});

Deno.test("a 1-D f-GAN run's report shows the exact and generated densities and the critic's curve", async () => {
  const root = await Deno.makeTempDir();
  const text = (await Deno.readTextFile("experiments/divergences/fit-kl.yaml")) +
    `output: { root: ${JSON.stringify(root)} }\n`;
  const loaded = parseExperiment(text, {
    overrides: [
      "train.steps=40",
      "eval.every=20",
      "eval.samples=2000",
      "train.checkpoint_every=40",
    ],
  });
  const { run_dir } = await runExperiment(loaded);
  assert.deepEqual(names(`${run_dir}/views`), [0, 20, 40].map((s) => viewFile(s, "svg").slice(6)));
  const html = await Deno.readTextFile(`${run_dir}/report.html`);
  const group = (cls: string) => html.match(new RegExp(`<g class="${cls}">(.*?)</g>`, "s"))![1];
  for (const name of ["real (exact)", "generated (histogram)", "generated (exact)"]) {
    assert.ok(group("densities").includes(`>${name}<`), name);
  }
  assert.match(html, /T\(x\) = g_f\(v\(x\)\)/);
  assert.ok(group("critic").includes(">critic<") && group("critic").includes(">optimal (exact)<"));
  // Each curve is a path with many points.
  for (const d of group("critic").match(/ d="([^"]*)"/g)!) assert.ok(d.split("L").length > 100);
});

Deno.test("deno task report rebuilds a run's report.html and --gif animates its views", async () => {
  const root = await Deno.makeTempDir();
  const { run_dir } = await runExperiment(parseExperiment(tinyExperiment(root)));
  await Deno.remove(`${run_dir}/report.html`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "report", run_dir, "--gif", "--quiet"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(await Deno.readTextFile(`${run_dir}/report.html`), /id="lapse-range"/);
  const gif = await Deno.readFile(`${run_dir}/views.gif`);
  assert.equal(new TextDecoder().decode(gif.subarray(0, 6)), "GIF89a");
});

Deno.test("an image run's report embeds its sample grids as the time-lapse", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/samples`);
  await Deno.writeTextFile(`${dir}/config.resolved.yaml`, "name: digits\ntrain: { steps: 20 }\n");
  await Deno.writeTextFile(`${dir}/metrics.jsonl`, '{"step":0}\n{"step":10,"d/loss":1}\n');
  for (const step of [0, 10]) {
    await Deno.writeFile(
      `${dir}/samples/step-${String(step).padStart(8, "0")}.png`,
      gridPng(new Float32Array(4 * 4), [2, 2, 1]),
    );
  }
  await writeRunReport(dir);
  const html = await Deno.readTextFile(`${dir}/report.html`);
  assert.match(html, /<img id="lapse-img" src="samples\/step-00000010\.png"/);
  assert.equal(html.split('<img src="samples/step-').length - 1, 2);
  assert.match(html, /in progress or stopped: step 10 of 20/);
});
