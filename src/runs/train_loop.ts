/**
 * The training loop of a run (new or resumed): metrics rows, evaluations and
 * their samples, checkpoints, the summary, and the stop on divergence.
 * @module
 */
import type { LoadedExperiment } from "../config/load.ts";
import type { DataSource } from "../data/source.ts";
import { gridPng } from "../images/grid.ts";
import { evaluate } from "../metrics/evaluate.ts";
import type { CachedClassifierOptions } from "../metrics/classifier_cache.ts";
import { type ImageEvaluator, prepareImageMetrics } from "../metrics/image_evaluator.ts";
import type { Trainer } from "../train/trainer.ts";
import { DivergedError } from "../errors.ts";
import { enterHost } from "../backend/host.ts";
import { writeAtomic } from "../files.ts";
import { readMetrics, samplesCsv, toJsonl } from "./files.ts";
import { nonFiniteTensors, stopLine, verdict } from "./divergence.ts";
import type { RunFolder } from "./run_folder.ts";
import { writeRunViews } from "./run_views.ts";
import { writeRunReport } from "./run_report.ts";
import { prepareFeatureSpaces, recordFeatureProtocols } from "./feature_spaces.ts";
import { cacheDirFromEnv } from "../env.ts";
import type { ExtractorLoaders } from "../metrics/extractor_choice.ts";
import { boundChecks, type Estimate, estimatesOf } from "../views/estimates.ts";

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
  /** Where one-line warnings go (a stale lock, a corrupt checkpoint); default: standard error. */
  onWarning?: (line: string) => void;
  /**
   * {@link resumeRun} only: `key.path=value` changes from the checkpoint on
   * (`optimizer.*`, `train.divergence_guard.*`), e.g. a lower learning rate.
   */
  overrides?: readonly string[];
  /** Called after each evaluation is recorded, with its samples (row-major, as the data's shape). */
  onEval?: (step: number, metrics: Readonly<Record<string, number>>, samples: Float32Array) => void;
  /** Stops the run after the step in progress (summary written; `--resume` continues it). */
  signal?: AbortSignal;
  /** Draw the views at each evaluation and keep `report.html` current (default true). */
  views?: boolean;
  /**
   * The cache folder of the image metrics' reference statistics (default:
   * `cacheDirFromEnv()`); `null`: none.
   */
  statsCache?: string | null;
  /** How feature extractors are checked and loaded (default `EXTRACTOR_LOADERS`; tests pass their own). */
  extractorLoaders?: ExtractorLoaders;
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
  /**
   * Every final estimate that has a standard error, with it (`eval/<name>` and
   * `eval/<name>_se` of `final`): `{ "eval/modes": { value, se } }`.
   */
  readonly estimates: Readonly<Record<string, Estimate>>;
  /** The final estimates against the exact values they bound (see `boundChecks`), one line each. */
  readonly bounds: readonly string[];
  /** Training wall time in seconds (excluding resumed-away time). */
  readonly elapsed: number;
  /** Training speed of this process (resumed runs: since resuming). */
  readonly steps_per_second: number;
  /**
   * Present when the run stopped before `train.steps`: it diverged at `step`
   * (`final` is then the last finite row).
   */
  readonly stopped?: {
    readonly reason: "diverged";
    readonly step: number;
    /** What was wrong, e.g. `g/loss is NaN`. */
    readonly detail: string;
    /** The newest checkpoint kept (all finite), relative to the run folder. */
    readonly checkpoint: string | null;
  };
}

/** Longest time rows wait in memory before they are written to `metrics.jsonl`. */
const ROW_FLUSH_MS = 1000;

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
 * import { RunFolder, writeSamples } from "../../mod.ts";
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

/**
 * Trains `trainer` in `folder` to `train.steps`, writing metrics rows,
 * evaluations, checkpoints and `summary.json`. Each step's losses are judged
 * (see {@link verdict}); a checkpoint is written only when every tensor is
 * finite. On the first divergent step the run stops: no row, no checkpoint
 * for that step, a summary recording the stop, and a {@link DivergedError}.
 */
export async function train(
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
  // On webgpu, evaluation and checkpoints run on the host (backend/host.ts); elsewhere in place.
  const onHost = async <T>(f: () => Promise<T>): Promise<T> => {
    const leave = await enterHost(trainer.tensors());
    try {
      return await f();
    } finally {
      await leave();
    }
  };
  const prepared = async () => {
    const images = await imageMetricsFor(folder, trainer, wanted, options);
    if (trainer.step >= total) return { images, extractors: {} };
    const cache = options.statsCache === undefined ? cacheDirFromEnv() : options.statsCache;
    const spaces = await prepareFeatureSpaces(
      config,
      trainer,
      cache,
      trainer.step,
      options.extractorLoaders,
    );
    await recordFeatureProtocols(folder, spaces.protocols);
    return { images, extractors: spaces.extractors };
  };
  const { images, extractors } = await onHost(prepared).catch((e) => {
    trainer.dispose();
    throw e;
  });
  const log = await Deno.open(folder.metrics, { append: true, create: true });
  const encoder = new TextEncoder();
  const startStep = trainer.step;
  const t0 = performance.now();
  const elapsed = () => elapsedBefore + (performance.now() - t0) / 1000;
  let last: MetricsRow | undefined;
  let stop: { step: number; detail: string } | undefined;
  let reportDue = false;
  // The report is rebuilt at every evaluation from what the loop holds, not from the files.
  const report = options.views === false ? undefined : {
    rows: await readMetrics(folder.metrics),
    config: await Deno.readTextFile(folder.config),
    manifest: await Deno.readTextFile(folder.manifest).catch(() => "(no manifest)"),
  };
  // Rows go to the file in batches, synchronously (an awaited write per row took 0.5-1.7 ms of
  // the loop's time, a tenth of a toy step; a synchronous write of a batch takes microseconds):
  // at least once a second, before each checkpoint (a resume cuts the log back to its
  // checkpoint, so the log must hold every row up to it) and when the loop ends.
  let pending = "", flushedAt = performance.now();
  const flush = () => {
    const bytes = encoder.encode(pending);
    pending = "";
    flushedAt = performance.now();
    for (let at = 0; at < bytes.length;) at += log.writeSync(bytes.subarray(at));
  };
  const record = async (row: MetricsRow) => {
    pending += toJsonl([row]);
    if (performance.now() - flushedAt >= ROW_FLUSH_MS) flush();
    report?.rows.push(row);
    if (reportDue && report) {
      reportDue = false;
      await writeRunReport(folder.dir, report);
    }
    last = row;
    options.onRow?.(row, total);
  };
  /** One evaluation: its metrics, and a write of its samples (undefined when not finite). */
  const evaluation = (step: number) => {
    const { samples, metrics } = evaluate(trainer, images, extractors);
    if (!samples.every(Number.isFinite)) return undefined;
    return {
      metrics,
      samples,
      write: async () => {
        await writeSamples(folder, step, samples, trainer.data.shape, step === total);
        if (options.views !== false) {
          await writeRunViews(folder.dir, trainer, step, samples);
          reportDue = true;
        }
      },
    };
  };
  try {
    if (startStep === 0 && (await readMetrics(folder.metrics)).length === 0) {
      await onHost(async () => {
        const first = evaluation(0);
        await first?.write();
        await record(rowOf({ step: 0, ...first?.metrics, elapsed: 0 }));
        if (first) options.onEval?.(0, first.metrics, first.samples);
        // The initial state, so that a run which diverges before its first checkpoint can be
        // resumed with other settings (rotation removes it once two newer checkpoints exist).
        flush();
        const state = trainer.state();
        await folder.saveCheckpoint({ state, configHash: loaded.hash, elapsed: 0 });
      });
    }
    for await (const m of trainer.run()) {
      // Judged before anything of the step is written: a divergent step leaves no row, no
      // samples and no checkpoint.
      const due = (every: number) => m.step % every === 0 || m.step === total;
      const leave = due(config.eval.every) || due(config.train.checkpoint_every)
        ? await enterHost(trainer.tensors())
        : undefined;
      let why = verdict(m, config.train.divergence_guard);
      const evaluated = !why && due(config.eval.every) ? evaluation(m.step) : undefined;
      if (!why && due(config.eval.every) && !evaluated) why = "evaluation samples not finite";
      const state = !why && due(config.train.checkpoint_every) ? trainer.state() : undefined;
      const bad = state ? nonFiniteTensors(state.tensors) : [];
      if (bad.length) why = `weights not finite after the step (${bad.join(", ")})`;
      if (why) {
        stop = { step: m.step, detail: why };
        break;
      }
      await evaluated?.write();
      await record(rowOf({ ...m, ...evaluated?.metrics, elapsed: elapsed() }));
      if (evaluated) options.onEval?.(m.step, evaluated.metrics, evaluated.samples);
      if (state) {
        flush();
        await folder.saveCheckpoint({ state, configHash: loaded.hash, elapsed: elapsed() });
      }
      if (options.signal?.aborted) break;
      await leave?.();
    }
  } finally {
    try {
      flush();
    } finally {
      log.close();
    }
    trainer.dispose();
    images?.reference.classifier.dispose?.();
  }
  // A run resumed after its last step records nothing new: its final row is on disk.
  last ??= (await readMetrics(folder.metrics)).at(-1) as MetricsRow | undefined;
  const { elapsed: _wall, ...final } = last ?? { step: 0 };
  const seconds = elapsed();
  const kept = stop ? await folder.newestCheckpointName() : undefined;
  const summary: RunSummary = {
    run_dir: folder.dir,
    run_id: folder.dir.split("/").pop()!,
    config_hash: loaded.hash,
    steps: stop ? (last?.step ?? 0) : trainer.step,
    final,
    estimates: estimatesOf(final),
    bounds: boundChecks(final).map((b) => b.line),
    elapsed: seconds,
    steps_per_second: (trainer.step - startStep) / Math.max(1e-9, seconds - elapsedBefore),
    ...(stop
      ? {
        stopped: {
          reason: "diverged" as const,
          ...stop,
          checkpoint: kept ? `checkpoints/${kept}` : null,
        },
      }
      : {}),
  };
  await writeAtomic(folder.summary, JSON.stringify(summary, null, 2) + "\n");
  if (options.views !== false) await writeRunReport(folder.dir);
  if (stop) {
    const line = stopLine(
      folder.dir,
      stop.step,
      stop.detail,
      last,
      config,
      kept ? `checkpoints/${kept}` : undefined,
    );
    throw new DivergedError(line);
  }
  return summary;
}
