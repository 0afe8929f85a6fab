/**
 * The trial store's one interface ({@link SweepStore}) and its records: a
 * trial, an attempt, a lease, a result. `store.ts` (SQLite) and `pg_store.ts`
 * (PostgreSQL) implement it and pass one conformance suite.
 * @module
 */

/**
 * A trial's lifecycle. `running` with an expired lease means its worker died;
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
  /** How many times it was started (the current attempt's number while running). */
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
  /**
   * Image runs: the image metrics' protocol lines of its `manifest.json` as JSON (done trials;
   * absent or null otherwise, and in stores written before it was kept).
   */
  readonly protocol?: string | null;
  /** The worker holding the lease (running trials). */
  readonly lease_worker?: string | null;
  /** When the lease ends, ms since the epoch (running trials). */
  readonly lease_until?: number | null;
}

/** How an attempt ended: its trial's outcome, or `expired` (taken over) or `interrupted`. */
export type AttemptOutcome = "done" | "failed" | "diverged" | "expired" | "interrupted";

/** One attempt of one trial: who ran it, when, and why it ended. */
export interface AttemptRecord {
  /** The trial's index. */
  readonly trial: number;
  /** 1, 2, ...: the trial's `attempts` when it was claimed. */
  readonly attempt: number;
  /** The worker (`host/pid/tag`). */
  readonly worker: string;
  /** Claimed at, ms since the epoch. */
  readonly started: number;
  /** Last heartbeat, ms since the epoch. */
  readonly heartbeat: number;
  /** Ended at (null while it runs). */
  readonly ended: number | null;
  /** Why it ended (null while it runs). */
  readonly outcome: AttemptOutcome | null;
  /** The error line of a failed or diverged attempt. */
  readonly error: string | null;
}

/** A trial as `sync` stores it. */
export type NewTrial = Omit<
  TrialRecord,
  "state" | "attempts" | "error" | "final" | "curve" | "protocol"
>;

/** What a worker reports when a trial ends. */
export type TrialResult =
  | {
    readonly state: "done";
    readonly final: Readonly<Record<string, number>>;
    readonly curve?: readonly Readonly<Record<string, number>>[];
    /** Image runs: how the image metrics were measured (`protocolLines` of the manifest). */
    readonly protocol?: readonly string[];
  }
  | { readonly state: "failed" | "diverged"; readonly error: string };

/** The lease a claim asks for. */
export interface Lease {
  /** Who claims (`host/pid/tag`). */
  readonly worker: string;
  /** How long the lease lasts without a heartbeat, ms. */
  readonly ms: number;
}

/** A value or a promise of it: the SQLite store answers at once, PostgreSQL later. */
export type Awaitable<T> = T | Promise<T>;

/** A result or heartbeat from an attempt that no longer holds its trial: refused. */
export class LeaseLostError extends Error {
  /** The trial's index. */
  readonly trial: number;
  /** The attempt that lost its lease. */
  readonly attempt: number;
  /**
   * Names the trial and the refused attempt.
   * @param trial the trial's index
   * @param attempt the attempt that lost its lease
   */
  constructor(trial: number, attempt: number) {
    super(`trial ${trial}: attempt ${attempt} lost its lease (taken over); its result is refused`);
    this.trial = trial;
    this.attempt = attempt;
    this.name = "LeaseLostError";
  }
}

/** The one interface of trial stores (SQLite and PostgreSQL); every method may be awaited. */
export interface SweepStore {
  /** Adds trials not stored yet; throws if a stored trial's hash differs. */
  sync(
    trials: readonly NewTrial[],
    rehash?: (storedConfig: string) => string | undefined,
  ): Awaitable<void>;
  /**
   * Puts `running` trials back to pending whose worker `isDead` says is gone
   * (attempt outcome `interrupted`; all running trials when `isDead` is
   * absent: the sweep's only process starting again), or whose lease expired
   * (`expired`). Returns how many. Cheap when there is nothing to free.
   */
  recoverInterrupted(
    isDead?: (worker: string) => boolean | Promise<boolean>,
  ): Awaitable<number>;
  /** Claims the next trial (pending, then expired leases, then failed with attempts left). */
  claim(maxAttempts: number, lease?: Lease): Awaitable<TrialRecord | undefined>;
  /** How many trials are not settled: pending, running, or failed with attempts left. */
  remaining(maxAttempts: number): Awaitable<number>;
  /** Renews the lease of `attempt`; false when it was lost. */
  heartbeat(index: number, attempt: number, ms: number): Awaitable<boolean>;
  /** Records how `attempt` ended; throws {@link LeaseLostError} when it no longer holds the trial. */
  finish(index: number, attempt: number, result: TrialResult): Awaitable<void>;
  /** Gives the trial back (pending) without counting the attempt as failed (a worker stopping). */
  release(index: number, attempt: number): Awaitable<void>;
  /** Every trial, by index. */
  all(): Awaitable<TrialRecord[]>;
  /** Every attempt, by trial and attempt. */
  attempts(): Awaitable<AttemptRecord[]>;
  /** Closes the connection. */
  close(): Awaitable<void>;
}
