/**
 * The trial store: one embedded SQLite database per sweep (`sweep.db`,
 * Deno's built-in `node:sqlite`) holding every trial's state, parameters,
 * config hash, attempts, error and final metrics.
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/**
 * A trial's lifecycle. `running` found at start-up means a sweep was killed;
 * `diverged` means the run stopped on a divergence (exit 3): final, not retried.
 */
export type TrialState = "pending" | "running" | "done" | "failed" | "diverged";

/** One row of the store. */
export interface TrialRecord {
  /** The trial's index in the expansion. */
  readonly index: number;
  /** Its configuration number (trials of one configuration differ by seed). */
  readonly configuration: number;
  /** The experiment seed. */
  readonly seed: number;
  /** SHA-256 of the resolved experiment. */
  readonly hash: string;
  /** The settings as JSON: `[[key, value], ...]`. */
  readonly params: string;
  /** Where it is. */
  readonly state: TrialState;
  /** How many times it was started. */
  readonly attempts: number;
  /** The last error line, for failed trials. */
  readonly error: string | null;
  /** Its run folder. */
  readonly run_dir: string;
  /** Final metrics as JSON (done trials). */
  readonly final: string | null;
  /** The resolved experiment (YAML), so reports need nothing but the store. */
  readonly config: string;
  /** Evaluation rows of `metrics.jsonl` as JSON (done trials): `[{step, "eval/...": v}, ...]`. */
  readonly curve: string | null;
}

/** Columns added after the first release, with their SQL types (old stores get them on open). */
const ADDED_COLUMNS = { config: "text not null default ''", curve: "text" } as const;

/** The store of one sweep. */
export class TrialStore {
  #db: DatabaseSync;

  /** Opens (or creates) the database at `path`. */
  constructor(path: string) {
    this.#db = new DatabaseSync(path);
    // Readers (reports, tests) may look while the sweep writes.
    this.#db.exec("pragma busy_timeout = 10000; pragma journal_mode = wal;");
    this.#db.exec(`create table if not exists trials (
      "index" integer primary key, configuration integer not null, seed integer not null,
      hash text not null, params text not null, state text not null default 'pending',
      attempts integer not null default 0, error text, run_dir text not null, final text)`);
    const have = new Set(
      (this.#db.prepare(`pragma table_info(trials)`).all() as { name: string }[]).map((c) =>
        c.name
      ),
    );
    for (const [name, type] of Object.entries(ADDED_COLUMNS)) {
      if (!have.has(name)) this.#db.exec(`alter table trials add column ${name} ${type}`);
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
    trials: readonly Omit<TrialRecord, "state" | "attempts" | "error" | "final" | "curve">[],
    rehash: (storedConfig: string) => string | undefined = () => undefined,
  ): void {
    const get = this.#db.prepare(`select hash, config from trials where "index" = ?`);
    const put = this.#db.prepare(
      `insert into trials ("index", configuration, seed, hash, params, run_dir, config)
       values (?, ?, ?, ?, ?, ?, ?)`,
    );
    const fill = this.#db.prepare(`update trials set config = ? where "index" = ? and config = ''`);
    const renew = this.#db.prepare(`update trials set hash = ?, config = ? where "index" = ?`);
    for (const t of trials) {
      const row = get.get(t.index) as { hash: string; config: string } | undefined;
      if (!row) put.run(t.index, t.configuration, t.seed, t.hash, t.params, t.run_dir, t.config);
      else if (row.hash === t.hash) fill.run(t.config, t.index);
      else if (row.config !== "" && rehash(row.config) === t.hash) {
        renew.run(t.hash, t.config, t.index);
      } else {
        throw new Error(
          `trial ${t.index} differs from the stored sweep (the sweep file changed; use a new name)`,
        );
      }
    }
  }

  /** Marks trials left `running` by a killed sweep as pending again (they resume from checkpoints). */
  recoverInterrupted(): number {
    return Number(
      this.#db.prepare(`update trials set state = 'pending' where state = 'running'`).run().changes,
    );
  }

  /** Claims the next trial to run: pending first, then failed ones with attempts left. */
  claim(maxAttempts: number): TrialRecord | undefined {
    const row = this.#db.prepare(
      `select * from trials where state = 'pending' or (state = 'failed' and attempts < ?)
       order by state = 'failed', "index" limit 1`,
    ).get(maxAttempts) as TrialRecord | undefined;
    if (!row) return undefined;
    this.#db.prepare(
      `update trials set state = 'running', attempts = attempts + 1 where "index" = ?`,
    ).run(row.index);
    return { ...row, state: "running", attempts: row.attempts + 1 };
  }

  /** Records a finished trial: its final metrics and its evaluation rows. */
  done(
    index: number,
    final: Readonly<Record<string, number>>,
    curve: readonly Readonly<Record<string, number>>[] = [],
  ): void {
    this.#db.prepare(
      `update trials set state = 'done', error = null, final = ?, curve = ? where "index" = ?`,
    ).run(JSON.stringify(final), JSON.stringify(curve), index);
  }

  /** Records a diverged trial with its stop line (it is not retried: it would diverge again). */
  diverged(index: number, line: string): void {
    this.#db.prepare(`update trials set state = 'diverged', error = ? where "index" = ?`).run(
      line,
      index,
    );
  }

  /** Records a failed trial with its error line. */
  failed(index: number, error: string): void {
    this.#db.prepare(`update trials set state = 'failed', error = ? where "index" = ?`).run(
      error,
      index,
    );
  }

  /** Every trial, by index. */
  all(): TrialRecord[] {
    return this.#db.prepare(`select * from trials order by "index"`)
      .all() as unknown as TrialRecord[];
  }

  /** Closes the database. */
  close(): void {
    this.#db.close();
  }
}
