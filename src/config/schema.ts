/**
 * The experiment file, version 1: every key, its type, default and meaning.
 * This is the single source of truth for validation, types and the README
 * reference. Names under `type:`/`name:` come from the typed tables.
 * @module
 */
import { OPT_IN_METRICS, type OptInMetricName } from "../metrics/metric_table.ts";
import { type BackendName, BACKENDS } from "../backend/tfjs.ts";
import { DATASETS } from "../data/datasets.ts";
import { LAYERS } from "../nn/layers.ts";
import { OBJECTIVES } from "../objectives/objectives.ts";
import { REGULARIZERS } from "../objectives/regularizers.ts";
import { OPTIMIZERS } from "../train/optimizers.ts";
import { SCHEDULES } from "../train/schedules.ts";
import {
  type Field,
  list,
  num,
  obj,
  oneOf,
  optional,
  type Shape,
  str,
  tagged,
  type TaggedOf,
} from "../fields.ts";

/** The keys of each record of a table, by record name. */
export type ParamsOf<T extends Record<string, { params: Shape }>> = {
  [K in keyof T]: T[K]["params"];
};
/** A layer as written in an experiment file: `type` plus that layer's keys. */
export type LayerConfig = TaggedOf<"type", ParamsOf<typeof LAYERS>>;
/** A data set as written in an experiment file: `name` plus its keys. */
export type DataConfig = TaggedOf<"name", ParamsOf<typeof DATASETS>>;
/** An objective as written in an experiment file: `name` plus its keys. */
export type ObjectiveConfig = TaggedOf<"name", ParamsOf<typeof OBJECTIVES>>;
/** A critic regulariser as written in an experiment file: `name` plus its keys. */
export type RegularizerConfig = TaggedOf<"name", ParamsOf<typeof REGULARIZERS>>;
/** An optimiser as written in an experiment file: `name` plus its keys. */
export type OptimizerConfig = TaggedOf<"name", ParamsOf<typeof OPTIMIZERS>>;
/** A learning-rate schedule as written in an experiment file: `name` plus its keys. */
export type ScheduleConfig = TaggedOf<"name", ParamsOf<typeof SCHEDULES>>;

/**
 * A validated experiment: every key present, defaults filled in. The
 * README's reference documents each key; `EXPERIMENT` validates it.
 */
export interface Experiment {
  /** File format version (1). */
  readonly version: number;
  /** Experiment name; runs go to `<output.root>/<name>/<run id>`. */
  readonly name: string;
  /** Root seed of every random stream. */
  readonly seed: number;
  /** The real data. */
  readonly data: DataConfig;
  /** The generator's input z. */
  readonly noise: { readonly distribution: "normal" | "uniform"; readonly dim: number };
  /** The generator's layers. */
  readonly generator: { readonly layers: readonly LayerConfig[] };
  /** The critic's layers, and how many samples it judges at once (PacGAN's packing; absent: 1). */
  readonly discriminator: { readonly layers: readonly LayerConfig[]; readonly packing?: number };
  /** The game's losses. */
  readonly objective: ObjectiveConfig;
  /** Critic penalties and constraints. */
  readonly regularizers: readonly RegularizerConfig[];
  /** One optimiser per player. */
  readonly optimizer: {
    readonly generator: OptimizerConfig;
    readonly discriminator: OptimizerConfig;
  };
  /** The schedule. */
  readonly train: {
    readonly steps: number;
    readonly batch_size: number;
    readonly discriminator_steps: number;
    readonly generator_steps: number;
    readonly checkpoint_every: number;
    readonly ema: number;
    readonly lr_schedule: ScheduleConfig;
    /** Bounds past which a run stops as diverged (absent: only non-finite values stop it). */
    readonly divergence_guard?: {
      readonly max_abs_loss?: number;
      readonly max_abs_score?: number;
    };
  };
  /** Evaluation. */
  readonly eval: {
    readonly every: number;
    readonly samples: number;
    readonly metrics: readonly OptInMetricName[];
    readonly health_every?: number;
    readonly inception?: string;
    /** Which generator is measured (absent: the EMA one when `train.ema` > 0, else the raw one). */
    readonly generator?: "raw" | "ema";
    /** The mode metrics' rule (absent: 3 std, at least 1 high-quality sample per mode). */
    readonly modes?: { readonly threshold: number; readonly min_samples: number };
    /** The Parzen estimate's protocol (absent: eval.samples centres, held-out halves). */
    readonly parzen?: { readonly centres?: number; readonly validation: "held_out" | "train" };
    readonly resamples?: number;
  };
  /** Backend. */
  readonly backend: { readonly name: BackendName; readonly threads: number };
  /** Output. */
  readonly output: { readonly root: string };
}

function paramsOf<T extends Record<string, { params: Shape }>>(table: T): ParamsOf<T> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [k, v.params])) as ParamsOf<T>;
}

const layers = (who: string) =>
  list(`the ${who}'s layers, applied in order`, tagged("a layer", "type", paramsOf(LAYERS)), {
    minItems: 1,
  });

const optimizer = (who: string) =>
  tagged(`the ${who}'s optimiser`, "name", paramsOf(OPTIMIZERS), {
    name: "adam",
    lr: 2e-4,
    betas: [0.5, 0.999],
    eps: 1e-8,
  });

const experiment = obj("an experiment", {
  version: num("experiment file format version", { int: true, min: 1, max: 1, default: 1 }),
  name: str("experiment name; runs go to `<output.root>/<name>/<run id>`", {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    patternDoc: "1-64 letters, digits, `.`, `_`, `-`, starting with a letter or digit",
  }),
  seed: num("root seed; every random stream is derived from it", {
    int: true,
    min: 0,
    max: 2 ** 32 - 1,
    default: 0,
  }),
  data: tagged("the real data", "name", paramsOf(DATASETS)),
  noise: obj("the generator's input z", {
    distribution: oneOf("distribution of each coordinate", ["normal", "uniform"], "normal"),
    dim: num("dimension of z", { int: true, min: 1, default: 8 }),
  }),
  generator: obj("the generator G(z)", { layers: layers("generator") }),
  discriminator: obj("the critic D(x); its last layer must give one value", {
    layers: layers("critic"),
    packing: optional(num(
      "PacGAN's packing (Lin et al. 2018): the critic judges m samples at once, concatenated " +
        "along the feature axis (channels for images), so its input is m times as wide; each " +
        "batch then holds `train.batch_size` packs (batch_size x m real and generated " +
        "examples). Absent: 1",
      { int: true, min: 1, max: 64 },
    )),
  }),
  objective: tagged("the game's losses", "name", paramsOf(OBJECTIVES), {
    name: "non_saturating",
    real_label: 1,
  }),
  regularizers: list(
    "critic penalties and constraints, applied together",
    tagged("a regulariser", "name", paramsOf(REGULARIZERS)),
    { default: [] },
  ),
  optimizer: obj("one optimiser per player", {
    generator: optimizer("generator"),
    discriminator: optimizer("critic"),
  }),
  train: obj("the schedule", {
    steps: num("generator updates", { int: true, min: 1, default: 5000 }),
    batch_size: num("examples per batch, real and fake alike", { int: true, min: 1, default: 256 }),
    discriminator_steps: num("critic updates (with G fixed) before each generator update", {
      int: true,
      min: 1,
      default: 1,
    }),
    generator_steps: num(
      "generator updates (with D fixed) after the critic's, per step; 0 freezes the generator " +
        "(critic-only: the critic's value then estimates a divergence between fixed distributions)",
      { int: true, min: 0, default: 1 },
    ),
    ema: num(
      "decay of an exponential moving average of the generator's weights, used for evaluation " +
        "(0: off, evaluate the trained weights)",
      { min: 0, lt: 1, default: 0 },
    ),
    lr_schedule: tagged(
      "a factor on both players' learning rates over training (progress = step / steps)",
      "name",
      paramsOf(SCHEDULES),
      { name: "constant" },
    ),
    checkpoint_every: num("steps between checkpoints (the last step is always saved)", {
      int: true,
      min: 1,
      default: 500,
    }),
    divergence_guard: optional(obj(
      "bounds past which the run stops as diverged (exit 3), checked on each step's numbers " +
        "(no extra cost). Off unless set: healthy runs may pass any fixed bound (a Wasserstein " +
        "critic's scores drift freely). A loss or score that is not finite always stops a run",
      {
        max_abs_loss: optional(num("stop when abs(d/loss) or abs(g/loss) exceeds this", { gt: 0 })),
        max_abs_score: optional(
          num("stop when abs(d/real_score) or abs(d/fake_score) exceeds this", { gt: 0 }),
        ),
      },
    )),
  }),
  eval: obj("evaluation of generated samples", {
    every: num("steps between evaluations (the last step is always evaluated)", {
      int: true,
      min: 1,
      default: 500,
    }),
    samples: num("generated samples per evaluation", { int: true, min: 1, default: 2500 }),
    metrics: list(
      "metrics measured at each evaluation only when listed, besides those measured wherever " +
        "they apply (see Metrics below)",
      oneOf("a metric", OPT_IN_METRICS),
      { default: [] },
    ),
    health_every: optional(num(
      "steps between logs of both players' gradient norms (`d/grad_norm`, `g/grad_norm`); " +
        "absent: every 50 steps; 0: never",
      { int: true, min: 0 },
    )),
    inception: optional(str(
      "path of pytorch-fid's Inception-v3 weights (`pt_inception-2015-12-05-6726825d.pth`), " +
        "relative to the current directory: image runs then also measure `eval/fid` and the " +
        "`eval/inception_*` metrics; checked before training. Absent: only the proxy features",
    )),
    generator: optional(oneOf(
      "the generator measured: `raw` (the trained weights) or `ema` (their moving average, " +
        "`train.ema` > 0); absent: `ema` when `train.ema` > 0, else `raw`",
      ["raw", "ema"],
    )),
    modes: optional(obj(
      "the mode metrics' rule (VEEGAN/PacGAN): a sample is high quality within `threshold` " +
        "std of its nearest mode; a mode is captured with at least `min_samples` of them. " +
        "Absent: 3 and 1 (PacGAN's code)",
      {
        threshold: num("distance to the nearest mode, in its std, for a high-quality sample", {
          gt: 0,
          default: 3,
        }),
        min_samples: num("high-quality samples a mode needs to count as captured", {
          int: true,
          min: 1,
          default: 1,
        }),
      },
    )),
    parzen: optional(obj(
      "the protocol of `parzen_ll` (Goodfellow et al. 2014 used 10,000 generated centres, " +
        "sigma chosen on a validation set, 10,000 test digits). Absent: the evaluation's " +
        "`eval.samples` as centres, half the held-out images choose sigma, the other half is " +
        "scored. The estimate grows with the centres: compare numbers of one protocol only",
      {
        centres: optional(num(
          "generated samples the kernels sit on, drawn for Parzen alone (absent: the " +
            "evaluation's samples); 10000 is the paper's",
          { int: true, min: 1, max: 100000 },
        )),
        validation: oneOf(
          "what chooses sigma: `held_out` (half the held-out images; the other half is " +
            "scored) or `train` (1,000 training images drawn once per evaluation; every " +
            "held-out image is scored: MNIST's 1,000, the most the mnist package allows)",
          ["held_out", "train"],
          "held_out",
        ),
      },
    )),
    resamples: optional(num(
      "fresh draws per evaluation for the standard errors (`eval/<metric>_se`) of the mode, KDE " +
        "and critic-divergence estimates; absent: 5; 0: none (the estimates themselves always " +
        "use the fixed evaluation draw)",
      { int: true, min: 0 },
    )),
  }),
  backend: obj("where the tensors are computed", {
    name: oneOf("tfjs backend", Object.keys(BACKENDS) as (keyof typeof BACKENDS)[], "wasm"),
    threads: num(
      "threads for wasm (threaded SIMD build when > 1; bit-identical results). Faster when a " +
        "core is free (the README run: 2 threads ~15% faster); in a sweep of parallel trials, 1",
      { int: true, min: 1, max: 8, default: 1 },
    ),
  }),
  output: obj("where runs are written", {
    root: str(
      "folder that holds `<name>/<run id>/`; inside the working directory unless the command " +
        "line says otherwise (`--allow-outside`, or an absolute path in `--set output.root=...`)",
      { default: "runs", pattern: /\S/, patternDoc: "a non-empty folder path" },
    ),
  }),
});

/**
 * The schema of an experiment file: validates parsed YAML and documents
 * every key (its `children` drive the README reference).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXPERIMENT } from "../../mod.ts";
 * assert.ok(EXPERIMENT.children?.train !== undefined);
 * ```
 */
export const EXPERIMENT: Field<Experiment> = experiment;
