/**
 * The networks of a GAN, built from the experiment's seed: the generator, the
 * generator evaluations use (its moving average, or itself), and the critic.
 * @module
 */
import type { Experiment } from "../config/schema.ts";
import { buildNetwork, type Network } from "../nn/network.ts";
import { packedShape } from "../nn/packing.ts";
import { Rng } from "../rng.ts";

/** The three networks a {@link Trainer} trains and measures. */
export interface Players {
  /** The generator G(z). */
  readonly generator: Network;
  /** The generator evaluations use: a moving average of `generator` (`train.ema` > 0) or itself. */
  readonly evalGenerator: Network;
  /** The critic D(x), returning raw scores (logits). */
  readonly discriminator: Network;
}

/** The parts of an experiment the players are built from. */
export type PlayersSpec = Pick<Experiment, "seed" | "noise" | "generator" | "discriminator"> & {
  readonly train: Pick<Experiment["train"], "ema">;
};

/**
 * Builds the players for data of `dataShape` (the critic's input: packs of
 * `discriminator.packing` examples), each from its own stream of the
 * root seed (`init/generator`, `init/discriminator`), so the same seed gives
 * the same weights whatever else the experiment changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildPlayers, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * const players = buildPlayers({
 *   seed: 0,
 *   noise: { distribution: "normal", dim: 2 },
 *   generator: { layers: [{ type: "dense", units: 2, spectral_norm: false }] },
 *   discriminator: { layers: [{ type: "dense", units: 1, spectral_norm: false }] },
 *   train: { ema: 0 },
 * }, [2]);
 * assert.equal(players.evalGenerator, players.generator); // no EMA: the generator itself
 * ```
 */
export function buildPlayers(spec: PlayersSpec, dataShape: readonly number[]): Players {
  const generator = () =>
    buildNetwork(spec.generator.layers, [spec.noise.dim], Rng.derive(spec.seed, "init/generator"));
  const g = generator();
  return {
    generator: g,
    evalGenerator: spec.train.ema > 0 ? generator() : g,
    discriminator: buildNetwork(
      spec.discriminator.layers,
      packedShape(dataShape, spec.discriminator.packing ?? 1),
      Rng.derive(spec.seed, "init/discriminator"),
    ),
  };
}
