/**
 * One evaluation: generator samples from the fixed evaluation noise, and
 * every metric that applies to the data set.
 * @module
 */
import { Rng } from "../rng.ts";
import type { Trainer } from "../train/trainer.ts";
import { modeMetrics } from "./modes.ts";

/** Samples and metrics of one evaluation. Metric keys are prefixed `eval/`. */
export interface Evaluation {
  /** The generated samples, row-major `[n, ...shape]`. */
  readonly samples: Float32Array;
  /** Metric values by name, e.g. `eval/modes`. */
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * Draws `eval.samples` samples with the same noise at every evaluation (the
 * `eval` stream, restarted each time) so evaluations are comparable, and
 * computes the mode metrics where the data has modes.
 *
 * @example
 * ```ts ignore
 * const { samples, metrics } = evaluate(trainer);
 * console.log(metrics["eval/modes"]);
 * ```
 */
export function evaluate(trainer: Trainer): Evaluation {
  const samples = trainer.sample(
    trainer.config.eval.samples,
    Rng.derive(trainer.config.seed, "eval"),
  );
  const modes = trainer.data.modes;
  if (!modes?.length) return { samples, metrics: {} };
  const m = modeMetrics(samples, modes);
  return {
    samples,
    metrics: { "eval/modes": m.modes, "eval/hq": m.hq, "eval/reverse_kl": m.reverse_kl },
  };
}
