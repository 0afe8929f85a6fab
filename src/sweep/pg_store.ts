/**
 * The PostgreSQL trial store: many sweeps in one database, shared by workers
 * on any machine that reaches the server. Same contract as the SQLite store
 * ({@link SweepStore}); claims take a row with `SELECT ... FOR UPDATE SKIP
 * LOCKED`, so concurrent workers never wait on each other's trial, and lease
 * times come from the server's clock, so workers' clocks need not agree.
 *
 * Schema migrations are numbered (`duel_schema.version`) and applied at open
 * under an advisory lock, so workers starting together migrate once.
 * @module
 */
import { postgres, type Sql } from "../deps/postgres.ts";
import {
  type AttemptRecord,
  DEFAULT_LEASE_MS,
  type Lease,
  LeaseLostError,
  type NewTrial,
  type SweepStore,
  type TrialRecord,
  type TrialResult,
} from "./store.ts";
import { finishColumns, newerSchema, planSync, toRecover } from "./store_rules.ts";

/** Migrations by version; each runs once, in order, in one transaction. */
const PG_MIGRATIONS: readonly string[] = [
  `create table duel_sweeps (name text primary key, created timestamptz not null default now());
   create table duel_trials (
     sweep text not null references duel_sweeps(name), "index" integer not null,
     configuration integer not null, seed bigint not null, hash text not null,
     params text not null, state text not null default 'pending',
     attempts integer not null default 0, error text, run_dir text not null, final text,
     config text not null default '', curve text, lease_worker text, lease_until timestamptz,
     primary key (sweep, "index"));
   create index duel_trials_claim on duel_trials (sweep, state, "index");
   create table duel_attempts (
     sweep text not null, trial integer not null, attempt integer not null,
     worker text not null, started timestamptz not null, heartbeat timestamptz not null,
     ended timestamptz, outcome text, error text, primary key (sweep, trial, attempt));`,
  `alter table duel_trials add column protocol text;`,
];

/** The schema version this Duel writes. */
export const PG_SCHEMA_VERSION: number = PG_MIGRATIONS.length;

/** Whether `spec` names a PostgreSQL store. */
export const isPostgresUrl = (spec: string): boolean => /^postgres(ql)?:\/\//i.test(spec);

/** `url` with its password (and any query) replaced by `***`, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    if (u.search) u.search = "";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/** Replaces the password of `url` (raw and URL-decoded) wherever it appears in `text`. */
export function redactIn(text: string, url: string): string {
  let pass = "";
  try {
    pass = new URL(url).password;
  } catch { /* not a URL: nothing to hide but the raw form */ }
  let out = text.split(url).join(redactUrl(url));
  for (const p of new Set([pass, safeDecode(pass)])) if (p) out = out.split(p).join("***");
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * A client for `url` that reads no environment variable but `PGAPPNAME`
 * (every other option is given), so it runs under Duel's listed `--allow-env`.
 */
export function connect(url: string, options: { max?: number } = {}): Sql {
  const u = new URL(url);
  const settings = {
    host: u.hostname || "localhost",
    port: Number(u.port || 5432),
    database: decodeURIComponent(u.pathname.slice(1)) || "postgres",
    username: decodeURIComponent(u.username) || "postgres",
    password: decodeURIComponent(u.password),
    max: options.max ?? 4,
    ssl: u.searchParams.get("sslmode") === "require" ? "require" : false,
    idle_timeout: 30,
    connect_timeout: 10,
    max_lifetime: 3600,
    max_pipeline: 100,
    backoff: 0.1,
    keep_alive: 60,
    prepare: true,
    debug: false,
    fetch_types: false,
    publications: "alltables",
    target_session_attrs: "read-write",
    connection: { application_name: "duel" },
    onnotice: () => {},
  };
  // The typings' overloads take a URL first; these are the documented options, all given.
  return postgres(settings as unknown as Record<string, never>) as unknown as Sql;
}

/** Applies the migrations this database lacks (under an advisory lock). */
export async function migrate(sql: Sql): Promise<number> {
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(727001)`;
    await tx`create table if not exists duel_schema (version integer not null)`;
    const [row] = await tx<{ version: number }[]>`select version from duel_schema`;
    const version = row?.version ?? 0;
    if (version > PG_MIGRATIONS.length) {
      throw newerSchema("the store", version, PG_MIGRATIONS.length);
    }
    for (let v = version; v < PG_MIGRATIONS.length; v++) await tx.unsafe(PG_MIGRATIONS[v]);
    if (!row) await tx`insert into duel_schema values (${PG_MIGRATIONS.length})`;
    else await tx`update duel_schema set version = ${PG_MIGRATIONS.length}`;
    return PG_MIGRATIONS.length;
  });
}

/** The sweeps in the store, oldest first. */
export async function listSweeps(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`select name from duel_sweeps order by created, name`;
  return rows.map((r) => r.name);
}

const ms = (t: Date | null): number | null => t === null ? null : t.getTime();

type Row = Omit<TrialRecord, "lease_until" | "seed"> & { lease_until: Date | null; seed: string };
const toRecord = (r: Row): TrialRecord => ({
  ...r,
  seed: Number(r.seed),
  lease_until: ms(r.lease_until),
});

/** One sweep in a PostgreSQL database. */
export class PostgresStore implements SweepStore {
  /**
   * @param sql a client from {@link connect} (closed by {@link PostgresStore.close} when owned)
   * @param sweep the sweep's name
   * @param owned whether closing the store ends the client
   */
  private constructor(readonly sql: Sql, readonly sweep: string, private owned: boolean) {}

  /** Connects to `url`, migrates, and opens sweep `sweep` (created when `create`). */
  static async open(
    url: string,
    sweep: string,
    options: { create?: boolean; sql?: Sql } = {},
  ): Promise<PostgresStore> {
    const sql = options.sql ?? connect(url);
    try {
      await migrate(sql);
      if (options.create) {
        await sql`insert into duel_sweeps (name) values (${sweep}) on conflict do nothing`;
      }
      return new PostgresStore(sql, sweep, !options.sql);
    } catch (e) {
      if (!options.sql) await sql.end({ timeout: 1 }).catch(() => {});
      throw e;
    }
  }

  /** See {@link SweepStore.sync}. */
  async sync(
    trials: readonly NewTrial[],
    rehash: (storedConfig: string) => string | undefined = () => undefined,
  ): Promise<void> {
    const s = this.sweep;
    await this.sql.begin(async (tx) => {
      const stored = new Map(
        (await tx<{ index: number; hash: string; config: string }[]>`
          select "index", hash, config from duel_trials where sweep = ${s} for update`)
          .map((r) => [r.index, r]),
      );
      const plan = planSync(stored, trials, rehash);
      for (const t of plan.fill) {
        await tx`update duel_trials set config = ${t.config} where sweep = ${s} and "index" = ${t.index}`;
      }
      for (const t of plan.renew) {
        await tx`update duel_trials set hash = ${t.hash}, config = ${t.config}
                 where sweep = ${s} and "index" = ${t.index}`;
      }
      const fresh = plan.insert;
      for (let i = 0; i < fresh.length; i += 500) {
        const rows = fresh.slice(i, i + 500).map((t) => ({
          sweep: s,
          index: t.index,
          configuration: t.configuration,
          seed: t.seed,
          hash: t.hash,
          params: t.params,
          run_dir: t.run_dir,
          config: t.config,
        }));
        await tx`insert into duel_trials ${
          tx(rows, "sweep", "index", "configuration", "seed", "hash", "params", "run_dir", "config")
        }`;
      }
    });
  }

  /** See {@link SweepStore.recoverInterrupted}. */
  async recoverInterrupted(
    isDead?: (worker: string) => boolean | Promise<boolean>,
  ): Promise<number> {
    const s = this.sweep;
    // A read first (no lock, no transaction): most scans find nothing to free.
    const rows = await this.sql<
      { index: number; attempts: number; lease_worker: string | null; expired: boolean }[]
    >`select "index", attempts, lease_worker, coalesce(lease_until < now(), true) as expired
      from duel_trials where sweep = ${s} and state = 'running'`;
    const freed = await toRecover(rows, isDead);
    if (freed.length === 0) return 0;
    return await this.sql.begin(async (tx) => {
      let n = 0;
      for (const r of freed) {
        // Fenced by the attempt seen: a trial claimed or finished since is left alone.
        const [hit] = await tx`update duel_trials
          set state = 'pending', lease_worker = null, lease_until = null
          where sweep = ${s} and "index" = ${r.index} and attempts = ${r.attempts}
            and state = 'running' and (${r.outcome} = 'interrupted' or lease_until < now())
          returning 1`;
        if (!hit) continue;
        await tx`update duel_attempts set ended = now(), outcome = ${r.outcome}
                 where sweep = ${s} and trial = ${r.index} and attempt = ${r.attempts} and ended is null`;
        n++;
      }
      return n;
    });
  }

  /** See {@link SweepStore.remaining}. */
  async remaining(maxAttempts: number): Promise<number> {
    const [row] = await this.sql<{ n: number }[]>`select count(*)::int as n from duel_trials
      where sweep = ${this.sweep} and (state in ('pending', 'running')
        or (state = 'failed' and attempts < ${maxAttempts}))`;
    return row.n;
  }

  /** See {@link SweepStore.claim}. */
  async claim(
    maxAttempts: number,
    lease: Lease = { worker: "local", ms: DEFAULT_LEASE_MS },
  ): Promise<TrialRecord | undefined> {
    const s = this.sweep;
    return await this.sql.begin(async (tx) => {
      // Pending first, then expired leases, then failed with attempts left: one query each, so
      // each is an index range (sweep, state, "index") rather than a sort of the whole sweep.
      const candidates = [
        () =>
          tx<Row[]>`select * from duel_trials where sweep = ${s} and state = 'pending'
            order by "index" limit 1 for update skip locked`,
        () =>
          tx<Row[]>`select * from duel_trials
            where sweep = ${s} and state = 'running' and lease_until < now()
            order by "index" limit 1 for update skip locked`,
        () =>
          tx<Row[]>`select * from duel_trials
            where sweep = ${s} and state = 'failed' and attempts < ${maxAttempts}
            order by "index" limit 1 for update skip locked`,
      ];
      let row: Row | undefined;
      for (const query of candidates) if (!row) [row] = await query();
      if (!row) return undefined;
      if (row.state === "running") {
        await tx`update duel_attempts set ended = now(), outcome = 'expired'
                 where sweep = ${s} and trial = ${row.index} and attempt = ${row.attempts}
                   and ended is null`;
      }
      const attempt = row.attempts + 1;
      const [updated] = await tx<Row[]>`
        update duel_trials set state = 'running', attempts = ${attempt},
          lease_worker = ${lease.worker}, lease_until = now() + ${lease.ms} * interval '1 millisecond'
        where sweep = ${s} and "index" = ${row.index} returning *`;
      await tx`insert into duel_attempts (sweep, trial, attempt, worker, started, heartbeat)
               values (${s}, ${row.index}, ${attempt}, ${lease.worker}, now(), now())
               on conflict (sweep, trial, attempt) do update set worker = excluded.worker,
                 started = now(), heartbeat = now(), ended = null, outcome = null, error = null`;
      return toRecord(updated);
    });
  }

  /** See {@link SweepStore.heartbeat}. */
  async heartbeat(index: number, attempt: number, leaseMs: number): Promise<boolean> {
    const s = this.sweep;
    return await this.sql.begin(async (tx) => {
      const rows = await tx`update duel_trials
        set lease_until = now() + ${leaseMs} * interval '1 millisecond'
        where sweep = ${s} and "index" = ${index} and attempts = ${attempt} and state = 'running'
        returning 1`;
      if (rows.length !== 1) return false;
      await tx`update duel_attempts set heartbeat = now()
               where sweep = ${s} and trial = ${index} and attempt = ${attempt}`;
      return true;
    });
  }

  /** See {@link SweepStore.finish}. */
  async finish(index: number, attempt: number, result: TrialResult): Promise<void> {
    const s = this.sweep;
    const { error, final, curve, protocol } = finishColumns(result);
    await this.sql.begin(async (tx) => {
      const rows = await tx`update duel_trials set state = ${result.state}, error = ${error},
          final = ${final}, curve = ${curve}, protocol = ${protocol}, lease_worker = null,
          lease_until = null
        where sweep = ${s} and "index" = ${index} and attempts = ${attempt} and state = 'running'
        returning 1`;
      if (rows.length !== 1) throw new LeaseLostError(index, attempt);
      await tx`update duel_attempts set ended = now(), outcome = ${result.state}, error = ${error}
               where sweep = ${s} and trial = ${index} and attempt = ${attempt}`;
    });
  }

  /** See {@link SweepStore.release}. */
  async release(index: number, attempt: number): Promise<void> {
    const s = this.sweep;
    await this.sql.begin(async (tx) => {
      const rows = await tx`update duel_trials set state = 'pending', lease_worker = null,
          lease_until = null
        where sweep = ${s} and "index" = ${index} and attempts = ${attempt} and state = 'running'
        returning 1`;
      if (rows.length === 1) {
        await tx`update duel_attempts set ended = now(), outcome = 'interrupted'
                 where sweep = ${s} and trial = ${index} and attempt = ${attempt}`;
      }
    });
  }

  /** See {@link SweepStore.all}. */
  async all(): Promise<TrialRecord[]> {
    const rows = await this.sql<Row[]>`select "index", configuration, seed, hash, params, state,
        attempts, error, run_dir, final, config, curve, protocol, lease_worker, lease_until
      from duel_trials where sweep = ${this.sweep} order by "index"`;
    return rows.map(toRecord);
  }

  /** See {@link SweepStore.attempts}. */
  async attempts(): Promise<AttemptRecord[]> {
    const rows = await this.sql<
      (Omit<AttemptRecord, "started" | "heartbeat" | "ended"> & {
        started: Date;
        heartbeat: Date;
        ended: Date | null;
      })[]
    >`select trial, attempt, worker, started, heartbeat, ended, outcome, error
      from duel_attempts where sweep = ${this.sweep} order by trial, attempt`;
    return rows.map((r) => ({
      ...r,
      started: r.started.getTime(),
      heartbeat: r.heartbeat.getTime(),
      ended: ms(r.ended),
    }));
  }

  /** Ends the connection when the store owns it. */
  async close(): Promise<void> {
    if (this.owned) await this.sql.end({ timeout: 5 });
  }
}
