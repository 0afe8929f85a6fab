/**
 * Reruns a finished run from its folder (resolved config and manifest) and
 * compares the new metrics log with the old one, bit for bit.
 * @module
 */
import { parseExperiment } from "../config/load.ts";
import { reproducibilityOf } from "../backend/webgpu.ts";
import { runExperiment, type RunOptions } from "./experiment.ts";
import { readMetrics } from "./files.ts";
import { DUEL_VERSION, gitCommit, type Manifest, RunFolder } from "./run_folder.ts";

/** The first place two metrics logs differ. */
export interface MetricsDifference {
  /** Row number in `metrics.jsonl` (0-based). */
  readonly row: number;
  /** The step of that row (of the original when only one exists). */
  readonly step: number;
  /** The metric that differs, or `(row count)` when one log is longer. */
  readonly key: string;
  /** The original value. */
  readonly original: number | undefined;
  /** The rerun's value. */
  readonly rerun: number | undefined;
}

/** A recorded fact of the original run that differs now (a likely cause of differences). */
export interface EnvironmentChange {
  /** Manifest key, e.g. `tfjs` or `git_commit`. */
  readonly key: string;
  /** As recorded. */
  readonly original: unknown;
  /** Now. */
  readonly now: unknown;
}

/** What {@link reproduceRun} found. */
export interface Reproduction {
  /** The rerun's folder (deleted unless kept). */
  readonly rerunDir: string;
  /** Rows compared. */
  readonly rows: number;
  /** Every value of every row equal (wall time excluded). */
  readonly identical: boolean;
  /** The first difference, when not identical. */
  readonly difference?: MetricsDifference;
  /** Manifest facts that changed since the original run. */
  readonly environment: readonly EnvironmentChange[];
  /** What the original run's backend guarantees a rerun reproduces (from its manifest). */
  readonly reproducibility: string;
}

const withoutTime = (rows: Record<string, number>[]) =>
  rows.map(({ elapsed: _elapsed, ...rest }) => rest);

/**
 * The first difference between two metrics logs (wall time ignored), or
 * undefined when they agree bit for bit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { firstDifference } from "../../mod.ts";
 * const a = [{ step: 0, "d/loss": 1 }, { step: 1, "d/loss": 0.5 }];
 * assert.equal(firstDifference(a, a), undefined);
 * assert.deepEqual(firstDifference(a, [a[0], { step: 1, "d/loss": 0.5000001 }]), {
 *   row: 1, step: 1, key: "d/loss", original: 0.5, rerun: 0.5000001,
 * });
 * ```
 */
export function firstDifference(
  original: readonly Record<string, number>[],
  rerun: readonly Record<string, number>[],
): MetricsDifference | undefined {
  const [a, b] = [withoutTime([...original]), withoutTime([...rerun])];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const keys = [...new Set([...Object.keys(a[i]), ...Object.keys(b[i])])];
    const key = keys.find((k) => !Object.is(a[i][k], b[i][k]));
    if (key !== undefined) {
      return { row: i, step: a[i].step, key, original: a[i][key], rerun: b[i][key] };
    }
  }
  if (a.length !== b.length) {
    const i = Math.min(a.length, b.length);
    return {
      row: i,
      step: (a[i] ?? b[i]).step,
      key: "(row count)",
      original: a.length,
      rerun: b.length,
    };
  }
  return undefined;
}

/** Options for {@link reproduceRun}. */
export interface ReproduceOptions extends Pick<RunOptions, "onRow" | "commandLine"> {
  /** Keep the rerun's folder (default: delete it). */
  readonly keep?: boolean;
}

/**
 * Reruns the run in `dir` from its `config.resolved.yaml` into a temporary
 * folder and compares every metric of every row with the original
 * `metrics.jsonl`. The original folder is only read.
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: reruns a whole experiment from its run folder.
 * const r = await reproduceRun("runs/ring8/20261126-120000-1a2b3c4d");
 * console.log(r.identical ? "bit for bit" : r.difference);
 * ```
 */
export async function reproduceRun(
  dir: string,
  options: ReproduceOptions = {},
): Promise<Reproduction> {
  const folder = new RunFolder(dir.replace(/\/+$/, ""));
  let text: string, manifest: Manifest;
  try {
    text = await Deno.readTextFile(folder.config);
    manifest = JSON.parse(await Deno.readTextFile(folder.manifest));
  } catch (e) {
    throw new Error(
      `${folder.dir}: not a run folder (${
        (e as Error).message.split("\n")[0]
      }); reproduce takes runs/<name>/<run id>`,
    );
  }
  const original = await readMetrics(folder.metrics);
  const loaded = parseExperiment(text, { file: folder.config, loadData: true });
  const rerunDir = await Deno.makeTempDir({ prefix: "duel-reproduce-" });
  let rerunManifest: Manifest, rerun: Record<string, number>[];
  try {
    const summary = await runExperiment(loaded, {
      runDir: rerunDir,
      ...(options.onRow ? { onRow: options.onRow } : {}),
      commandLine: options.commandLine ?? [],
    });
    rerunManifest = JSON.parse(await Deno.readTextFile(new RunFolder(summary.run_dir).manifest));
    rerun = await readMetrics(new RunFolder(summary.run_dir).metrics);
  } finally {
    if (!options.keep) await Deno.remove(rerunDir, { recursive: true }).catch(() => {});
  }
  const now: Record<string, unknown> = {
    ...rerunManifest,
    duel: DUEL_VERSION,
    git_commit: await gitCommit(),
  };
  const environment = ([
    "duel",
    "deno",
    "tfjs",
    "backend",
    "threads",
    "kernels",
    "adapter",
    "platform",
    "git_commit",
    "image_classifiers",
  ] as const)
    .filter((k) => JSON.stringify(manifest[k]) !== JSON.stringify(now[k]))
    .map((key) => ({ key, original: manifest[key], now: now[key] }));
  const difference = firstDifference(original, rerun);
  return {
    rerunDir,
    rows: original.length,
    identical: difference === undefined,
    ...(difference ? { difference } : {}),
    environment,
    reproducibility: manifest.reproducibility ?? reproducibilityOf(manifest.backend),
  };
}
