/**
 * A lost lease: worker A (with its trial) is paused with SIGSTOP past its
 * lease; worker B takes the trial over and finishes it. When A resumes
 * (SIGCONT), its late result is refused (it says so in one line) and the
 * store keeps B's result alone: attempt 1 `expired`, attempt 2 `done`. Once
 * on PostgreSQL, once on SQLite.
 */
import assert from "node:assert/strict";
import { ROOT, tinyExperiment } from "./_fixtures.ts";
import { PG_AVAILABLE, withFreshDatabase } from "./_postgres.ts";
import { openStore } from "../src/sweep/open_store.ts";

const SWEEP = "paused";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function worker(url: string, dir: string): Deno.ChildProcess {
  // setsid: the worker and its trial form a process group, paused and resumed together.
  return new Deno.Command("setsid", {
    args: [
      Deno.execPath(),
      ...FLAGS,
      "--worker",
      "--store",
      url,
      "--root",
      `${dir}/runs`,
      "--lease",
      "2",
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function signal(name: string, pid: number): Promise<void> {
  const out = await new Deno.Command("/usr/bin/kill", { args: [`-${name}`, "--", `-${pid}`] })
    .output();
  assert.ok(out.success, `kill -${name}`);
}

async function lostLease(spec: (dir: string) => Promise<string>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "duel_lost_" });
  await Deno.writeTextFile(
    `${dir}/tiny.yaml`,
    tinyExperiment(`${dir}/runs`, "").replace("steps: 60", "steps: 40"),
  );
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    `name: ${SWEEP}\nbase: tiny.yaml\nsweep:\n  seeds: 1\n`,
  );
  const url = await spec(dir);
  const sub = await new Deno.Command(Deno.execPath(), {
    args: [...FLAGS, `${dir}/sweep.yaml`, "--root", `${dir}/runs`, "--store", url, "--submit"],
  }).output();
  assert.equal(sub.code, 0, text(sub.stderr));
  const store = await openStore(url, SWEEP);
  let a: Deno.ChildProcess | undefined;
  try {
    a = worker(url, dir);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !(await store.attempts()).some((x) => x.ended === null)) {
      await sleep(20);
    }
    await signal("STOP", a.pid);
    const [claimed] = await store.attempts();
    assert.equal(claimed?.ended, null, "A was paused mid-trial");
    assert.equal(claimed.worker.split("/")[1], String(a.pid));

    // B takes the trial over once A's lease has run out, and finishes it.
    const b = await worker(url, dir).output();
    assert.equal(b.code, 0, text(b.stderr));
    const taken = await store.attempts();
    assert.deepEqual(taken.map((x) => [x.attempt, x.outcome]), [[1, "expired"], [2, "done"]]);
    assert.notEqual(taken[1].worker, taken[0].worker);
    const [row] = await store.all();
    assert.equal(row.state, "done");

    // A resumes: its result is refused, and the store is as B left it.
    await signal("CONT", a.pid);
    const out = await a.output();
    a = undefined;
    assert.equal(out.code, 0, text(out.stderr));
    assert.match(text(out.stdout), /trial 0 \(seed \d+\): lease lost, taken over; result refused/);
    assert.deepEqual(await store.attempts(), taken);
    assert.deepEqual(await store.all(), [row]);
  } finally {
    if (a) {
      await signal("KILL", a.pid).catch(() => {});
      await a.output().catch(() => {});
    }
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "PostgreSQL: a worker paused past its lease loses its trial; its late result is refused",
  ignore: !PG_AVAILABLE,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => withFreshDatabase((make) => lostLease(make)),
});

Deno.test({
  name: "SQLite: a worker paused past its lease loses its trial; its late result is refused",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () => lostLease((dir) => Promise.resolve(`${dir}/runs/sweeps/${SWEEP}/sweep.db`)),
});
