/**
 * Experiments from code: a typed, partial object in, the same validation as
 * an experiment file, a frozen configuration out.
 * @module
 */
import type { Experiment } from "./schema.ts";
import { type LoadedExperiment, resolveExperiment } from "./load.ts";

/**
 * What {@link defineExperiment} takes: the experiment's shape with every key
 * optional (the schema's defaults fill what is left out), so an editor
 * completes keys and the names of layers, objectives, optimisers and data
 * sets. Keys without a default (`name`, `data`, the players' layers, a
 * layer's `type`, ...) are checked when the object is validated.
 */
export type ExperimentInput = Input<Experiment>;

/** `T` with every key optional, all the way down (unions stay unions: their tags complete). */
export type Input<T> = T extends readonly (infer U)[] ? readonly Input<U>[]
  : T extends object ? { readonly [K in keyof T]?: Input<T[K]> }
  : T;

/**
 * Validates an experiment given as an object, exactly as a YAML file is
 * validated (one schema: the same defaults, names and checks across keys),
 * and returns the frozen configuration with its YAML and hash, ready for
 * `train` or `runExperiment`. Reads and writes nothing. A bad object throws a
 * `ConfigError` naming the key path and what would be valid
 * (`generator.layers[2].units: got number 0 (valid: integer >= 1)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError, defineExperiment } from "../../mod.ts";
 * const { config, hash } = defineExperiment({
 *   name: "ring8-small",
 *   data: { name: "ring8" },
 *   noise: { dim: 2 },
 *   generator: { layers: [{ type: "dense", units: 64 }, { type: "relu" }, { type: "dense", units: 2 }] },
 *   discriminator: { layers: [{ type: "dense", units: 64 }, { type: "relu" }, { type: "dense", units: 1 }] },
 *   train: { steps: 100 },
 * });
 * assert.equal(config.objective.name, "non_saturating"); // the schema's default
 * assert.match(hash, /^[0-9a-f]{64}$/);
 * assert.throws(
 *   () => defineExperiment({ ...config, generator: { layers: [{ type: "dense", units: 0 }] } }),
 *   (e) => e instanceof ConfigError && e.path === "generator.layers[0].units",
 * );
 * ```
 */
export function defineExperiment(input: ExperimentInput): LoadedExperiment {
  return resolveExperiment(structuredClone(input));
}
