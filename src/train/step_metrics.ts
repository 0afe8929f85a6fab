/**
 * What one training step reports (the rows of `metrics.jsonl` between
 * evaluations), and how often it reports the gradients' norms.
 * @module
 */

/** What one generator step reports. Scores are the objective's critic scores. */
export interface StepMetrics {
  /** Generator steps completed. */
  readonly step: number;
  /** Critic loss of the round's last critic update. */
  readonly "d/loss": number;
  /** Generator loss of the round's last generator update (absent when the generator is frozen). */
  readonly "g/loss"?: number;
  /** Mean critic score on the real batch (a probability for GAN objectives). */
  readonly "d/real_score": number;
  /** Mean critic score on the fake batch. */
  readonly "d/fake_score": number;
  /** The regularisers' penalties, included in `d/loss` (when any penalty is configured). */
  readonly "d/penalty"?: number;
  /** The divergence the critic's loss (without penalties) estimates, for objectives that have one. */
  readonly "d/divergence"?: number;
  /** The critic's gradient norm (all weights) in the round's last update, every `eval.health_every` steps. */
  readonly "d/grad_norm"?: number;
  /** The generator's gradient norm (all weights) in the round's last update, every `eval.health_every` steps. */
  readonly "g/grad_norm"?: number;
}

/** Steps between gradient-norm logs when `eval.health_every` is absent (0 turns them off). */
export const HEALTH_EVERY = 50;
