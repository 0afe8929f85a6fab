/**
 * The decisions both trial stores share (SQLite and PostgreSQL differ only in
 * SQL): which trials `sync` adds, fills or renews, and which are refused;
 * which running trials recovery frees, and why; a store newer than this Duel;
 * the columns a finished trial writes.
 * Their errors are one line, the user's to fix ({@link UserError}).
 * @module
 */
import { UserError } from "../errors.ts";
import type { AttemptOutcome, NewTrial, TrialResult } from "./sweep_store.ts";

/** A stored trial as `sync` compares it. */
export interface StoredTrial {
  /** SHA-256 of its resolved experiment. */
  readonly hash: string;
  /** Its resolved experiment ('' in stores made before configs were kept). */
  readonly config: string;
}

/** What `sync` writes: new rows, configs of old rows, and hashes renewed under today's schema. */
export interface SyncPlan {
  /** Trials not stored yet. */
  readonly insert: NewTrial[];
  /** Stored trials with the same hash and no config yet. */
  readonly fill: NewTrial[];
  /** Stored trials whose config, resolved again, has the new hash. */
  readonly renew: NewTrial[];
}

/**
 * How `trials` meet the stored ones; throws when a stored trial differs (the
 * sweep file changed: a new sweep name is the honest way to change it).
 */
export function planSync(
  stored: ReadonlyMap<number, StoredTrial>,
  trials: readonly NewTrial[],
  rehash: (storedConfig: string) => string | undefined,
): SyncPlan {
  const plan: SyncPlan = { insert: [], fill: [], renew: [] };
  for (const t of trials) {
    const row = stored.get(t.index);
    if (!row) plan.insert.push(t);
    else if (row.hash === t.hash) {
      if (row.config === "") plan.fill.push(t);
    } else if (row.config !== "" && rehash(row.config) === t.hash) plan.renew.push(t);
    else {
      throw new UserError(
        `trial ${t.index} differs from the stored sweep (the sweep file changed; use a new name)`,
      );
    }
  }
  return plan;
}

/** A running trial as recovery sees it. */
export interface RunningTrial {
  /** The worker holding it. */
  readonly lease_worker: string | null;
  /** Whether its lease ended. */
  readonly expired: boolean;
}

/** Says whether a worker is gone (at once, or after a look: a socket, a process table). */
export type IsDead = (worker: string) => boolean | Promise<boolean>;

/**
 * Why recovery frees a running trial, or undefined to leave it: `interrupted`
 * when `isDead` says its worker is gone (or when there is no `isDead`: the
 * sweep's only process starting again), `expired` when its lease ran out.
 */
export async function recoveryOutcome(
  t: RunningTrial,
  isDead?: IsDead,
): Promise<AttemptOutcome | undefined> {
  if (!isDead || t.lease_worker === null || await isDead(t.lease_worker)) return "interrupted";
  return t.expired ? "expired" : undefined;
}

/** The running trials recovery frees, each with why. */
export async function toRecover<T extends RunningTrial>(
  running: readonly T[],
  isDead?: IsDead,
): Promise<(T & { outcome: AttemptOutcome })[]> {
  const out: (T & { outcome: AttemptOutcome })[] = [];
  for (const t of running) {
    const outcome = await recoveryOutcome(t, isDead);
    if (outcome) out.push({ ...t, outcome });
  }
  return out;
}

/** The error of a store whose schema is newer than this Duel's. */
export function newerSchema(where: string, version: number, mine: number): UserError {
  return new UserError(
    `${where}: schema version ${version} is newer than this Duel's (${mine}); update Duel`,
  );
}

/** What `finish` writes into a trial's row: JSON text, or null where the outcome has none. */
export interface FinishColumns {
  readonly error: string | null;
  readonly final: string | null;
  readonly curve: string | null;
  readonly protocol: string | null;
}

/**
 * The columns of a finished trial, the same in both stores: a done trial's final values,
 * curve (empty when absent) and image-metrics protocol (null when it has none) as JSON;
 * a failed or diverged one's error.
 *
 * Inside Duel it is used as `const { error, final, curve, protocol } = finishColumns(result);`.
 */
export function finishColumns(result: TrialResult): FinishColumns {
  if (result.state !== "done") {
    return { error: result.error, final: null, curve: null, protocol: null };
  }
  return {
    error: null,
    final: JSON.stringify(result.final),
    curve: JSON.stringify(result.curve ?? []),
    protocol: result.protocol?.length ? JSON.stringify(result.protocol) : null,
  };
}
