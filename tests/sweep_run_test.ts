import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

async function makeSweep(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/tiny.yaml`,
    tinyExperiment(`${dir}/runs`, "").replace("steps: 60", "steps: 300"),
  );
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    "name: tiny-sweep\nbase: tiny.yaml\nsweep:\n  grid:\n    optimizer.generator.lr: [1.0e-3, 3.0e-4]\n  seeds: 2\n",
  );
  return dir;
}

const sweepArgs = (dir: string, parallel: number) => [
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys=cpus",
  "--allow-run",
  `${ROOT}src/cli/sweep.ts`,
  `${dir}/sweep.yaml`,
  "--root",
  `${dir}/runs`,
  "--parallel",
  String(parallel),
];

function rows(dir: string) {
  const db = new DatabaseSync(`${dir}/runs/sweeps/tiny-sweep/sweep.db`);
  db.exec("pragma busy_timeout = 10000");
  try {
    return db.prepare(`select "index", state, attempts, final from trials order by "index"`)
      .all() as {
        index: number;
        state: string;
        attempts: number;
        final: string | null;
      }[];
  } finally {
    db.close();
  }
}

Deno.test("a sweep killed part-way and rerun loses no trial and reruns no finished one", async () => {
  const dir = await makeSweep();
  // setsid: the sweep and its trial processes form one process group, killed together.
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), ...sweepArgs(dir, 1)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    let done = 0;
    try {
      done = rows(dir).filter((r) => r.state === "done").length;
    } catch { /* the store is not created yet */ }
    if (done >= 1) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // The whole process group. Through /usr/bin/kill: Deno.kill of another process needs
  // unscoped --allow-run, which the test task no longer grants.
  const killed = await new Deno.Command("/usr/bin/kill", {
    args: ["-KILL", "--", `-${child.pid}`],
  }).output();
  assert.ok(killed.success, new TextDecoder().decode(killed.stderr));
  await child.status;
  const before = rows(dir);
  const doneBefore = before.filter((r) => r.state === "done");
  assert.ok(
    doneBefore.length >= 1 && doneBefore.length < 4,
    `done before the kill: ${doneBefore.length}`,
  );

  const rerun = await new Deno.Command(Deno.execPath(), {
    args: sweepArgs(dir, 1),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(rerun.code, 0, new TextDecoder().decode(rerun.stderr));
  const after = rows(dir);
  assert.deepEqual(after.map((r) => r.state), ["done", "done", "done", "done"]);
  for (const r of doneBefore) {
    const now = after[r.index];
    assert.equal(now.attempts, r.attempts, `trial ${r.index} ran again`);
    assert.equal(now.final, r.final);
  }
});

Deno.test("the same sweep run twice gives identical results and reports", async () => {
  const [a, b] = [await makeSweep(), await makeSweep()];
  for (const dir of [a, b]) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: sweepArgs(dir, 2),
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  }
  const table = (dir: string) =>
    rows(dir).map((r) => {
      const { elapsed: _e, ...final } = JSON.parse(r.final!);
      return [r.index, r.state, final];
    });
  assert.deepEqual(table(a), table(b));
  const report = async (dir: string) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "report", `${dir}/runs/sweeps/tiny-sweep`, "--quiet"],
      cwd: ROOT,
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    return await Deno.readTextFile(`${dir}/runs/sweeps/tiny-sweep/report.md`);
  };
  const [ra, rb] = [await report(a), await report(b)];
  assert.match(ra, /## All configurations, ranked/);
  assert.equal(ra, rb);
});
