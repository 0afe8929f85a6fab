/**
 * What a metric needs of a run (its data, generator or objective), by name:
 * the metric table's records list their needs; the evaluator measures a
 * metric where all of them hold, the config check rejects a metric listed
 * in `eval.metrics` for data that cannot meet them, and the README says
 * when each metric is measured.
 * @module
 */
import { OBJECTIVES } from "../objectives/objectives.ts";
import { IMAGE_METRIC_SHAPE } from "./image_evaluator.ts";
import type { MetricRun } from "./metric_run.ts";

/** One need. */
export interface MetricNeed {
  /** What it asks for, e.g. `28x28x1 images` (read after "needs" or "measure"). */
  readonly doc: string;
  /** Whether it holds at an evaluation. */
  holds(run: MetricRun): boolean;
  /**
   * Whether data of one example's `shape` can meet it, where the config
   * alone tells (checked when an experiment file is loaded).
   */
  fits?(shape: readonly number[]): boolean;
  /** What to set instead when `fits` fails. */
  readonly hint?: string;
  /** True when it compares with a held-out split (`data.held_out`, where the data set has one). */
  readonly heldOut?: boolean;
}

const objectiveOf = (run: MetricRun) => OBJECTIVES[run.trainer.config.objective.name];
const same = (a: readonly number[], b: readonly number[]) => a.join("x") === b.join("x");

/** A need's name from {@link METRIC_NEEDS} (a new entry is named here too). */
export type MetricNeedName =
  | "modes"
  | "plane"
  | "vectors"
  | "critic_divergence"
  | "gaussian_fit"
  | "ground_truth"
  | "images"
  | "image_data"
  | "inception";

/**
 * Every need, by the name the metric table's records use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { METRIC_NEEDS } from "../../mod.ts";
 * assert.equal(METRIC_NEEDS.images.doc, "28x28x1 images");
 * assert.ok(METRIC_NEEDS.vectors.fits!([2]) && !METRIC_NEEDS.vectors.fits!([28, 28, 1]));
 * ```
 */
export const METRIC_NEEDS: Readonly<Record<MetricNeedName, MetricNeed>> = {
  modes: {
    doc: "data with known modes",
    holds: (run) => (run.trainer.data.modes?.length ?? 0) > 0,
  },
  plane: {
    doc: "2-D data",
    holds: (run) => same(run.trainer.data.shape, [2]),
    fits: (shape) => same(shape, [2]),
    hint: "[] for this data, or 2-D data (ring8, grid25, swissroll, a 2-D mixture)",
  },
  vectors: {
    doc: "vector data (its coordinates are the features)",
    holds: (run) => run.trainer.data.shape.length === 1,
    fits: (shape) => shape.length === 1,
    hint: "[] for this data, or toy data (ring8, grid25, swissroll, mixture)",
  },
  critic_divergence: {
    doc: "an objective whose critic estimates a divergence",
    holds: (run) => objectiveOf(run).divergence !== undefined,
  },
  gaussian_fit: {
    doc: "a 1-D Gaussian mixture fitted by a generator that is one `location_scale` layer",
    holds: (run) => run.trainer.data.components !== undefined && run.gaussian() !== undefined,
  },
  ground_truth: {
    doc: "an objective whose divergence has an exact form (`divergence.exact` in its record)",
    holds: (run) => objectiveOf(run).divergence?.exact !== undefined,
  },
  images: {
    doc: `${IMAGE_METRIC_SHAPE.join("x")} images`,
    holds: (run) => run.images !== undefined,
    fits: (shape) => same(shape, IMAGE_METRIC_SHAPE),
    hint: "[] for this data (the weight-free proxy_* metrics and swd are measured on images of " +
      "any size), or data: mnist (or 28x28 grey images with held_out)",
    heldOut: true,
  },
  image_data: {
    doc: "images (any size, 1 or 3 channels)",
    holds: (run) => run.trainer.data.shape.length === 3,
    fits: (shape) => shape.length === 3,
    hint: "[] for this data, or image data (mnist, images)",
  },
  inception: {
    doc: "Inception-v3 weights (eval.inception)",
    holds: (run) => run.extractors.inception !== undefined,
  },
};
