/**
 * Scale of the PostgreSQL trial store (a benchmark, not a test): 16 workers
 * claim and finish 2,000 trivial trials in one store, and it prints claims per
 * second and the store's latency (p50, p99) per `claim` and per `finish` call.
 *
 * A trivial trial is one that returns at once. Duel's trials are experiment
 * subprocesses, so this bench uses the store's API directly instead: each
 * worker is `runWorker`'s loop without the subprocess (claim with a lease,
 * then finish at once with a result), with a connection of its own, all 16 in
 * this process. What is timed is the store: the SQL, the round trips and the
 * server's row locks under 16 concurrent claimers.
 *
 *     deno run --allow-net=127.0.0.1 --allow-env=PGAPPNAME bench/sweep_store_scale.ts \
 *       [postgres://duel:duel@127.0.0.1:5432/postgres] [--workers 16] [--trials 2000]
 *
 * The URL's role must be allowed to create a database; one is made for the
 * run and dropped after it. The run checks what it measured: every trial
 * done, each with exactly one attempt.
 */
import { parseArgs } from "node:util";
import { connect, PostgresStore } from "../src/sweep/pg_store.ts";
import type { NewTrial } from "../src/sweep/store.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: {
    workers: { type: "string", default: "16" },
    trials: { type: "string", default: "2000" },
  },
  allowPositionals: true,
});
const admin = positionals[0] ?? "postgres://duel:duel@127.0.0.1:5432/postgres";
const WORKERS = Number(values.workers);
const TRIALS = Number(values.trials);

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

/** Drops the bench's database (an autovacuum worker in it, which a role without
 * pg_signal_backend cannot force out, is waited for). */
async function dropDatabase(): Promise<void> {
  for (let i = 0;; i++) {
    try {
      return void await sql.unsafe(`drop database if exists ${name} with (force)`);
    } catch (e) {
      if (i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

const name = `duel_bench_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const sql = connect(admin, { max: 1 });
await sql.unsafe(`create database ${name}`);
const url = (() => {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
})();
try {
  const setup = await PostgresStore.open(url, "scale", { create: true });
  const trials: NewTrial[] = Array.from({ length: TRIALS }, (_, i) => ({
    index: i,
    configuration: i,
    seed: 0,
    hash: `h${i}`,
    params: "[]",
    run_dir: `runs/sweeps/scale/trials/${i}`,
    config: "",
  }));
  await setup.sync(trials);
  await setup.close();

  const stores = await Promise.all(
    Array.from(
      { length: WORKERS },
      () => PostgresStore.open(url, "scale", { sql: connect(url, { max: 1 }) }),
    ),
  );
  const claimMs: number[] = [];
  const finishMs: number[] = [];
  const start = performance.now();
  await Promise.all(stores.map(async (store, w) => {
    const lease = { worker: `bench/${w}/w`, ms: 60_000 };
    for (;;) {
      let t0 = performance.now();
      const trial = await store.claim(2, lease);
      claimMs.push(performance.now() - t0);
      if (!trial) return;
      t0 = performance.now();
      await store.finish(trial.index, trial.attempts, { state: "done", final: { "eval/x": w } });
      finishMs.push(performance.now() - t0);
    }
  }));
  const seconds = (performance.now() - start) / 1000;
  const rows = await stores[0].all();
  const attempts = await stores[0].attempts();
  if (rows.some((r) => r.state !== "done" || r.attempts !== 1) || attempts.length !== TRIALS) {
    throw new Error("a trial was lost or ran twice");
  }
  await Promise.all(stores.map((s) => s.sql.end({ timeout: 1 })));
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  console.log(
    `${WORKERS} workers, ${TRIALS} trivial trials in ${seconds.toFixed(2)} s: ` +
      `${(TRIALS / seconds).toFixed(0)} claims/s (claim + finish each)`,
  );
  console.log(
    `claim latency p50 ${ms(quantile(claimMs, 0.5))}, p99 ${ms(quantile(claimMs, 0.99))} ` +
      `(${claimMs.length} calls, the last empty claim of each worker included)`,
  );
  console.log(
    `finish latency p50 ${ms(quantile(finishMs, 0.5))}, p99 ${ms(quantile(finishMs, 0.99))} ` +
      `(${finishMs.length} calls)`,
  );
} finally {
  await dropDatabase();
  await sql.end({ timeout: 1 });
}
