/**
 * One experiment run, start to finish: run folder, training loop, metrics,
 * evaluations, checkpoints and summary; or the continuation of a stopped run.
 * @module
 */
import { useBackend } from "../backend/tfjs.ts";
import { configHash, type LoadedExperiment, parseExperiment, parseYaml } from "../config/load.ts";
import type { DataSource } from "../data/source.ts";
import { gridPng } from "../images/grid.ts";
import { evaluate } from "../metrics/evaluate.ts";
import type { CachedClassifierOptions } from "../metrics/classifier_cache.ts";
import { type ImageEvaluator, prepareImageMetrics } from "../metrics/image_evaluator.ts";
import { cacheDirFromEnv } from "../env.ts";
import { dataSourceOf } from "../data/factory.ts";
import { Rng } from "../rng.ts";
import { Trainer } from "../train/trainer.ts";
import { readMetrics, samplesCsv, toJsonl } from "./files.ts";
import { writeRunViews } from "./run_views.ts";
import { writeRunReport } from "./run_report.ts";
import { writeAtomic } from "../files.ts";
import {
  dataManifest,
  DUEL_VERSION,
  gitCommit,
  type Manifest,
  newRunId,
  RunFolder,
} from "./run_folder.ts";

/** One line of `metrics.jsonl`: step metrics, wall time, and eval metrics when taken. */
export type MetricsRow = Readonly<Record<string, number>> & { readonly step: number };

/** Options for {@link runExperiment} and {@link resumeRun}. */
export interface RunOptions {
  /** Called after each row is written (progress display). */
  onRow?: (row: MetricsRow, total: number) => void;
  /** Recorded in the manifest. */
  commandLine?: readonly string[];
  /** Use this folder instead of `<root>/<name>/<new run id>` (must not exist). */
  runDir?: string;
  /** Called once the trainer is built, before training (e.g. to print the shape tables). */
  onStart?: (trainer: Trainer) => void;
  /** The image metrics' classifier: recipe and cache (default: the standard recipe, cached). */
  classifier?: CachedClassifierOptions;
  /** Draw the views at each evaluation and keep `report.html` current (default true). */
  views?: boolean;
}

/** What `summary.json` holds. */
export interface RunSummary {
  /** The run folder. */
  readonly run_dir: string;
  /** The run folder's name. */
  readonly run_id: string;
  /** SHA-256 of the resolved configuration. */
  readonly config_hash: string;
  /** Generator steps completed. */
  readonly steps: number;
  /** The last row of `metrics.jsonl`, without wall time. */
  readonly final: Readonly<Record<string, number>>;
  /** Training wall time in seconds (excluding resumed-away time). */
  readonly elapsed: number;
  /** Training speed of this process (resumed runs: since resuming). */
  readonly steps_per_second: number;
}

const rowOf = (values: Record<string, number>): MetricsRow => values as MetricsRow;

/** Images per sample picture (an 8x8 grid), or fewer when fewer are drawn. */
export const PICTURE_IMAGES = 64;

/** Whether examples of `data` are images `[h, w, c]` (pictures instead of CSV). */
export function isImageData(data: Pick<DataSource, "shape">): boolean {
  return data.shape.length === 3;
}

/**
 * Writes one evaluation's samples into `folder`: for image data a PNG grid of
 * the first {@link PICTURE_IMAGES} (`samples/step-<n>.png`, and
 * `samples/final.png` when `final`); for vector data every sample as CSV
 * (`samples/step-<n>.csv`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSamples } from "./experiment.ts";
 * import { RunFolder } from "./run_folder.ts";
 * const folder = new RunFolder(await Deno.makeTempDir());
 * await Deno.mkdir(folder.samples);
 * await writeSamples(folder, 10, new Float32Array(2 * 3 * 3), [3, 3, 1], true);
 * assert.ok((await Deno.stat(folder.picturesAt(10))).isFile);
 * assert.ok((await Deno.stat(folder.finalPicture)).isFile);
 * ```
 */
export async function writeSamples(
  folder: RunFolder,
  step: number,
  samples: Float32Array,
  shape: readonly number[],
  final: boolean,
): Promise<void> {
  if (!isImageData({ shape })) {
    await writeAtomic(folder.samplesAt(step), samplesCsv(samples, shape));
    return;
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const png = gridPng(samples.subarray(0, PICTURE_IMAGES * size), shape);
  await writeAtomic(folder.picturesAt(step), png);
  if (final) await writeAtomic(folder.finalPicture, png);
}

/**
 * The image metrics for the evaluations still to come, if any (none when a run
 * is resumed after its last step: no classifier to load or train), with their
 * classifier recorded in the manifest.
 */
async function imageMetricsFor(
  folder: RunFolder,
  trainer: Trainer,
  { steps, metrics }: { steps: number; metrics: LoadedExperiment["config"]["eval"]["metrics"] },
  options: RunOptions,
): Promise<ImageEvaluator | undefined> {
  if (trainer.step >= steps) return undefined;
  const images = await prepareImageMetrics(metrics, trainer.data, options.classifier);
  if (!images) return undefined;
  const replaced = await folder.recordImageClassifier({
    from_step: trainer.step,
    key: images.classifierKey,
    recipe: images.classifierRecipe,
  });
  if (replaced) {
    console.error(
      `duel: warning: ${folder.manifest}: image metrics from step ${trainer.step} use another ` +
        `classifier (key ${images.classifierKey.slice(0, 12)}) than before ` +
        `(${replaced.key.slice(0, 12)}); compare classifier scores only under one`,
    );
  }
  return images;
}

async function train(
  folder: RunFolder,
  loaded: LoadedExperiment,
  trainer: Trainer,
  elapsedBefore: number,
  options: RunOptions,
): Promise<RunSummary> {
  const { config } = loaded;
  const total = config.train.steps;
  options.onStart?.(trainer);
  const wanted = { steps: config.train.steps, metrics: config.eval.metrics };
  const images = await imageMetricsFor(folder, trainer, wanted, options).catch((e) => {
    trainer.dispose();
    throw e;
  });
  const log = await Deno.open(folder.metrics, { append: true, create: true });
  const encoder = new TextEncoder();
  const startStep = trainer.step;
  const t0 = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - t0) / 1000;
  let last: MetricsRow | undefined, reportDue = false;
  const record = async (row: MetricsRow) => {
    await log.write(encoder.encode(toJsonl([row])));
    if (reportDue) {
      reportDue = false;
      await writeRunReport(folder.dir);
    }
    last = row;
    options.onRow?.(row, total);
  };
  const evalRow = async (step: number) => {
    const { samples, metrics } = evaluate(trainer, images);
    await writeSamples(folder, step, samples, trainer.data.shape, step === total);
    if (options.views !== false) {
      await writeRunViews(folder.dir, trainer, step, samples);
      reportDue = true;
    }
    return metrics;
  };
  try {
    if (startStep === 0) await record(rowOf({ step: 0, ...(await evalRow(0)), elapsed: 0 }));
    for await (const m of trainer.run()) {
      const due = (every: number) => m.step % every === 0 || m.step === total;
      const extra = due(config.eval.every) ? await evalRow(m.step) : {};
      await record(rowOf({ ...m, ...extra, elapsed: elapsed() }));
      if (due(config.train.checkpoint_every)) {
        await folder.saveCheckpoint({
          state: trainer.state(),
          configHash: loaded.hash,
          elapsed: elapsed(),
        });
      }
    }
  } finally {
    log.close();
    trainer.dispose();
    images?.reference.classifier.dispose?.();
  }
  // A run resumed after its last step records nothing new: its final row is on disk.
  last ??= (await readMetrics(folder.metrics)).at(-1) as MetricsRow;
  const { elapsed: _wall, ...final } = last;
  const seconds = elapsed();
  const summary: RunSummary = {
    run_dir: folder.dir,
    run_id: folder.dir.split("/").pop()!,
    config_hash: loaded.hash,
    steps: trainer.step,
    final,
    elapsed: seconds,
    steps_per_second: (trainer.step - startStep) / Math.max(1e-9, seconds - elapsedBefore),
  };
  await writeAtomic(folder.summary, JSON.stringify(summary, null, 2) + "\n");
  if (options.views !== false) await writeRunReport(folder.dir);
  return summary;
}

/** Creates `<parent>/<id>` (or `<id>-2`, `-3`, ... when taken) and returns it. */
async function claimFolder(parent: string, id: string): Promise<string> {
  await Deno.mkdir(parent, { recursive: true });
  for (let k = 1;; k++) {
    const dir = `${parent}/${k === 1 ? id : `${id}-${k}`}`;
    try {
      await Deno.mkdir(dir);
      return dir;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
}

/**
 * Runs a validated experiment in a new run folder. The resolved config is
 * written before training starts.
 *
 * @example
 * ```ts ignore
 * import { loadExperiment, runExperiment } from "../../mod.ts";
 * const summary = await runExperiment(await loadExperiment("experiments/ring8.yaml"));
 * console.log(summary.final["eval/modes"]);
 * ```
 */
export async function runExperiment(
  loaded: LoadedExperiment,
  options: RunOptions = {},
): Promise<RunSummary> {
  const { config } = loaded;
  const backend = await useBackend(config.backend.name, config.backend.threads);
  const dir = options.runDir ??
    await claimFolder(`${config.output.root}/${config.name}`, newRunId(loaded.hash));
  if (options.runDir) {
    await Deno.mkdir(dir, { recursive: true });
    if ([...Deno.readDirSync(dir)].length) {
      throw new Error(`${dir}: run folder exists and is not empty`);
    }
  }
  const folder = new RunFolder(dir);
  await Deno.mkdir(folder.checkpoints);
  await Deno.mkdir(folder.samples);
  await writeAtomic(folder.config, loaded.resolvedYaml);
  const data = loaded.data ?? dataSourceOf(config.data, { dir: cacheDirFromEnv() ?? null });
  const trainer = Trainer.create(config, { data });
  try {
    const manifest: Manifest = {
      duel: DUEL_VERSION,
      deno: Deno.version.deno,
      ...backend,
      seed: config.seed,
      data: dataManifest(config.data.name, trainer.data),
      config_hash: loaded.hash,
      run_id: dir.split("/").pop()!,
      command_line: options.commandLine ?? [],
      git_commit: await gitCommit(),
      started_at: new Date().toISOString(),
      platform: `${Deno.build.os}-${Deno.build.arch}`,
    };
    await writeAtomic(folder.manifest, JSON.stringify(manifest, null, 2) + "\n");
    if (isImageData(trainer.data)) {
      const real = trainer.data.sample(PICTURE_IMAGES, Rng.derive(config.seed, "eval/real"));
      await writeAtomic(folder.realPicture, gridPng(real, trainer.data.shape));
    }
  } catch (e) {
    trainer.dispose();
    throw e;
  }
  return await train(folder, loaded, trainer, 0, options);
}

/** The hash of a resolved config file as written, before defaults of newer keys are added. */
function writtenConfigHash(text: string, file: string): string {
  return configHash(parseYaml(text, file).data);
}

/**
 * Continues a run from its newest checkpoint; the metrics log is cut back
 * to that step, so the finished run is identical to an uninterrupted one.
 *
 * @example
 * ```ts ignore
 * import { resumeRun } from "../../mod.ts";
 * await resumeRun("runs/ring8/20261126-120000-1a2b3c4d");
 * ```
 */
export async function resumeRun(dir: string, options: RunOptions = {}): Promise<RunSummary> {
  const folder = new RunFolder(dir.replace(/\/+$/, ""));
  let text: string;
  try {
    text = await Deno.readTextFile(folder.config);
  } catch {
    throw new Error(
      `${folder.config}: cannot read it; --resume takes a run folder (runs/<name>/<run id>)`,
    );
  }
  const loaded = parseExperiment(text, {
    file: folder.config,
    loadData: true,
    cacheDir: cacheDirFromEnv(),
  });
  await useBackend(loaded.config.backend.name, loaded.config.backend.threads);
  const ckpt = await folder.latestCheckpoint();
  const trainer = Trainer.create(loaded.config, { data: loaded.data });
  if (ckpt) {
    // A folder written by an older Duel lacks keys added since; their defaults keep the old
    // behaviour, so its checkpoints match the file as written (the hash it was saved with).
    const written = writtenConfigHash(text, folder.config);
    if (ckpt.configHash !== loaded.hash && ckpt.configHash !== written) {
      throw new Error(
        `${folder.checkpoints}: checkpoint belongs to another configuration (hash ${
          ckpt.configHash.slice(0, 8)
        })`,
      );
    }
    trainer.load(ckpt.state);
  }
  const kept = await readMetrics(folder.metrics, ckpt ? ckpt.state.step : -1);
  await writeAtomic(folder.metrics, toJsonl(kept));
  return await train(folder, loaded, trainer, ckpt?.elapsed ?? 0, options);
}
