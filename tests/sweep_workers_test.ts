/**
 * Workers on a shared store, crashed on purpose: one worker process (and its
 * trial) killed with SIGKILL mid-trial while others go on. Every trial ends
 * with exactly one finished attempt, only the killed trial has a second one,
 * and the final metrics equal a single-process run's bit for bit. Once on
 * PostgreSQL (3 workers), once on one SQLite file (2 workers). The lease is
 * longer than the test: a worker on the same machine frees the killed one's
 * trial at once, seeing its process gone.
 */
import assert from "node:assert/strict";
import { ROOT, tinyExperiment } from "./_fixtures.ts";
import { PG_AVAILABLE, withFreshDatabase } from "./_postgres.ts";
import { openStore } from "../src/sweep/open_store.ts";
import type { SweepStore } from "../src/sweep/store.ts";

const SWEEP = "crash";
/** Longer than the test: the killed worker's trial must be freed by deadHere, not by its lease. */
const LEASE_S = 120;

async function makeSweep(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "duel_workers_" });
  await Deno.writeTextFile(
    `${dir}/tiny.yaml`,
    // 400 steps: a trial in a warm trial host still takes over half a second, so a kill sent
    // within 100 ms of its claim lands mid-trial.
    tinyExperiment(`${dir}/runs`, "").replace("steps: 60", "steps: 400"),
  );
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    `name: ${SWEEP}\nbase: tiny.yaml\nsweep:\n  grid:\n    optimizer.generator.lr: [1.0e-3, 3.0e-4]\n  seeds: 6\n`,
  );
  return dir;
}

const FLAGS = [
  "run",
  "--allow-read",
  "--allow-write",
  "--allow-env=DUEL_STORE,PGAPPNAME,DUEL_CACHE_DIR,XDG_CACHE_HOME,HOME,TMPDIR,TMP,TEMP,LOG_TOKENS,LOG_STREAM",
  "--allow-sys=cpus,hostname",
  "--allow-net", // as the sweep task: a store anywhere, and workers' liveness sockets
  `--allow-run=${Deno.execPath()}`,
  `${ROOT}src/cli/sweep.ts`,
];

async function sweep(args: string[]): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...FLAGS, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, out: text };
}

/** Final metrics by trial, wall time aside. */
function finals(rows: { index: number; state: string; final: string | null }[]) {
  return rows.map((r) => {
    const { elapsed: _e, ...rest } = JSON.parse(r.final ?? "{}");
    return [r.index, r.state, rest];
  });
}

let reference: Promise<unknown[]> | undefined;
/** The sweep run by one local process (SQLite), computed once. */
function referenceRun(): Promise<unknown[]> {
  reference ??= (async () => {
    const dir = await makeSweep();
    const r = await sweep([`${dir}/sweep.yaml`, "--root", `${dir}/runs`, "--parallel", "2"]);
    assert.equal(r.code, 0, r.out);
    const store = await openStore(`${dir}/runs/sweeps/${SWEEP}/sweep.db`, SWEEP);
    try {
      return finals(await store.all());
    } finally {
      await store.close();
      await Deno.remove(dir, { recursive: true });
    }
  })();
  return reference;
}

async function crashTest(spec: (dir: string) => Promise<string>, workers: number) {
  const dir = await makeSweep();
  const url = await spec(dir);
  const submitted = await sweep([
    `${dir}/sweep.yaml`,
    "--root",
    `${dir}/runs`,
    "--store",
    url,
    "--submit",
  ]);
  assert.equal(submitted.code, 0, submitted.out);
  assert.match(submitted.out, /12 trials of crash submitted/);
  const children = Array.from({ length: workers }, () =>
    new Deno.Command("setsid", {
      args: [
        Deno.execPath(),
        ...FLAGS,
        "--worker",
        "--store",
        url,
        "--root",
        `${dir}/runs`,
        "--lease",
        String(LEASE_S),
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  const store: SweepStore = await openStore(url, SWEEP);
  try {
    // Wait until one trial is done and another has just been claimed, then kill that trial's
    // worker. Just claimed (under 100 ms ago): the kill lands mid-trial, not after a trial that
    // was about to finish (a race seen once on a loaded host).
    let victim: { trial: number; pid: number } | undefined;
    const deadline = Date.now() + 120_000;
    while (!victim && Date.now() < deadline) {
      const attempts = await store.attempts();
      const running = attempts.find((a) => a.ended === null && Date.now() - a.started < 100);
      if (attempts.some((a) => a.outcome === "done") && running) {
        victim = { trial: running.trial, pid: Number(running.worker.split("/")[1]) };
      } else await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(victim, "no trial ran");
    assert.ok(children.some((c) => c.pid === victim!.pid), "the worker is one of ours");
    const killed = await new Deno.Command("/usr/bin/kill", {
      args: ["-KILL", "--", `-${victim.pid}`],
    }).output();
    assert.ok(killed.success);
    const killedAt = Date.now();
    const outputs = await Promise.all(children.map(async (c) => {
      const out = await c.output();
      return { pid: c.pid, code: out.code, text: new TextDecoder().decode(out.stderr) };
    }));
    for (const o of outputs.filter((o) => o.pid !== victim!.pid)) {
      assert.equal(o.code, 0, o.text);
    }
    const rows = await store.all();
    assert.deepEqual(rows.map((r) => r.state), Array(12).fill("done"));
    const attempts = await store.attempts();
    for (const r of rows) {
      const mine = attempts.filter((a) => a.trial === r.index);
      assert.equal(mine.filter((a) => a.outcome === "done").length, 1, `trial ${r.index}`);
      if (r.index !== victim.trial) assert.equal(mine.length, 1, `trial ${r.index} ran twice`);
    }
    const taken = attempts.filter((a) => a.trial === victim!.trial);
    assert.equal(taken.length, 2);
    // Freed by a worker on this machine that saw the killer's process gone (deadHere), long before
    // the lease would have run out: outcome `interrupted` (an expired lease is `expired`).
    assert.equal(taken[0].outcome, "interrupted");
    assert.ok(
      taken[1].started - killedAt < LEASE_S * 1000 / 2,
      "taken over before the lease ended",
    );
    const took = Date.now() - killedAt;
    console.log(`killed trial ${victim.trial} (${taken[0].outcome}); the rest took ${took} ms`);
    assert.deepEqual(finals(rows), await referenceRun());
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name:
    "3 workers on PostgreSQL, one killed mid-trial: every trial done once, metrics as one process's",
  ignore: !PG_AVAILABLE,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withFreshDatabase((make) => crashTest(make, 3)),
});

Deno.test({
  name:
    "2 workers on one SQLite store, one killed mid-trial: every trial done once, metrics as one process's",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => crashTest((dir) => Promise.resolve(`${dir}/runs/sweeps/${SWEEP}/sweep.db`), 2),
});
