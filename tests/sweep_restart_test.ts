/**
 * A PostgreSQL server restarted mid-sweep, on a private server (its own
 * cluster on a port other than 5432, so the shared one other tests use stays
 * up). Two workers started with `deno task sweep` (the task's own
 * permissions: a store on any host and port) retry with backoff and print one
 * line each about it, never a stack trace; the sweep completes with nothing
 * lost: every trial done with exactly one finished attempt, final metrics as
 * a single process's run of the same sweep. The report task reads the store
 * on that port too.
 */
import assert from "node:assert/strict";
import { tinyExperiment } from "./_fixtures.ts";
import { PRIVATE_PG_AVAILABLE, privateServer } from "./_pg_server.ts";
import { spawnTask, task } from "./_sweep_cli.ts";
import { openStore } from "../src/sweep/open_store.ts";

const SWEEP = "restart";
const OUT = "--allow-outside";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function makeSweep(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "duel_restart_" });
  await Deno.writeTextFile(
    `${dir}/tiny.yaml`,
    tinyExperiment(`${dir}/runs`, "").replace("steps: 60", "steps: 40"),
  );
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    `name: ${SWEEP}\nbase: tiny.yaml\nsweep:\n  grid:\n    optimizer.generator.lr: [1.0e-3, 3.0e-4]\n  seeds: 2\n`,
  );
  return dir;
}

/** Final metrics by trial, wall time aside. */
const finals = (rows: { index: number; state: string; final: string | null }[]) =>
  rows.map((r) => {
    const { elapsed: _e, ...rest } = JSON.parse(r.final ?? "{}");
    return [r.index, r.state, rest];
  });

Deno.test({
  name:
    "PostgreSQL restarted mid-sweep: workers retry, one line each, every trial done once as one process's",
  ignore: !PRIVATE_PG_AVAILABLE,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await makeSweep();
    const server = await privateServer();
    try {
      // The reference: the same sweep run by one process on SQLite, meanwhile.
      const reference = (async () => {
        const r = await task("sweep", [`${dir}/sweep.yaml`, "--root", `${dir}/ref`, OUT]);
        assert.equal(r.code, 0, r.out);
        const s = await openStore(`${dir}/ref/sweeps/${SWEEP}/sweep.db`, SWEEP);
        try {
          return finals(await s.all());
        } finally {
          await s.close();
        }
      })();
      const root = ["--root", `${dir}/runs`, OUT];
      const sub = await task("sweep", [
        `${dir}/sweep.yaml`,
        "--store",
        server.url,
        "--submit",
        ...root,
      ]);
      assert.equal(sub.code, 0, sub.out);
      assert.match(
        sub.out,
        new RegExp(`store: postgres://duel:\\*\\*\\*@127\\.0\\.0\\.1:${server.port}/`),
      );
      const workers = [0, 1].map(() =>
        spawnTask("sweep", ["--worker", "--store", server.url, "--lease", "30", ...root])
      );
      // Restart once a trial is done and the rest are not.
      const store = await openStore(server.url, SWEEP);
      try {
        const deadline = Date.now() + 120_000;
        let done = 0;
        while (Date.now() < deadline) {
          done = (await store.all()).filter((r) => r.state === "done").length;
          if (done >= 1) break;
          await sleep(50);
        }
        assert.ok(done >= 1 && done < 4, `${done} trials done before the restart`);
      } finally {
        await store.close();
      }
      await server.stop();
      // Down for at least 3 s, and until a worker has met the closed port (on a loaded host
      // a worker can spend longer than that inside a trial without touching the store).
      const down = Date.now();
      while (
        Date.now() - down < 3000 ||
        (!workers.some((w) => /store unreachable/.test(w.seen())) && Date.now() - down < 120_000)
      ) await sleep(100);
      await server.start();
      const outs = await Promise.all(workers.map((w) => w.done));
      for (const w of outs) {
        assert.equal(w.code, 0, w.out);
        assert.doesNotMatch(w.out, /^\s+at /m, "no stack trace");
        assert.doesNotMatch(w.out, /Warning/, w.out);
        const lines = w.out.split("\n").filter((l) => /unreachable/.test(l));
        assert.ok(lines.length <= 1, w.out);
        for (const l of lines) {
          assert.match(l, /^duel: store unreachable \(.*\); retrying with backoff$/);
        }
      }
      assert.ok(outs.some((w) => /store unreachable/.test(w.out)), "a worker saw the restart");

      const after = await openStore(server.url, SWEEP);
      try {
        const rows = await after.all();
        assert.deepEqual(rows.map((r) => r.state), Array(4).fill("done"));
        const attempts = await after.attempts();
        for (const r of rows) {
          const mine = attempts.filter((a) => a.trial === r.index && a.outcome === "done");
          assert.equal(mine.length, 1, `trial ${r.index}: one finished attempt`);
        }
        assert.deepEqual(finals(rows), await reference);
      } finally {
        await after.close();
      }
      // The report task reaches the store on this port as well, and writes its views page.
      const rep = await task("report", [server.url, "--out", `${dir}/rep`, "--quiet", OUT]);
      assert.equal(rep.code, 0, rep.out);
      assert.ok((await Deno.stat(`${dir}/rep/views.html`)).isFile);
    } finally {
      await server.destroy();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
