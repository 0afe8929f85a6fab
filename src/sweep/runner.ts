/**
 * Runs a sweep's trials as separate processes, a few at a time, recording
 * each in the trial store. Rerunning resumes: done trials are skipped,
 * interrupted ones continue from their checkpoints, failed ones are retried
 * up to a limit; a crashed trial never stops the sweep.
 *
 * Workers: any number of processes, on any machines that reach the store,
 * run {@link runWorker} against it. Each claims a trial, holds it with a lease
 * renewed by a heartbeat, and writes its result only while it still holds it;
 * a trial whose worker died is claimed again once its lease expires, or at
 * once by a worker on the same machine, which sees the holder's process gone
 * ({@link deadHere}; the crash tests show it), and resumes from its last
 * checkpoint where its run folder is reachable, else restarts.
 * Runs are deterministic, so the final metrics are the same either way.
 * @module
 */
import { basename, dirname } from "node:path";
import { parseExperiment } from "../config/load.ts";
import { evaluationRows, readMetrics } from "../runs/files.ts";
import { protocolLines } from "../runs/run_report.ts";
import {
  DEFAULT_LEASE_MS,
  LeaseLostError,
  type NewTrial,
  type SweepStore,
  type TrialRecord,
  type TrialResult,
  TrialStore,
} from "./store.ts";
import type { LoadedSweep } from "./sweep_file.ts";
import { deadHere, workerName } from "./liveness.ts";
import { type Outcome, TrialHost } from "./host.ts";

export { announceAlive, deadHere, workerName } from "./liveness.ts";

/** What a worker reports. `lost`: the trial was taken over, its result refused. */
export type SweepEvent = "start" | "done" | "failed" | "diverged" | "lost";

/** Options for {@link runSweep} and {@link runWorker}. */
export interface SweepOptions {
  /** Trials run at once. */
  readonly parallel: number;
  /** Folder holding `sweeps/<name>/`. */
  readonly root: string;
  /** Attempts per trial before it stays failed (default 2). */
  readonly maxAttempts?: number;
  /** Called when a trial starts or ends. */
  readonly onEvent?: (event: SweepEvent, trial: TrialRecord) => void;
  /** The store (default: the SQLite file `<root>/sweeps/<name>/sweep.db`). */
  readonly store?: SweepStore;
  /** Lease length, ms (default a minute; renewed every third of it). */
  readonly leaseMs?: number;
  /** This worker's name (default `host/pid/random`). */
  readonly worker?: string;
  /** One line when the store cannot be reached (then retried with backoff). */
  readonly onNotice?: (line: string) => void;
}

/**
 * The hash a stored trial's resolved configuration has under today's schema
 * (new keys at their defaults), so a sweep stored by an older Duel resumes.
 */
export function sameUnderToday(storedConfig: string): string | undefined {
  try {
    return parseExperiment(storedConfig).hash;
  } catch {
    return undefined; // no longer valid: not the same experiment
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The trials of a loaded sweep as the store keeps them. */
export function storedTrials(sweep: LoadedSweep, root: string): NewTrial[] {
  const dir = `${root}/sweeps/${sweep.spec.name}`;
  return sweep.trials.map((t) => ({
    index: t.index,
    configuration: t.configuration,
    seed: t.seed,
    hash: t.experiment.hash,
    params: JSON.stringify(t.settings.map((s) => [s.key, s.value])),
    run_dir: `${dir}/trials/${String(t.index).padStart(4, "0")}-${t.experiment.hash.slice(0, 8)}`,
    config: t.experiment.resolvedYaml,
  }));
}

/**
 * `deno task experiment`'s arguments for a trial: its config into its run
 * folder, or `--resume` where the folder holds a started run (a fresh start
 * clears what an earlier attempt left before it had a config).
 */
async function trialArgs(runDir: string, configFile: string): Promise<string[]> {
  const resume = await exists(`${runDir}/config.resolved.yaml`);
  if (!resume) await Deno.remove(runDir, { recursive: true }).catch(() => {});
  const target = resume ? ["--resume", runDir] : [configFile, "--run-dir", runDir];
  // The sweep's command checked where its root is; the trial writes only its own run folder.
  return [...target, "--quiet", "--allow-outside"];
}

/** Which trials may share a host process: those on the same backend and threads. */
function backendKey(config: string): string {
  try {
    return JSON.stringify(parseExperiment(config).config.backend);
  } catch {
    return ""; // not valid today: the trial fails in its host, which is not reused
  }
}

/** Errors that say the store is out of reach for now (a server restarting, a network cut). */
export function isTransient(e: unknown): boolean {
  if (e instanceof LeaseLostError) return false;
  const code = (e as { code?: unknown })?.code;
  if (typeof code === "string") {
    if (/^(08|57P0[1-3]|53300|40001|40P01)/.test(code)) return true; // connection, shutdown, too many, serialisation
    if (/^(ECONN|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|CONNECTION_|CONNECT_TIMEOUT)/.test(code)) {
      return true;
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return /connect|connection|ECONNREFUSED|terminat|shutting down|database is locked|busy/i.test(
    message,
  );
}

/**
 * Whether a worker's store is out of reach: the first failure of an outage
 * prints one line, the next success ends the outage (so one line per worker
 * per outage, whatever its slots and calls do meanwhile).
 */
class Reach {
  #down = false;
  constructor(private readonly notice: (line: string) => void) {}

  /**
   * `fn`, retried with exponential backoff (0.25 s doubling to 5 s, jittered)
   * while the store is out of reach; any other error is thrown.
   */
  async retrying<T>(fn: () => Promise<T> | T): Promise<T> {
    let wait = 250;
    for (;;) {
      try {
        const out = await fn();
        this.#down = false;
        return out;
      } catch (e) {
        if (!isTransient(e)) throw e;
        if (!this.#down) {
          this.#down = true;
          const what = (e as { code?: string }).code ??
            (e instanceof Error ? e.message : String(e));
          this.notice(`store unreachable (${String(what).split("\n")[0]}); retrying with backoff`);
        }
        await sleep(wait * (0.75 + Math.random() / 2));
        wait = Math.min(wait * 2, 5000);
      }
    }
  }
}

/**
 * `fn`, retried with backoff while the store is out of reach (one `notice`
 * line); any other error is thrown.
 */
export function retryWhileUnreachable<T>(
  fn: () => Promise<T> | T,
  notice: (line: string) => void,
): Promise<T> {
  return new Reach(notice).retrying(fn);
}

/** How often a worker looks for trials held by dead workers while it has work (ms). */
const RECOVERY_EVERY_MS = 5000;

/**
 * Pulls trials from `store` (sweep `name`) and runs them until none is left
 * to claim and none is running elsewhere; returns the store's rows.
 *
 * @example
 * ```ts ignore
 * // Needs a PostgreSQL server and a submitted sweep.
 * import { openStore, runWorker } from "../../mod.ts";
 * const store = await openStore("postgres://duel:pw@db.lab/duel", "objectives-ring8");
 * await runWorker(store, "objectives-ring8", { parallel: 2, root: "runs" });
 * ```
 */
export async function runWorker(
  store: SweepStore,
  name: string,
  options: SweepOptions,
): Promise<TrialRecord[]> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const worker = options.worker ?? workerName();
  const maxAttempts = options.maxAttempts ?? 2;
  const notice = options.onNotice ?? ((line: string) => console.error(`duel: ${line}`));
  const lease = { worker, ms: leaseMs };
  // Where a run folder is not reachable here (another machine's root), it is made under ours.
  const runDirOf = async (stored: string) =>
    await exists(dirname(stored))
      ? stored
      : `${options.root}/sweeps/${name}/trials/${basename(stored)}`;
  const reach = new Reach(notice);
  const retrying = <T>(fn: () => Promise<T> | T) => reach.retrying(fn);
  // Trials whose worker died on this machine go back to pending at once (deadHere), others when
  // their lease ran out: looked for when nothing is left to claim, and every few seconds (one
  // read, shared by this worker's slots), not before every claim.
  let lastScan = -Infinity;
  const recover = async (force: boolean): Promise<number> => {
    if (!force && Date.now() - lastScan < RECOVERY_EVERY_MS) return 0;
    lastScan = Date.now();
    return await retrying(() => store.recoverInterrupted(deadHere));
  };

  // A slot's trials run one after another in one host process (see host.ts).
  const slot = async () => {
    let host: TrialHost | undefined;
    try {
      await slotTrials((key) => {
        if (host?.alive && host.key === key) return host;
        host?.close();
        return host = new TrialHost(key);
      });
    } finally {
      await host?.close();
    }
  };
  const slotTrials = async (hostFor: (key: string) => TrialHost) => {
    for (;;) {
      await recover(false);
      let trial = await retrying(() => store.claim(maxAttempts, lease));
      if (!trial && await recover(true) > 0) {
        trial = await retrying(() => store.claim(maxAttempts, lease));
      }
      if (!trial) {
        if (await retrying(() => store.remaining(maxAttempts)) === 0) return;
        // Others hold the rest: wait for them (or for their leases to expire).
        await sleep(Math.min(1000, leaseMs / 4));
        continue;
      }
      options.onEvent?.("start", trial);
      const runDir = await runDirOf(trial.run_dir);
      await Deno.mkdir(dirname(runDir), { recursive: true });
      const configFile = `${runDir}.yaml`;
      await Deno.writeTextFile(configFile, trial.config);
      const host = hostFor(backendKey(trial.config));
      let lost = false;
      const beat = setInterval(async () => {
        try {
          if (!(await store.heartbeat(trial.index, trial.attempts, leaseMs))) {
            lost = true;
            clearInterval(beat);
            host.kill();
          }
        } catch { /* out of reach: the next beat tries again */ }
      }, Math.max(50, leaseMs / 3));
      let outcome: Outcome;
      try {
        outcome = await host.run(await trialArgs(runDir, configFile));
      } finally {
        clearInterval(beat);
      }
      // Nothing a failed trial left in its process is reused.
      if (outcome.error !== undefined) await host.close();
      let result: TrialResult;
      if (outcome.error === undefined) {
        const summary = JSON.parse(await Deno.readTextFile(`${runDir}/summary.json`));
        const manifest = await Deno.readTextFile(`${runDir}/manifest.json`).catch(() => "");
        result = {
          state: "done",
          final: summary.final,
          curve: evaluationRows(await readMetrics(`${runDir}/metrics.jsonl`)),
          protocol: protocolLines(manifest),
        };
      } else {
        result = { state: outcome.diverged ? "diverged" : "failed", error: outcome.error };
      }
      try {
        if (lost) throw new LeaseLostError(trial.index, trial.attempts);
        await retrying(() => store.finish(trial.index, trial.attempts, result));
      } catch (e) {
        if (!(e instanceof LeaseLostError)) throw e;
        options.onEvent?.("lost", { ...trial, error: e.message });
        continue;
      }
      options.onEvent?.(result.state, {
        ...trial,
        state: result.state,
        final: result.state === "done" ? JSON.stringify(result.final) : null,
        error: result.state === "done" ? null : result.error,
      });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, slot));
  return await retrying(() => store.all());
}

/**
 * Stores a sweep's trials (new ones added, stored ones kept) without running them.
 */
export async function submitSweep(
  sweep: LoadedSweep,
  store: SweepStore,
  root: string,
): Promise<void> {
  await store.sync(storedTrials(sweep, root), sameUnderToday);
}

/**
 * Runs every trial not done yet and returns the store's rows.
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: starts a deno process per parallel slot (a sweep takes minutes).
 * import { loadSweep, runSweep } from "../../mod.ts";
 * const rows = await runSweep(await loadSweep("experiments/sweeps/objectives-ring8.yaml"), { parallel: 2, root: "runs" });
 * ```
 */
export async function runSweep(sweep: LoadedSweep, options: SweepOptions): Promise<TrialRecord[]> {
  const dir = `${options.root}/sweeps/${sweep.spec.name}`;
  await Deno.mkdir(`${dir}/trials`, { recursive: true });
  const store = options.store ?? new TrialStore(`${dir}/sweep.db`);
  try {
    await submitSweep(sweep, store, options.root);
    // Trials left running by this machine's dead processes go back to pending at once.
    await store.recoverInterrupted(deadHere);
    return await runWorker(store, sweep.spec.name, options);
  } finally {
    if (!options.store) await store.close();
  }
}
