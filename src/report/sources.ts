/**
 * Where report data comes from: a sweep's store (a folder's `sweep.db` or an
 * open store, PostgreSQL included; nothing else is read) or a single run
 * folder (its resolved config and metrics log); and writing the report files
 * into a folder.
 * @module
 */
import { basename } from "node:path";
import { parse } from "../deps/yaml.ts";
import { evaluationRows, readMetrics } from "../runs/files.ts";
import { protocolLines } from "../runs/run_report.ts";
import { writeAtomic } from "../files.ts";
import { TrialStore } from "../sweep/store.ts";
import type { SweepStore, TrialRecord } from "../sweep/sweep_store.ts";
import { renderHtml, renderMarkdown, reportCharts } from "./render.ts";
import type { ReportData, ReportTrial } from "./summarize.ts";

const objectiveOf = (yaml: string) =>
  (parse(yaml) as { objective?: { name?: string } } | null)?.objective?.name ?? "(unknown)";

/** Stores made before configs were stored: the objective a trial's settings name, if any. */
const objectiveFromParams = (params: string) =>
  String(
    (JSON.parse(params) as [string, unknown][]).find(([k]) => k === "objective.name")?.[1] ??
      "(unknown)",
  );

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

/** A store's row as a report trial. */
const reportTrial = (r: TrialRecord): ReportTrial => ({
  index: r.index,
  configuration: r.configuration,
  seed: r.seed,
  settings: (JSON.parse(r.params) as [string, unknown][]).filter(([k]) => k !== "seed"),
  objective: r.config ? objectiveOf(r.config) : objectiveFromParams(r.params),
  ...(r.state === "done" && r.final ? { final: JSON.parse(r.final) } : {}),
  curve: r.curve ? JSON.parse(r.curve) : [],
  ...((r.state === "failed" || r.state === "diverged") && r.error ? { error: r.error } : {}),
  ...(r.state === "diverged" ? { diverged: true } : {}),
  ...(r.protocol ? { protocol: JSON.parse(r.protocol) } : {}),
});

/**
 * The trials of a sweep, from its store only: a sweep folder
 * (`<root>/sweeps/<name>`, its `sweep.db` read) or an open store of either
 * kind (SQLite or PostgreSQL; left open).
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: needs a sweep folder (sweep.db), which runSweep writes with
 * // one trial host process per parallel slot.
 * const trials = await trialsFromSweep("runs/sweeps/objectives-ring8");
 * ```
 */
export async function trialsFromSweep(source: string | SweepStore): Promise<ReportTrial[]> {
  if (typeof source !== "string") return (await source.all()).map(reportTrial);
  const store = new TrialStore(`${source}/sweep.db`);
  try {
    return store.all().map(reportTrial);
  } finally {
    store.close();
  }
}

/**
 * One run folder as a single trial (its final row and evaluation rows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadExperiment, runExperiment, trialsFromRun } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const summary = await runExperiment(await loadExperiment(`${dir}/tiny.yaml`));
 * const [trial] = await trialsFromRun(summary.run_dir);
 * assert.equal(trial.final?.["eval/modes"], summary.final["eval/modes"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function trialsFromRun(dir: string): Promise<ReportTrial[]> {
  const config = await Deno.readTextFile(`${dir}/config.resolved.yaml`);
  const rows = await readMetrics(`${dir}/metrics.jsonl`);
  const finished = await exists(`${dir}/summary.json`);
  const evals = evaluationRows(rows);
  const seed = (parse(config) as { seed: number }).seed;
  return [{
    index: 0,
    configuration: 0,
    seed,
    settings: [],
    objective: objectiveOf(config),
    ...(finished && evals.length ? { final: evals.at(-1)! } : {}),
    curve: evals,
    protocol: protocolLines(await Deno.readTextFile(`${dir}/manifest.json`).catch(() => "")),
  }];
}

/**
 * Whether `dir` is a sweep folder (has `sweep.db`) or a run folder (has
 * `config.resolved.yaml`); throws a one-line error otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { folderKind, loadExperiment, runExperiment } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const summary = await runExperiment(await loadExperiment(`${dir}/tiny.yaml`));
 * assert.equal(await folderKind(summary.run_dir), "run");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function folderKind(dir: string): Promise<"sweep" | "run"> {
  if (await exists(`${dir}/sweep.db`)) return "sweep";
  if (await exists(`${dir}/config.resolved.yaml`)) return "run";
  throw new Error(
    `${dir}: neither a sweep folder (no sweep.db) nor a run folder (no config.resolved.yaml)`,
  );
}

/**
 * Writes `report.md`, `report.html` and one `<chart>.svg` per chart into
 * `out` (atomically, file by file) and returns the paths written.
 *
 * @example
 * ```ts
 * import { loadExperiment, runExperiment, summarize, trialsFromRun, writeReport } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const summary = await runExperiment(await loadExperiment(`${dir}/tiny.yaml`));
 * const trials = await trialsFromRun(summary.run_dir);
 * const files = await writeReport(`${dir}/report`, summarize("tiny", trials));
 * console.log(files); // report.md, report.html and the charts' SVGs
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeReport(out: string, data: ReportData): Promise<string[]> {
  await Deno.mkdir(out, { recursive: true });
  const files: [string, string][] = [
    ...reportCharts(data).map((c) => [`${out}/${c.name}.svg`, c.svg] as [string, string]),
    [`${out}/report.md`, renderMarkdown(data)],
    [`${out}/report.html`, renderHtml(data)],
  ];
  for (const [path, text] of files) await writeAtomic(path, text);
  return files.map(([path]) => path);
}

/**
 * A folder's display name for report titles.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reportTitle } from "../../mod.ts";
 * assert.equal(reportTitle("runs/sweeps/objectives-ring8/"), "objectives-ring8");
 * ```
 */
export const reportTitle = (dir: string): string => basename(dir.replace(/\/+$/, ""));
