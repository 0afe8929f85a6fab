/**
 * Writes stay where they belong (issue #15): run from a working directory, `output.root`,
 * `--run-dir`, `--resume`, `--root` and `--out` are refused when empty or outside it (`..`,
 * an absolute path from a file, a symlink leading out), with one line and exit 2 and nothing
 * written; `--allow-outside`, or an absolute path typed on the command line, says otherwise.
 */
import assert from "node:assert/strict";
import { EXPERIMENT_FLAGS } from "../src/runs/subprocess.ts";
import { checkWritable, outsideReason } from "../src/paths.ts";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

const SCRIPTS = {
  experiment: `${ROOT}src/cli/experiment.ts`,
  sweep: `${ROOT}src/cli/sweep.ts`,
  report: `${ROOT}src/cli/report.ts`,
};

/** Runs a tool from the working directory `cwd`; returns its exit code and stderr. */
async function tool(cwd: string, which: keyof typeof SCRIPTS, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      `${ROOT}deno.json`,
      ...EXPERIMENT_FLAGS,
      "--allow-run",
      SCRIPTS[which],
      ...args,
    ],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, err: new TextDecoder().decode(out.stderr).trim() };
}

/** A working directory with an experiment file, and a folder outside it. */
async function setup() {
  const base = await Deno.makeTempDir();
  const cwd = `${base}/work`;
  const outside = `${base}/outside`;
  await Deno.mkdir(cwd);
  await Deno.mkdir(outside);
  await Deno.symlink(outside, `${cwd}/link`); // a symlink out of the working directory
  const file = (root: string) => tinyExperiment(root).replace("steps: 60", "steps: 2");
  return { base, cwd, outside, file };
}

const listing = (dir: string) => [...Deno.readDirSync(dir)].map((e) => e.name).sort();

function refused(o: { code: number; err: string }, pattern: RegExp): void {
  assert.equal(o.code, 2, o.err);
  assert.equal(o.err.split("\n").length, 1, o.err);
  assert.doesNotMatch(o.err, /^\s+at /m);
  assert.match(o.err, pattern);
}

Deno.test("output.root, --run-dir and --resume out of the working directory are refused", async () => {
  const { base, cwd, outside, file } = await setup();
  const cases: [string, string[], RegExp][] = [
    ["../outside", [], /output\.root: .*\/outside is outside the working directory/],
    ["link/runs", [], /output\.root: link\/runs follows a symlink out of the working directory/],
    [outside, [], /output\.root: .* is outside the working directory/],
    ["runs", ["--run-dir", "../outside/run"], /^--run-dir "\.\.\/outside\/run": .* is outside/],
    ["runs", ["--run-dir", "link/run"], /^--run-dir "link\/run": link\/run follows a symlink/],
    ["runs", ["--run-dir", ""], /^--run-dir "": an empty path/],
    [
      "runs",
      ["--set", "output.root=../outside"],
      /^--set output\.root=\.\.\/outside: output\.root:/,
    ],
  ];
  for (const [root, extra, pattern] of cases) {
    await Deno.writeTextFile(`${cwd}/e.yaml`, file(root));
    refused(await tool(cwd, "experiment", ["e.yaml", "--quiet", ...extra]), pattern);
  }
  refused(
    await tool(cwd, "experiment", ["--resume", "../outside/x", "--quiet"]),
    /^--resume "\.\.\/outside\/x": .* is outside/,
  );
  assert.deepEqual(listing(outside), []);
  assert.deepEqual(listing(cwd), ["e.yaml", "link"]);
  assert.deepEqual(listing(base), ["outside", "work"]);

  // Said explicitly: an absolute path typed on the command line, or --allow-outside.
  await Deno.writeTextFile(`${cwd}/e.yaml`, file("runs"));
  const typed = await tool(cwd, "experiment", [
    "e.yaml",
    "--quiet",
    "--set",
    `output.root=${outside}/a`,
  ]);
  assert.equal(typed.code, 0, typed.err);
  await Deno.writeTextFile(`${cwd}/e.yaml`, file("../outside/b"));
  const allowed = await tool(cwd, "experiment", ["e.yaml", "--quiet", "--allow-outside"]);
  assert.equal(allowed.code, 0, allowed.err);
  assert.deepEqual(listing(outside), ["a", "b"]);
  // Inside the working directory nothing needs saying.
  const inside = await tool(cwd, "experiment", ["e.yaml", "--quiet", "--set", "output.root=runs"]);
  assert.equal(inside.code, 0, inside.err);
  assert.deepEqual(listing(`${cwd}/runs`), ["tiny"]);
});

Deno.test('sweep --root "" and report --out "" or outside are refused; nothing is written', async () => {
  const { base, cwd, outside } = await setup();
  await Deno.writeTextFile(`${cwd}/s.yaml`, "name: s\nbase: e.yaml\n");
  refused(await tool(cwd, "sweep", ["s.yaml", "--root", ""]), /^--root "": an empty path/);
  refused(await tool(cwd, "sweep", ["s.yaml", "--root", "link"]), /^--root "link": link follows/);
  refused(await tool(cwd, "report", ["link", "--out", ""]), /^--out "": an empty path/);
  refused(await tool(cwd, "report", [outside, "--out", "../outside"]), /^--out "\.\.\/outside"/);
  assert.deepEqual(listing(outside), []);
  assert.deepEqual(listing(cwd), ["link", "s.yaml"]);
  assert.deepEqual(listing(base), ["outside", "work"]);
});

Deno.test("checkWritable: the rule in one table", async () => {
  const { cwd, outside } = await setup();
  const rule = (allowOutside: boolean, typed: boolean) => ({ allowOutside, typed, cwd });
  const table: [string, boolean, boolean, boolean][] = [
    // path, --allow-outside, typed on the command line, allowed
    ["runs", false, false, true],
    ["./runs/../runs2", false, false, true],
    ["", true, true, false],
    ["  ", true, true, false],
    ["../x", false, true, false],
    ["../x", true, false, true],
    [outside, false, false, false],
    [outside, false, true, true],
    ["link/x", false, true, false],
    ["link/x", true, false, true],
    [`${cwd}/link/x`, false, true, true], // typed absolute: the user named it
    [`${cwd}/runs`, false, false, true],
  ];
  for (const [path, allow, typed, ok] of table) {
    assert.equal(
      checkWritable(path, rule(allow, typed)) === undefined,
      ok,
      `${path} ${allow} ${typed}`,
    );
  }
  assert.equal(outsideReason(".", cwd), undefined);
});
