/**
 * One conformance suite for the trial store's contract (claims, leases,
 * heartbeats, fencing of late results, attempts, sync), run against each
 * implementation: SQLite (a file per test) and PostgreSQL (a database per test,
 * on the real server).
 */
import assert from "node:assert/strict";
import { LeaseLostError, type NewTrial, type SweepStore, TrialStore } from "../src/sweep/store.ts";
import { PostgresStore } from "../src/sweep/pg_store.ts";
import { freshDatabase, PG_AVAILABLE } from "./_postgres.ts";

/** Opens a fresh store; returns it, a way to open a second handle on it, and cleanup. */
type Factory = () => Promise<{
  store: SweepStore;
  another: () => Promise<SweepStore>;
  cleanup: () => Promise<void>;
}>;

const trial = (index: number, hash = `h${index}`): NewTrial => ({
  index,
  configuration: index >> 1,
  seed: index & 1,
  hash,
  params: JSON.stringify([["seed", index & 1]]),
  run_dir: `runs/sweeps/s/trials/${index}`,
  config: `seed: ${index & 1}\n`,
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const A = { worker: "host-a/1/aa", ms: 60_000 };
const B = { worker: "host-b/2/bb", ms: 60_000 };

function suite(name: string, make: Factory, ignore = false) {
  const test = (
    what: string,
    body: (store: SweepStore, another: () => Promise<SweepStore>) => Promise<void>,
  ) =>
    Deno.test({
      name: `store contract (${name}): ${what}`,
      ignore,
      sanitizeResources: false,
      sanitizeOps: false,
      fn: async () => {
        const { store, another, cleanup } = await make();
        try {
          await body(store, another);
        } finally {
          await store.close();
          await cleanup();
        }
      },
    });

  test("claims go pending first, in index order, each once", async (store) => {
    await store.sync([0, 1, 2].map((i) => trial(i)));
    const got = [await store.claim(2, A), await store.claim(2, B), await store.claim(2, A)];
    assert.deepEqual(got.map((t) => t?.index), [0, 1, 2]);
    assert.deepEqual(got.map((t) => [t?.state, t?.attempts]), [
      ["running", 1],
      ["running", 1],
      ["running", 1],
    ]);
    assert.equal(got[1]?.lease_worker, B.worker);
    assert.equal(await store.claim(2, A), undefined, "nothing left while leases hold");
    const attempts = await store.attempts();
    assert.deepEqual(attempts.map((a) => [a.trial, a.attempt, a.worker, a.outcome]), [
      [0, 1, A.worker, null],
      [1, 1, B.worker, null],
      [2, 1, A.worker, null],
    ]);
  });

  test("concurrent claims from two handles never take the same trial", async (store, another) => {
    await store.sync(Array.from({ length: 20 }, (_, i) => trial(i)));
    const other = await another();
    try {
      const take = async (s: SweepStore, lease: typeof A) => {
        const got: number[] = [];
        for (let t = await s.claim(2, lease); t; t = await s.claim(2, lease)) got.push(t.index);
        return got;
      };
      const [a, b] = await Promise.all([take(store, A), take(other, B)]);
      assert.deepEqual([...a, ...b].sort((x, y) => x - y), [...Array(20).keys()]);
    } finally {
      await other.close();
    }
  });

  test("a finished trial is never claimed again; a result is written once", async (store) => {
    await store.sync([trial(0), trial(1)]);
    const t = (await store.claim(2, A))!;
    const protocol = ["proxy_*: proxy_randconv_v1 (...), resize none"];
    await store.finish(t.index, t.attempts, {
      state: "done",
      final: { "eval/x": 0.5 },
      curve: [],
      protocol,
    });
    await assert.rejects(
      async () =>
        await store.finish(t.index, t.attempts, { state: "done", final: { "eval/x": 9 } }),
      LeaseLostError,
    );
    const d = (await store.claim(2, A))!;
    await store.finish(d.index, d.attempts, { state: "diverged", error: "diverged at step 3" });
    assert.equal(await store.claim(2, A), undefined);
    const rows = await store.all();
    assert.deepEqual(rows.map((r) => [r.state, r.attempts, r.final, r.error, r.protocol]), [
      ["done", 1, JSON.stringify({ "eval/x": 0.5 }), null, JSON.stringify(protocol)],
      ["diverged", 1, null, "diverged at step 3", null],
    ]);
    assert.deepEqual((await store.attempts()).map((a) => a.outcome), ["done", "diverged"]);
    assert.ok((await store.attempts()).every((a) => a.ended !== null && a.ended >= a.started));
  });

  test("a failed trial is retried up to the attempt limit", async (store) => {
    await store.sync([trial(0)]);
    for (const n of [1, 2]) {
      const t = (await store.claim(2, A))!;
      assert.equal(t.attempts, n);
      await store.finish(t.index, t.attempts, { state: "failed", error: `boom ${n}` });
    }
    assert.equal(await store.claim(2, A), undefined);
    const [row] = await store.all();
    assert.deepEqual([row.state, row.attempts, row.error], ["failed", 2, "boom 2"]);
  });

  test("an expired lease is taken over; the old attempt's heartbeat and late result are refused", async (store) => {
    await store.sync([trial(0)]);
    // Leases of a second: a loaded machine may take a few hundred ms between two calls.
    const old = (await store.claim(2, { worker: A.worker, ms: 1000 }))!;
    assert.equal(await store.claim(2, B), undefined, "held while the lease runs");
    assert.equal(await store.heartbeat(0, old.attempts, 1000), true);
    await sleep(1300);
    const taken = (await store.claim(2, B))!;
    assert.equal(taken.index, 0);
    assert.equal(taken.attempts, 2);
    assert.equal(await store.heartbeat(0, old.attempts, 60_000), false);
    await assert.rejects(
      async () => await store.finish(0, old.attempts, { state: "done", final: { "eval/x": 1 } }),
      LeaseLostError,
    );
    await store.finish(0, taken.attempts, { state: "done", final: { "eval/x": 2 } });
    const [row] = await store.all();
    assert.equal(row.final, JSON.stringify({ "eval/x": 2 }));
    const attempts = await store.attempts();
    assert.deepEqual(attempts.map((a) => [a.attempt, a.worker, a.outcome]), [
      [1, A.worker, "expired"],
      [2, B.worker, "done"],
    ]);
  });

  test("heartbeats keep a lease alive past its length", async (store) => {
    await store.sync([trial(0)]);
    const t = (await store.claim(2, { worker: A.worker, ms: 300 }))!;
    for (let i = 0; i < 5; i++) {
      await sleep(100);
      assert.equal(await store.heartbeat(0, t.attempts, 300), true);
    }
    assert.equal(await store.claim(2, B), undefined, "still held after 500 ms");
    const [a] = await store.attempts();
    assert.ok(a.heartbeat > a.started, "the heartbeat time moves");
  });

  test("recovery frees dead workers' trials, not live ones'; release gives a trial back", async (store) => {
    await store.sync([trial(0), trial(1), trial(2)]);
    const a = (await store.claim(2, A))!;
    await store.claim(2, B);
    const c = (await store.claim(2, A))!;
    await store.release(c.index, c.attempts);
    assert.equal(await store.recoverInterrupted((w) => w === B.worker), 1);
    const rows = await store.all();
    assert.deepEqual(rows.map((r) => r.state), ["running", "pending", "pending"]);
    assert.equal(rows[0].lease_worker, a.lease_worker);
    const outcomes = (await store.attempts()).map((x) => [x.trial, x.outcome]);
    assert.deepEqual(outcomes, [[0, null], [1, "interrupted"], [2, "interrupted"]]);
    // Without a predicate (the sweep's only process starting again) every running trial.
    assert.equal(await store.recoverInterrupted(), 1);
  });

  test("recovery frees an expired lease as expired; nothing to free writes nothing", async (store) => {
    await store.sync([trial(0), trial(1)]);
    await store.claim(2, { worker: A.worker, ms: 1000 });
    await store.claim(2, B);
    assert.equal(await store.recoverInterrupted(() => false), 0, "both leases hold");
    await sleep(1300);
    assert.equal(await store.recoverInterrupted(() => false), 1);
    assert.deepEqual((await store.attempts()).map((x) => [x.trial, x.outcome]), [
      [0, "expired"],
      [1, null],
    ]);
    assert.equal(await store.recoverInterrupted(() => false), 0);
  });

  test("remaining counts pending, running and retryable failed trials", async (store) => {
    await store.sync([0, 1, 2, 3].map((i) => trial(i)));
    assert.equal(await store.remaining(2), 4);
    const a = (await store.claim(2, A))!;
    await store.finish(a.index, a.attempts, { state: "done", final: {} });
    const b = (await store.claim(2, A))!;
    await store.finish(b.index, b.attempts, { state: "failed", error: "boom" });
    await store.claim(2, A); // trial 2 running
    assert.equal(await store.remaining(2), 3, "failed with an attempt left, running, pending");
    assert.equal(await store.remaining(1), 2, "no attempt left for the failed one");
  });

  test("sync adds new trials, keeps stored ones and refuses a changed one", async (store) => {
    await store.sync([trial(0), trial(1)]);
    const t = (await store.claim(2, A))!;
    await store.finish(t.index, t.attempts, { state: "done", final: { "eval/x": 1 } });
    await store.sync([trial(0), trial(1), trial(2)]);
    assert.deepEqual((await store.all()).map((r) => [r.index, r.state]), [
      [0, "done"],
      [1, "pending"],
      [2, "pending"],
    ]);
    await assert.rejects(async () => await store.sync([trial(1, "other")]), /differs/);
    await store.sync([trial(1, "other")], (config) => config === "seed: 1\n" ? "other" : undefined);
    assert.equal((await store.all())[1].hash, "other");
  });
}

suite("SQLite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_conf_" });
  return {
    store: new TrialStore(`${dir}/sweep.db`),
    another: () => Promise.resolve(new TrialStore(`${dir}/sweep.db`)),
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
});

suite("PostgreSQL", async () => {
  const db = await freshDatabase();
  const store = await PostgresStore.open(db.url, "s", { create: true });
  return {
    store,
    another: () => PostgresStore.open(db.url, "s"),
    cleanup: db.drop,
  };
}, !PG_AVAILABLE);
