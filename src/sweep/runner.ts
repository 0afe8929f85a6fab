/**
 * Runs a sweep's trials as separate processes, a few at a time, recording
 * each in the trial store. Rerunning resumes: done trials are skipped,
 * interrupted ones continue from their checkpoints, failed ones are retried
 * up to a limit; a crashed trial never stops the sweep.
 * @module
 */
import { experimentArgs } from "../runs/subprocess.ts";
import { parseExperiment } from "../config/load.ts";
import { evaluationRows, readMetrics } from "../runs/files.ts";
import { type TrialRecord, TrialStore } from "./store.ts";
import type { LoadedSweep } from "./sweep_file.ts";

/** Options for {@link runSweep}. */
export interface SweepOptions {
  /** Trials run at once. */
  readonly parallel: number;
  /** Folder holding `sweeps/<name>/`. */
  readonly root: string;
  /** Attempts per trial before it stays failed (default 2). */
  readonly maxAttempts?: number;
  /** Called when a trial starts or ends. */
  readonly onEvent?: (event: "start" | "done" | "failed" | "diverged", trial: TrialRecord) => void;
}

/**
 * The hash a stored trial's resolved configuration has under today's schema
 * (new keys at their defaults), so a sweep stored by an older Duel resumes.
 */
function sameUnderToday(storedConfig: string): string | undefined {
  try {
    return parseExperiment(storedConfig).hash;
  } catch {
    return undefined; // no longer valid: not the same experiment
  }
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** A trial's outcome: done, or its last stderr line and whether it diverged (exit 3). */
type Outcome = { readonly error?: undefined } | {
  readonly error: string;
  readonly diverged: boolean;
};

async function runTrial(trial: TrialRecord, configFile: string): Promise<Outcome> {
  const resume = await exists(`${trial.run_dir}/config.resolved.yaml`);
  if (!resume) await Deno.remove(trial.run_dir, { recursive: true }).catch(() => {});
  const target = resume ? ["--resume", trial.run_dir] : [configFile, "--run-dir", trial.run_dir];
  // The sweep's command checked where its root is; the trial writes only its own run folder.
  const out = await new Deno.Command(Deno.execPath(), {
    args: experimentArgs([...target, "--quiet", "--allow-outside"]),
    stdout: "null",
    stderr: "piped",
  }).output();
  if (out.success) return {};
  const lines = new TextDecoder().decode(out.stderr).trim().split("\n").filter(Boolean);
  return { error: lines.at(-1) ?? `exit code ${out.code}`, diverged: out.code === 3 };
}

/**
 * Runs every trial not done yet and returns the store's rows.
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: starts one deno subprocess per trial (a sweep takes minutes).
 * import { loadSweep, runSweep } from "../../mod.ts";
 * const rows = await runSweep(await loadSweep("experiments/sweeps/objectives-ring8.yaml"), { parallel: 2, root: "runs" });
 * ```
 */
export async function runSweep(sweep: LoadedSweep, options: SweepOptions): Promise<TrialRecord[]> {
  const dir = `${options.root}/sweeps/${sweep.spec.name}`;
  await Deno.mkdir(`${dir}/trials`, { recursive: true });
  const store = new TrialStore(`${dir}/sweep.db`);
  try {
    const name = (i: number, hash: string) =>
      `${dir}/trials/${String(i).padStart(4, "0")}-${hash.slice(0, 8)}`;
    store.sync(
      sweep.trials.map((t) => ({
        index: t.index,
        configuration: t.configuration,
        seed: t.seed,
        hash: t.experiment.hash,
        params: JSON.stringify(t.settings.map((s) => [s.key, s.value])),
        run_dir: name(t.index, t.experiment.hash),
        config: t.experiment.resolvedYaml,
      })),
      sameUnderToday,
    );
    store.recoverInterrupted();
    const worker = async () => {
      for (
        let trial = store.claim(options.maxAttempts ?? 2);
        trial;
        trial = store.claim(options.maxAttempts ?? 2)
      ) {
        options.onEvent?.("start", trial);
        const configFile = `${trial.run_dir}.yaml`;
        await Deno.writeTextFile(configFile, sweep.trials[trial.index].experiment.resolvedYaml);
        const outcome = await runTrial(trial, configFile);
        if (outcome.error === undefined) {
          const summary = JSON.parse(await Deno.readTextFile(`${trial.run_dir}/summary.json`));
          store.done(
            trial.index,
            summary.final,
            evaluationRows(await readMetrics(`${trial.run_dir}/metrics.jsonl`)),
          );
          options.onEvent?.("done", {
            ...trial,
            state: "done",
            final: JSON.stringify(summary.final),
          });
        } else if (outcome.diverged) {
          store.diverged(trial.index, outcome.error);
          options.onEvent?.("diverged", { ...trial, state: "diverged", error: outcome.error });
        } else {
          store.failed(trial.index, outcome.error);
          options.onEvent?.("failed", { ...trial, state: "failed", error: outcome.error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
    return store.all();
  } finally {
    store.close();
  }
}
