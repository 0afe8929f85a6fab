/**
 * A sweep's views page (final view and losses per configuration, median
 * seed) and `deno task report A B` (two runs or two sweeps side by side).
 */
import assert from "node:assert/strict";
import { parseExperiment } from "../src/config/load.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

async function task(args: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(out.code, 0, text.decode(out.stderr));
  return text.decode(out.stdout);
}

Deno.test("a sweep's report gains views.html: a final view and loss curves per configuration", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/tiny.yaml`, tinyExperiment(`${dir}/runs`));
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    "name: s\nbase: tiny.yaml\nsweep:\n  grid:\n    optimizer.generator.lr: [1.0e-3, 3.0e-4]\n  seeds: 3\n",
  );
  await task(["sweep", `${dir}/sweep.yaml`, "--root", `${dir}/runs`, "--parallel", "2"]);
  const sweep = `${dir}/runs/sweeps/s`;
  await task(["report", sweep, "--quiet"]);
  const html = await Deno.readTextFile(`${sweep}/views.html`);
  const panels = html.split('<section class="panel"').slice(1);
  assert.equal(panels.length, 2);
  for (const p of panels) {
    assert.match(p, /median seed \d of 3, eval\/kde_js = /);
    const src = p.match(/<img src="([^"]+)"/)![1];
    assert.ok((await Deno.stat(`${sweep}/${src}`)).isFile, src);
    assert.equal(p.split('class="series"').length - 1, 2, "d/loss and g/loss");
  }
  // Two sweeps side by side.
  await copyTree(sweep, `${sweep}-copy`);
  await task(["report", sweep, `${sweep}-copy`, "--out", dir]);
  const both = await Deno.readTextFile(`${dir}/compare.html`);
  assert.equal(both.split('<section class="panel"').length - 1, 4);
  for (const [, src] of both.matchAll(/<img src="([^"]+)"/g)) {
    assert.ok((await Deno.stat(`${dir}/${src}`)).isFile, src);
  }
});

Deno.test("deno task report A B puts two runs side by side", async () => {
  const root = await Deno.makeTempDir();
  const dirs: string[] = [];
  for (const seed of [1, 2]) {
    const loaded = parseExperiment(tinyExperiment(root), { overrides: [`seed=${seed}`] });
    dirs.push((await runExperiment(loaded)).run_dir);
  }
  await task(["report", ...dirs]);
  const html = await Deno.readTextFile(`${dirs[0]}/compare.html`);
  assert.equal(html.split("<img ").length - 1, 2);
  const losses =
    html.match(/<svg[^>]*class="chart">\s*<text[^>]*>d\/loss<\/text>[\s\S]*?<\/svg>/)![0];
  assert.equal(losses.split('class="series"').length - 1, 2, "A and B overlaid");
  assert.match(html, /eval\/modes/);
  assert.match(html, /<pre class="side">seed: 1<\/pre><pre class="side">seed: 2<\/pre>/);
  const mixed = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "report", dirs[0], root],
    cwd: ROOT,
    stderr: "piped",
  }).output();
  assert.equal(mixed.code, 2);
});

/** Copies a folder of files and folders (no links) from `from` to `to`. */
async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyTree(`${from}/${e.name}`, `${to}/${e.name}`);
    else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}
