/**
 * One evaluation: generator samples from the fixed evaluation noise, and
 * every metric that applies to the data set.
 * @module
 */
import { Rng } from "../rng.ts";
import type { Trainer } from "../train/trainer.ts";
import { tfjs } from "../tensor.ts";
import { trueDivergence } from "./divergence_meter.ts";
import { kdeDivergences } from "./kde.ts";
import { modeMetrics } from "./modes.ts";
import { type ImageEvaluator, measureImages } from "./image_evaluator.ts";

/** Samples and metrics of one evaluation. Metric keys are prefixed `eval/`. */
export interface Evaluation {
  /** The generated samples, row-major `[n, ...shape]`. */
  readonly samples: Float32Array;
  /** Metric values by name, e.g. `eval/modes`. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** mu and sigma of a generator that is a single 1-D `location_scale` layer, else undefined. */
function gaussianGenerator(trainer: Trainer): { mu: number; sigma: number } | undefined {
  const layers = trainer.config.generator.layers;
  if (layers.length !== 1 || layers[0].type !== "location_scale" || trainer.data.shape[0] !== 1) {
    return undefined;
  }
  const [mu, sigma] = trainer.evalGenerator.params.map((p) => tfjs(p.variable).dataSync()[0]);
  return { mu, sigma: Math.abs(sigma) };
}

/**
 * Draws `eval.samples` samples with the same noise at every evaluation (the
 * `eval` stream, restarted each time) so evaluations are comparable, and
 * computes every metric that applies:
 * - `eval/modes`, `eval/hq`, `eval/reverse_kl` where the data has modes;
 * - `eval/kde_kl`, `eval/kde_js` for 2-D data: KL(real || generated) and JSD
 *   between kernel-density estimates of `eval.samples` of each (see `kde.ts`);
 * - `eval/divergence`: the divergence the critic's value implies, on
 *   `eval.samples` fresh real and generated examples (objectives that have one);
 * - `eval/<name>` for each image metric of `eval.metrics` (`images`, prepared
 *   once per run by `prepareImageMetrics`);
 * - `eval/mu`, `eval/sigma`, `eval/true_divergence` for a 1-D mixture fitted
 *   by a single `location_scale` layer: the Gaussian's parameters and the
 *   exact divergence the critic estimates (numerical integration).
 *
 * @example
 * ```ts ignore
 * const { samples, metrics } = evaluate(trainer);
 * console.log(metrics["eval/modes"]);
 * ```
 */
export function evaluate(trainer: Trainer, images?: ImageEvaluator): Evaluation {
  const { seed, eval: ev, objective, data } = trainer.config;
  const samples = trainer.sample(ev.samples, Rng.derive(seed, "eval"));
  const metrics: Record<string, number> = {};
  const modes = trainer.data.modes;
  if (modes?.length) {
    const m = modeMetrics(samples, modes);
    Object.assign(metrics, {
      "eval/modes": m.modes,
      "eval/hq": m.hq,
      "eval/reverse_kl": m.reverse_kl,
    });
  }
  if (trainer.data.shape.length === 1 && trainer.data.shape[0] === 2) {
    const real = trainer.data.sample(ev.samples, Rng.derive(seed, "eval/data"));
    const kde = kdeDivergences(real, samples);
    Object.assign(metrics, { "eval/kde_kl": kde.kl, "eval/kde_js": kde.js });
  }
  const estimate = trainer.divergenceEstimate(ev.samples, Rng.derive(seed, "eval/critic"));
  if (estimate !== undefined) metrics["eval/divergence"] = estimate;
  const gaussian = gaussianGenerator(trainer);
  if (gaussian && data.name === "mixture") {
    metrics["eval/mu"] = gaussian.mu;
    metrics["eval/sigma"] = gaussian.sigma;
    const components = data.components.map((c) => ({ weight: c.weight, mean: c.mean, std: c.std }));
    const exact = trueDivergence(objective.name, components, gaussian.mu, gaussian.sigma);
    if (exact !== undefined) metrics["eval/true_divergence"] = exact;
  }
  if (images) Object.assign(metrics, measureImages(images, samples));
  return { samples, metrics };
}
