/**
 * The trial store: every trial's state, parameters, config hash, attempts,
 * error and final metrics, and who ran each attempt. {@link SweepStore} is the
 * one interface; {@link TrialStore} is the embedded default (one SQLite
 * database per sweep, `sweep.db`, Deno's built-in `node:sqlite`), and
 * `pg_store.ts` keeps many sweeps in one PostgreSQL database.
 *
 * Claims and leases: a worker claims a trial atomically (here `BEGIN
 * IMMEDIATE`), which marks it `running`, adds one to `attempts` and gives the
 * worker a lease until a time it renews by {@link SweepStore.heartbeat}. The
 * attempt number is the fencing token: a heartbeat or a result carrying an
 * attempt that is no longer the trial's current one is refused
 * ({@link LeaseLostError}), so a worker that lost its lease cannot overwrite
 * the result of the worker that took the trial over. A `running` trial whose
 * lease expired can be claimed again; `done` and `diverged` trials never are.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import {
  type AttemptRecord,
  type Lease,
  LeaseLostError,
  type NewTrial,
  type SweepStore,
  type TrialRecord,
  type TrialResult,
} from "./sweep_store.ts";
import { finishColumns, newerSchema, planSync, toRecover } from "./store_rules.ts";

export {
  type AttemptOutcome,
  type AttemptRecord,
  type Awaitable,
  type Lease,
  LeaseLostError,
  type NewTrial,
  type SweepStore,
  type TrialRecord,
  type TrialResult,
  type TrialState,
} from "./sweep_store.ts";

/** Columns added after the first release, with their SQL types (old stores get them on open). */
const ADDED_COLUMNS = { config: "text not null default ''", curve: "text" } as const;

/** Schema migrations by version (`pragma user_version`); version 0 is the first release's table. */
const SQLITE_MIGRATIONS: readonly ((db: DatabaseSync) => void)[] = [
  // 1: the first release's table, with the columns added to it since.
  (db) => {
    db.exec(`create table if not exists trials (
      "index" integer primary key, configuration integer not null, seed integer not null,
      hash text not null, params text not null, state text not null default 'pending',
      attempts integer not null default 0, error text, run_dir text not null, final text)`);
    const have = new Set(
      (db.prepare(`pragma table_info(trials)`).all() as { name: string }[]).map((c) => c.name),
    );
    for (const [name, type] of Object.entries(ADDED_COLUMNS)) {
      if (!have.has(name)) db.exec(`alter table trials add column ${name} ${type}`);
    }
  },
  // 2: leases and attempts.
  (db) => {
    db.exec(`alter table trials add column lease_worker text;
      alter table trials add column lease_until integer;
      create table attempts (trial integer not null, attempt integer not null,
        worker text not null, started integer not null, heartbeat integer not null,
        ended integer, outcome text, error text, primary key (trial, attempt))`);
  },
  // 3: the image metrics' protocol of each finished trial.
  (db) => db.exec(`alter table trials add column protocol text`),
];

/** The schema version this Duel writes. */
export const SQLITE_SCHEMA_VERSION: number = SQLITE_MIGRATIONS.length;

/** The default lease: a minute, renewed every 20 s. */
export const DEFAULT_LEASE_MS = 60_000;

/** The SQLite store of one sweep (the embedded default). */
export class TrialStore implements SweepStore {
  #db: DatabaseSync;

  /** Opens (or creates) the database at `path`, migrating an older schema. */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    // Readers (reports, tests) and other workers may use it at once.
    this.#db.exec("pragma busy_timeout = 30000; pragma journal_mode = wal;");
    this.#write(() => {
      const version = (this.#db.prepare(`pragma user_version`).get() as { user_version: number })
        .user_version;
      if (version > SQLITE_MIGRATIONS.length) {
        throw newerSchema(path, version, SQLITE_MIGRATIONS.length);
      }
      for (let v = version; v < SQLITE_MIGRATIONS.length; v++) SQLITE_MIGRATIONS[v](this.#db);
      if (version !== SQLITE_MIGRATIONS.length) {
        this.#db.exec(`pragma user_version = ${SQLITE_MIGRATIONS.length}`);
      }
    });
  }

  /** Runs `body` in one `BEGIN IMMEDIATE` transaction (one writer at a time across processes). */
  #write<T>(body: () => T): T {
    this.#db.exec("begin immediate");
    try {
      const out = body();
      this.#db.exec("commit");
      return out;
    } catch (e) {
      this.#db.exec("rollback");
      throw e;
    }
  }

  /**
   * Adds trials not stored yet; throws if a stored trial's hash differs (the
   * sweep file changed: a new sweep name is the honest way to change it).
   * A stored trial whose configuration, resolved again by `rehash` (today's
   * schema: defaults of keys added since), has the new hash is the same
   * experiment: its hash is updated and its run folder kept.
   */
  sync(
    trials: readonly NewTrial[],
    rehash: (storedConfig: string) => string | undefined = () => undefined,
  ): void {
    this.#write(() => {
      const stored = new Map(
        (this.#db.prepare(`select "index", hash, config from trials`).all() as {
          index: number;
          hash: string;
          config: string;
        }[]).map((r) => [r.index, r]),
      );
      const plan = planSync(stored, trials, rehash);
      const put = this.#db.prepare(
        `insert into trials ("index", configuration, seed, hash, params, run_dir, config)
         values (?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const t of plan.insert) {
        put.run(t.index, t.configuration, t.seed, t.hash, t.params, t.run_dir, t.config);
      }
      const fill = this.#db.prepare(`update trials set config = ? where "index" = ?`);
      for (const t of plan.fill) fill.run(t.config, t.index);
      const renew = this.#db.prepare(`update trials set hash = ?, config = ? where "index" = ?`);
      for (const t of plan.renew) renew.run(t.hash, t.config, t.index);
    });
  }

  /** See {@link SweepStore.recoverInterrupted}. */
  async recoverInterrupted(
    isDead?: (worker: string) => boolean | Promise<boolean>,
  ): Promise<number> {
    // A read first (no lock): most scans find nothing to free and write nothing.
    const now = Date.now();
    const running = (this.#db.prepare(
      `select "index", attempts, lease_worker, lease_until from trials where state = 'running'`,
    ).all() as {
      index: number;
      attempts: number;
      lease_worker: string | null;
      lease_until: number | null;
    }[]).map((r) => ({ ...r, expired: (r.lease_until ?? 0) < now }));
    const freed = await toRecover(running, isDead);
    if (freed.length === 0) return 0;
    return this.#write(() => {
      let n = 0;
      for (const r of freed) {
        // Fenced by the attempt seen: a trial claimed, renewed or finished since is left alone.
        const hit = Number(
          this.#db.prepare(
            `update trials set state = 'pending', lease_worker = null, lease_until = null
             where "index" = ? and attempts = ? and state = 'running'
               and (? = 'interrupted' or lease_until < ?)`,
          ).run(r.index, r.attempts, r.outcome, Date.now()).changes,
        );
        if (hit !== 1) continue;
        this.#db.prepare(
          `update attempts set ended = ?, outcome = ?
           where trial = ? and attempt = ? and ended is null`,
        ).run(Date.now(), r.outcome, r.index, r.attempts);
        n++;
      }
      return n;
    });
  }

  /** See {@link SweepStore.remaining}. */
  remaining(maxAttempts: number): number {
    return (this.#db.prepare(
      `select count(*) as n from trials
       where state in ('pending', 'running') or (state = 'failed' and attempts < ?)`,
    ).get(maxAttempts) as { n: number }).n;
  }

  /** See {@link SweepStore.claim}; without a lease, a local worker with the default lease. */
  claim(
    maxAttempts: number,
    lease: Lease = { worker: "local", ms: DEFAULT_LEASE_MS },
  ): TrialRecord | undefined {
    return this.#write(() => {
      const now = Date.now();
      const row = this.#db.prepare(
        `select * from trials where state = 'pending' or (state = 'failed' and attempts < ?)
           or (state = 'running' and lease_until < ?)
         order by case state when 'pending' then 0 when 'running' then 1 else 2 end, "index"
         limit 1`,
      ).get(maxAttempts, now) as TrialRecord | undefined;
      if (!row) return undefined;
      if (row.state === "running") {
        this.#db.prepare(
          `update attempts set ended = ?, outcome = 'expired'
           where trial = ? and attempt = ? and ended is null`,
        ).run(now, row.index, row.attempts);
      }
      const attempt = row.attempts + 1;
      const until = now + lease.ms;
      this.#db.prepare(
        `update trials set state = 'running', attempts = ?, lease_worker = ?, lease_until = ?
         where "index" = ?`,
      ).run(attempt, lease.worker, until, row.index);
      this.#db.prepare(
        `insert or replace into attempts (trial, attempt, worker, started, heartbeat)
         values (?, ?, ?, ?, ?)`,
      ).run(row.index, attempt, lease.worker, now, now);
      return {
        ...row,
        state: "running",
        attempts: attempt,
        lease_worker: lease.worker,
        lease_until: until,
      };
    });
  }

  /** See {@link SweepStore.heartbeat}. */
  heartbeat(index: number, attempt: number, ms: number): boolean {
    return this.#write(() => {
      const now = Date.now();
      const ok = Number(
        this.#db.prepare(
          `update trials set lease_until = ? where "index" = ? and attempts = ? and state = 'running'`,
        ).run(now + ms, index, attempt).changes,
      ) === 1;
      if (ok) {
        this.#db.prepare(`update attempts set heartbeat = ? where trial = ? and attempt = ?`)
          .run(now, index, attempt);
      }
      return ok;
    });
  }

  /** See {@link SweepStore.finish}. */
  finish(index: number, attempt: number, result: TrialResult): void {
    this.#write(() => {
      const now = Date.now();
      const { error, final, curve, protocol } = finishColumns(result);
      const changed = Number(
        this.#db.prepare(
          `update trials set state = ?, error = ?, final = ?, curve = ?, protocol = ?, lease_worker = null,
             lease_until = null
           where "index" = ? and attempts = ? and state = 'running'`,
        ).run(
          result.state,
          error,
          final,
          curve,
          protocol,
          index,
          attempt,
        ).changes,
      );
      if (changed !== 1) throw new LeaseLostError(index, attempt);
      this.#db.prepare(
        `update attempts set ended = ?, outcome = ?, error = ? where trial = ? and attempt = ?`,
      ).run(now, result.state, error, index, attempt);
    });
  }

  /** See {@link SweepStore.release}. */
  release(index: number, attempt: number): void {
    this.#write(() => {
      const changed = Number(
        this.#db.prepare(
          `update trials set state = 'pending', lease_worker = null, lease_until = null
           where "index" = ? and attempts = ? and state = 'running'`,
        ).run(index, attempt).changes,
      );
      if (changed === 1) {
        this.#db.prepare(
          `update attempts set ended = ?, outcome = 'interrupted' where trial = ? and attempt = ?`,
        ).run(Date.now(), index, attempt);
      }
    });
  }

  /** Every trial, by index. */
  all(): TrialRecord[] {
    return this.#db.prepare(`select * from trials order by "index"`)
      .all() as unknown as TrialRecord[];
  }

  /** Every attempt, by trial and attempt. */
  attempts(): AttemptRecord[] {
    return this.#db.prepare(`select * from attempts order by trial, attempt`)
      .all() as unknown as AttemptRecord[];
  }

  /** Closes the database. */
  close(): void {
    this.#db.close();
  }
}
