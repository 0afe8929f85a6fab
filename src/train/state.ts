/**
 * A trainer's state as plain data (weights, optimiser slots, RNG states,
 * step): taken from and written back into named tfjs variables.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { Param } from "../nn/layers.ts";
import { Rng, type RngState } from "../rng.ts";
import { tfjs } from "../tensor.ts";

/** The random streams training draws from, each derived from the root seed by name. */
export const STREAMS = ["data", "noise", "penalty", "dropout"] as const;
/** A training stream name from {@link STREAMS}. */
export type StreamName = (typeof STREAMS)[number];

/** One saved tensor of a {@link TrainerState}. */
export interface SavedTensor {
  /** Which tensor, e.g. `generator/0.dense.kernel` or `optimizer.generator/m/0.dense.kernel`. */
  readonly name: string;
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its values, row-major. */
  readonly data: Float32Array;
}

/** Everything needed to continue training exactly: weights, optimiser slots, RNG states, step. */
export interface TrainerState {
  /** Generator steps completed. */
  readonly step: number;
  /** States of the training random streams. */
  readonly rng: Readonly<Record<StreamName, RngState>>;
  /** Weights of both players and their optimisers' slots. */
  readonly tensors: readonly SavedTensor[];
}

/** Variables by checkpoint name: `<group>/<param name>`, groups in the given order. */
export function namedVariables(groups: Record<string, readonly Param[]>): [string, tf.Variable][] {
  return Object.entries(groups).flatMap(([prefix, params]) =>
    params.map((p) => [`${prefix}/${p.name}`, tfjs(p.variable)] as [string, tf.Variable])
  );
}

/** Fresh streams for every name in {@link STREAMS}. */
export function deriveStreams(seed: number): Record<StreamName, Rng> {
  return Object.fromEntries(STREAMS.map((s) => [s, Rng.derive(seed, s)])) as Record<
    StreamName,
    Rng
  >;
}

/** Copies variables and stream states into a {@link TrainerState}. */
export function takeState(
  step: number,
  streams: Record<StreamName, Rng>,
  named: [string, tf.Variable][],
): TrainerState {
  return {
    step,
    rng: Object.fromEntries(STREAMS.map((s) => [s, streams[s].state()])) as Record<
      StreamName,
      RngState
    >,
    tensors: named.map(([name, v]) => ({
      name,
      shape: v.shape,
      data: v.dataSync() as Float32Array,
    })),
  };
}

/**
 * Writes `state` into the variables and returns its streams; throws when the
 * tensors do not match the variables by name and shape (another architecture).
 * A stream the checkpoint lacks (written before the stream existed, so never
 * drawn from) starts fresh from `fresh`.
 */
export function restoreState(
  state: TrainerState,
  named: [string, tf.Variable][],
  fresh: Record<StreamName, Rng>,
): Record<StreamName, Rng> {
  const byName = new Map(state.tensors.map((t) => [t.name, t]));
  if (byName.size !== named.length) {
    throw new Error(`checkpoint holds ${byName.size} tensors, the experiment has ${named.length}`);
  }
  for (const [name, v] of named) {
    const saved = byName.get(name);
    if (!saved || saved.shape.join("x") !== v.shape.join("x")) {
      throw new Error(`checkpoint tensor ${name} is missing or has another shape`);
    }
    tf.tidy(() => v.assign(tf.tensor(saved.data, v.shape)));
  }
  return Object.fromEntries(
    STREAMS.map((s) => [s, state.rng[s] ? Rng.fromState(state.rng[s]) : fresh[s]]),
  ) as Record<
    StreamName,
    Rng
  >;
}
