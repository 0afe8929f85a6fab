/**
 * The objective table: each record holds the critic's loss and the
 * generator's loss as pure functions of the critic's raw outputs (logits).
 * Both losses are minimised. REFERENCE.md §1 gives the formulas.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { InferShape, Shape } from "../config/fields.ts";
import type { Tensor } from "../tensor.ts";

/** One record of the objective table. */
export interface ObjectiveKind<S extends Shape> {
  /** One line for the README reference. */
  readonly doc: string;
  /** The losses as formulas, for the README reference. */
  readonly formula: string;
  /** Keys besides `name`. */
  readonly params: S;
  /** Critic loss from logits on a real batch and a fake batch (minimised). */
  discriminator(real: Tensor, fake: Tensor, p: InferShape<S>): Tensor;
  /** Generator loss from logits on a fake batch (and a real one, for relativistic forms). */
  generator(fake: Tensor, real: Tensor, p: InferShape<S>): Tensor;
  /** The critic's per-example score reported as `d/real_score`, `d/fake_score`. */
  score(logits: Tensor): Tensor;
}

function defineObjective<S extends Shape>(kind: ObjectiveKind<S>): ObjectiveKind<S> {
  return kind;
}

/** `-log D(x) = softplus(-l)` for D = sigmoid(l), computed stably. */
const negLogD = (l: tf.Tensor) => tf.mean(tf.softplus(tf.neg(l))) as tf.Scalar;
/** `-log(1 - D(x)) = softplus(l)`. */
const negLog1mD = (l: tf.Tensor) => tf.mean(tf.softplus(l)) as tf.Scalar;

/** The original game's critic: maximise E log D(x) + E log(1 - D(G(z))). */
const ganCritic = (real: tf.Tensor, fake: tf.Tensor) =>
  tf.add(negLogD(real), negLog1mD(fake)) as tf.Scalar;

/** Every objective, by the name used in experiment files. */
export const OBJECTIVES = {
  minimax: defineObjective({
    doc:
      "the original (saturating) game of Goodfellow et al. 2014; critic optimum gives -log 4 + 2 JSD",
    formula:
      "L_D = E softplus(-l_r) + E softplus(l_f); L_G = -E softplus(l_f) (= E log(1 - D(G(z))))",
    params: {},
    discriminator: ganCritic,
    generator: (fake: tf.Tensor) => tf.neg(negLog1mD(fake)) as tf.Scalar,
    score: (l: tf.Tensor) => tf.sigmoid(l),
  }),
  non_saturating: defineObjective({
    doc: "the original critic with the non-saturating generator loss -E log D(G(z))",
    formula: "L_D = E softplus(-l_r) + E softplus(l_f); L_G = E softplus(-l_f)",
    params: {},
    discriminator: ganCritic,
    generator: (fake: tf.Tensor) => negLogD(fake),
    score: (l: tf.Tensor) => tf.sigmoid(l),
  }),
} satisfies Record<string, ObjectiveKind<Shape>>;

/** An objective name from {@link OBJECTIVES}. */
export type ObjectiveName = keyof typeof OBJECTIVES;
