/**
 * Training from code: `train(experiment, { onStep, onEval, signal })`, in
 * memory or into a run folder, with metric names typed from the tables.
 * @module
 */
import { useBackend } from "../backend/tfjs.ts";
import { enterHost } from "../backend/host.ts";
import type { LoadedExperiment } from "../config/load.ts";
import { dataSourceOf } from "../data/factory.ts";
import { DivergedError } from "../errors.ts";
import { evaluate } from "../metrics/evaluate.ts";
import { prepareImageMetrics } from "../metrics/image_evaluator.ts";
import { checkRunWeights, prepareFeatureSpaces } from "./feature_spaces.ts";
import type { MetricName } from "../metrics/metric_table.ts";
import { type StepMetrics, Trainer } from "../train/trainer.ts";
import { verdict } from "./divergence.ts";
import { runExperiment } from "./experiment.ts";

/** The metrics a training step reports (`d/loss`, `g/loss`, ...). */
export type StepMetricName = Exclude<keyof StepMetrics, "step">;
/** An evaluation metric's key: `eval/<name>` of the metric table, and `eval/<name>_se` for estimates. */
export type EvalMetricKey = `eval/${MetricName}` | `eval/${MetricName}_se`;
/** Every metric key a run reports. */
export type MetricKey = StepMetricName | EvalMetricKey;

/** Generated samples: `count` examples of `shape`, row-major. */
export interface Samples {
  /** The values, `count · prod(shape)` of them. */
  readonly values: Float32Array;
  /** One example's shape, e.g. `[2]` or `[28, 28, 1]`. */
  readonly shape: readonly number[];
  /** How many examples. */
  readonly count: number;
}

/** One evaluation, as {@link TrainOptions.onEval} receives it. */
export interface Evaluated {
  /** The generator step it was taken at. */
  readonly step: number;
  /** Its metrics (those that apply to the experiment). */
  readonly metrics: Readonly<Partial<Record<EvalMetricKey, number>>>;
  /** `eval.samples` samples from the fixed evaluation noise. */
  readonly samples: Samples;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Called after every generator step. */
  onStep?: (metrics: StepMetrics) => void;
  /** Called after every evaluation (step 0, every `eval.every` steps, the last). */
  onEval?: (evaluation: Evaluated) => void;
  /** Stops training after the step in progress; the result says `aborted`. */
  signal?: AbortSignal;
  /** Also write a run folder here (must not exist or be empty), as `deno task experiment` does. */
  runDir?: string;
}

/** What {@link train} returns. */
export interface TrainResult {
  /** Generator steps completed. */
  readonly steps: number;
  /** Whether `signal` stopped it before `train.steps`. */
  readonly aborted: boolean;
  /** The last evaluation's metrics. */
  readonly final: Readonly<Partial<Record<EvalMetricKey, number>>>;
  /** The last evaluation's samples. */
  readonly samples: Samples;
  /** The run folder, when `runDir` was given. */
  readonly runDir?: string;
}

/**
 * Trains an experiment (from `defineExperiment`, `parseExperiment` or
 * `loadExperiment`) and returns its final evaluation and samples. Without
 * `runDir` nothing is written; with it, the run folder is the one `deno task
 * experiment` writes (resumable, reproducible). A step whose losses are not
 * finite throws a `DivergedError` (the one line the CLI prints).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineExperiment, train } from "../../mod.ts";
 * const experiment = defineExperiment({
 *   name: "tiny",
 *   data: { name: "ring8" },
 *   noise: { dim: 2 },
 *   generator: { layers: [{ type: "dense", units: 16 }, { type: "relu" }, { type: "dense", units: 2 }] },
 *   discriminator: { layers: [{ type: "dense", units: 16 }, { type: "relu" }, { type: "dense", units: 1 }] },
 *   train: { steps: 20, batch_size: 32 },
 *   eval: { every: 10, samples: 200 },
 * });
 * const losses: number[] = [];
 * const result = await train(experiment, { onStep: (m) => losses.push(m["d/loss"]) });
 * assert.equal(losses.length, 20);
 * assert.equal(result.samples.count, 200);
 * assert.ok(result.final["eval/modes"]! >= 0);
 * ```
 */
export async function train(
  experiment: LoadedExperiment,
  options: TrainOptions = {},
): Promise<TrainResult> {
  const { config } = experiment;
  const shapeOf = (values: Float32Array, shape: readonly number[]): Samples => ({
    values,
    shape,
    count: values.length / shape.reduce((a, b) => a * b, 1),
  });
  let last: Evaluated | undefined;
  const onEval = (e: Evaluated) => {
    last = e;
    options.onEval?.(e);
  };
  if (options.runDir !== undefined) {
    let shape: readonly number[] = [];
    const summary = await runExperiment(experiment, {
      runDir: options.runDir,
      ...(options.signal ? { signal: options.signal } : {}),
      onStart: (trainer) => shape = trainer.data.shape,
      onRow: (row) => row.step > 0 && options.onStep?.(row as unknown as StepMetrics),
      onEval: (step, metrics, samples) =>
        onEval({ step, metrics, samples: shapeOf(samples, shape) }),
    });
    return {
      steps: summary.steps,
      aborted: summary.steps < config.train.steps,
      final: last?.metrics ?? {},
      samples: last?.samples ?? shapeOf(new Float32Array(0), shape),
      runDir: summary.run_dir,
    };
  }
  await checkRunWeights(config);
  await useBackend(config.backend.name, config.backend.threads);
  const trainer = Trainer.create(config, { data: experiment.data ?? dataSourceOf(config.data) });
  const total = config.train.steps;
  // On webgpu, evaluation runs on the host (backend/host.ts); elsewhere in place.
  const leaveFirst = await enterHost(trainer.tensors());
  const prepared = async () => ({
    images: await prepareImageMetrics(config.eval.metrics, trainer.data),
    // In memory: no statistics cache on disk.
    spaces: await prepareFeatureSpaces(config, trainer, null, 0),
  });
  const { images, spaces } = await prepared().catch((e) => {
    trainer.dispose();
    throw e;
  }).finally(leaveFirst);
  const evaluateAt = async (step: number) => {
    const leave = await enterHost(trainer.tensors());
    const { samples, metrics } = await Promise.resolve()
      .then(() => evaluate(trainer, images, spaces.extractors))
      .finally(leave);
    onEval({ step, metrics, samples: shapeOf(samples, trainer.data.shape) });
  };
  let aborted = false;
  try {
    await evaluateAt(0);
    for await (const m of trainer.run()) {
      const why = verdict(m, config.train.divergence_guard);
      if (why) throw new DivergedError(`${config.name}: diverged at step ${m.step}: ${why}`);
      options.onStep?.(m);
      if (m.step % config.eval.every === 0 || m.step === total) await evaluateAt(m.step);
      if (options.signal?.aborted && m.step < total) {
        aborted = true;
        break;
      }
    }
  } finally {
    trainer.dispose();
    images?.reference.classifier.dispose?.();
  }
  return { steps: trainer.step, aborted, final: last!.metrics, samples: last!.samples };
}
