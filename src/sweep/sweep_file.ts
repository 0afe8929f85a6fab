/**
 * Sweep files: a base experiment plus what varies (`points`, `grid`,
 * `random`, `seeds`), expanded deterministically into trials, each validated
 * like an experiment before anything runs. Errors point into the sweep file.
 * @module
 */
import { dirname, resolve } from "node:path";
import { ConfigError, type Field, list, num, obj, optional, record, str } from "../fields.ts";
import {
  ExperimentFileError,
  experimentFromData,
  type LoadedExperiment,
  locate,
  parseYaml,
} from "../config/load.ts";
import type { SourceMap } from "../config/source_map.ts";
import { Rng } from "../rng.ts";
import { DISTRIBUTION, type Distribution, sample } from "./distributions.ts";
import { countTrials, MAX_TRIALS } from "./count.ts";

/** Any YAML value (a setting to apply to the base experiment). */
const ANYTHING: Field<unknown> = {
  doc: "a value",
  type: "any YAML value",
  parse(raw, path) {
    if (raw === undefined) throw new ConfigError(path, "missing value");
    return raw;
  },
};

/** Seeds: a count n (seeds 0..n-1) or an explicit list. */
const SEEDS: Field<number[]> = {
  doc: "seeds run for every configuration: a count n (seeds 0 .. n-1) or a list",
  type: "integer >= 1, or a non-empty list of distinct integers >= 0",
  fallback: { value: [0] },
  parse(raw, path) {
    if (typeof raw === "number" && Number.isInteger(raw) && raw >= 1) return [...Array(raw).keys()];
    const ok = Array.isArray(raw) && raw.length > 0 && new Set(raw).size === raw.length &&
      raw.every((s) => Number.isInteger(s) && s >= 0 && s < 2 ** 32);
    if (!ok) throw new ConfigError(path, `got ${JSON.stringify(raw)}`, SEEDS.type);
    return raw as number[];
  },
};

/** The base experiment: a path relative to the sweep file, or the experiment inline. */
const BASE: Field<string | Readonly<Record<string, unknown>>> = {
  doc: "the experiment every trial starts from: a path relative to the sweep file, or the " +
    "experiment itself as a mapping",
  type: "a file path or an experiment mapping",
  parse(raw, path) {
    const inline = raw !== null && typeof raw === "object" && !Array.isArray(raw);
    if ((typeof raw === "string" && raw.length > 0) || inline) {
      return raw as string | Record<string, unknown>;
    }
    throw new ConfigError(
      path,
      raw === undefined ? "missing" : `got ${JSON.stringify(raw)}`,
      BASE.type,
    );
  },
};

/** A validated sweep file. */
export interface SweepSpec {
  /** Sweep name. */
  readonly name: string;
  /** Where the trials are stored (a PostgreSQL URL or a SQLite file), if the file says. */
  readonly store?: string;
  /** The base experiment: a file relative to the sweep file, or inline. */
  readonly base: string | Readonly<Record<string, unknown>>;
  /** Key path -> value applied to every trial before what varies. */
  readonly set: Readonly<Record<string, unknown>>;
  /** What varies. */
  readonly sweep: {
    /** Configuration variants (key path -> value each). */
    readonly points: readonly Readonly<Record<string, unknown>>[];
    /** Key path -> values; every combination runs. */
    readonly grid: Readonly<Record<string, readonly unknown[]>>;
    /** Random search, if any. */
    readonly random?: {
      readonly trials: number;
      readonly seed: number;
      readonly space: Readonly<Record<string, Distribution>>;
    };
    /** Seeds run for every configuration. */
    readonly seeds: readonly number[];
  };
}

const sweepSchema = obj("a sweep", {
  name: str("sweep name", {
    pattern: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
    patternDoc: "1-64 letters, digits, `.`, `_`, `-`, starting with a letter or digit",
  }),
  base: BASE,
  store: optional(str(
    "where the trials are stored: a PostgreSQL URL (`postgres://...`) or a SQLite file; " +
      "`--store` and `DUEL_STORE` take precedence (default `<root>/sweeps/<name>/sweep.db`)",
  )),
  set: record(
    "key path -> value, applied to every trial (e.g. a shorter `train.steps`)",
    ANYTHING,
    {
      default: {},
    },
  ),
  sweep: obj("what varies", {
    points: list(
      "configuration variants, each a mapping of key paths to values (e.g. an objective with its regularisers)",
      record("a variant", ANYTHING, { minKeys: 1 }),
      { default: [] },
    ),
    grid: record(
      "key path -> list of values; every combination is run",
      list("values", ANYTHING, { minItems: 1 }),
      {
        default: {},
      },
    ),
    random: optional(obj("random search", {
      trials: num("configurations drawn", { int: true, min: 1 }),
      seed: num("seed of the sampler (not of the trials)", { int: true, min: 0, default: 0 }),
      space: record("key path -> distribution", DISTRIBUTION, { minKeys: 1 }),
    })),
    seeds: SEEDS,
  }),
});

/**
 * The schema of a sweep file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SWEEP } from "../../mod.ts";
 * const spec = SWEEP.parse({ name: "s", base: "b.yaml", sweep: { seeds: 2 } }, "");
 * assert.deepEqual(spec.sweep.seeds, [0, 1]);
 * ```
 */
export const SWEEP: Field<SweepSpec> = sweepSchema;

/** One setting of a trial: a key path, its value, and where the sweep file says it. */
export interface Setting {
  /** Key path into the experiment, e.g. `optimizer.generator.lr`. */
  readonly key: string;
  /** The value. */
  readonly value: unknown;
  /** Key path of its source in the sweep file, e.g. `sweep.grid.optimizer.generator.lr`. */
  readonly source: string;
}

/** One trial: a configuration (settings) and a seed. */
export interface Trial {
  /** Position in the expansion, from 0. */
  readonly index: number;
  /** Which configuration (trials of one configuration differ only by seed). */
  readonly configuration: number;
  /** The experiment seed. */
  readonly seed: number;
  /** Settings applied to the base experiment, in order (the seed last). */
  readonly settings: readonly Setting[];
}

function product(grid: Readonly<Record<string, readonly unknown[]>>): Setting[][] {
  return Object.entries(grid).reduce<Setting[][]>(
    (acc, [key, values]) =>
      acc.flatMap((prefix) =>
        values.map((value) => [...prefix, { key, value, source: `sweep.grid.${key}` }])
      ),
    [[]],
  );
}

/**
 * All trials of a sweep, in a fixed order: points x grid x random draws,
 * each repeated for every seed. Pure: the same spec gives the same trials.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandSweep, SWEEP } from "../../mod.ts";
 * const spec = SWEEP.parse({
 *   name: "s", base: "b.yaml",
 *   sweep: { grid: { "objective.name": ["minimax", "hinge"] }, seeds: 3 },
 * }, "");
 * assert.equal(expandSweep(spec).length, 6);
 * ```
 */
export function expandSweep(spec: SweepSpec): Trial[] {
  const points: Setting[][] = spec.sweep.points.length
    ? spec.sweep.points.map((p, i) =>
      Object.entries(p).map(([key, value]) => ({ key, value, source: `sweep.points[${i}].${key}` }))
    )
    : [[]];
  const random = spec.sweep.random;
  const rng = Rng.derive(random?.seed ?? 0, "sweep/random");
  const draws: Setting[][] = random
    ? Array.from({ length: random.trials }, () =>
      Object.entries(random.space).map(([key, d]) => ({
        key,
        value: sample(d, rng),
        source: `sweep.random.space.${key}`,
      })))
    : [[]];
  const configurations = points.flatMap((p) =>
    product(spec.sweep.grid).flatMap((g) => draws.map((r) => [...p, ...g, ...r]))
  );
  const fixed = Object.entries(spec.set).map(([key, value]) => ({
    key,
    value,
    source: `set.${key}`,
  }));
  return configurations.flatMap((settings, configuration) =>
    spec.sweep.seeds.map((seed) => ({
      configuration,
      seed,
      settings: [...fixed, ...settings, { key: "seed", value: seed, source: "sweep.seeds" }],
    }))
  ).map((t, index) => ({ index, ...t }));
}

/** A loaded sweep: its spec, base file and every trial validated. */
export interface LoadedSweep {
  /** The sweep file's path. */
  readonly file: string;
  /** The validated sweep. */
  readonly spec: SweepSpec;
  /** Every trial with its validated experiment. */
  readonly trials: readonly (Trial & { readonly experiment: LoadedExperiment })[];
}

const at = (file: string, map: SourceMap, path: string) => {
  const p = locate(map, new ConfigError(path, "", undefined, "key")); // the setting's key
  return `${file}:${p.line}:${p.col}`;
};

/** The base experiment's data with where its positions are: its own file, or inline. */
async function readBase(
  file: string,
  map: SourceMap,
  base: SweepSpec["base"],
): Promise<{ data: unknown; map: SourceMap; file: string; prefix: string }> {
  if (typeof base !== "string") return { data: base, map, file, prefix: "base" };
  const path = resolve(dirname(file), base);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new ExperimentFileError(
      `${
        at(file, map, "base")
      }: base: cannot read ${path} (valid: a path relative to the sweep file)`,
    );
  }
  return { ...parseYaml(text, path), file: path, prefix: "" };
}

/**
 * Reads a sweep file, its base experiment, expands the trials and validates
 * each like an experiment; any problem is one {@link ExperimentFileError}
 * line pointing into the sweep file. Writes nothing. The trials are counted
 * before they are built: more than `maxTrials` (default {@link MAX_TRIALS})
 * stops at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadSweep } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * await Deno.writeTextFile(`${dir}/s.yaml`, `name: s
 * base: tiny.yaml
 * sweep:
 *   grid:
 *     optimizer.generator.lr: [3.0e-4, 1.0e-3]
 *   seeds: 2
 * `);
 * const { trials } = await loadSweep(`${dir}/s.yaml`);
 * assert.equal(trials.length, 4);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadSweep(
  file: string,
  options: { readonly maxTrials?: number } = {},
): Promise<LoadedSweep> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    throw new ExperimentFileError(`${file}: cannot read the sweep file: ${(e as Error).message}`);
  }
  const parsed = parseYaml(text, file);
  const count = countTrials(parsed.data);
  const max = options.maxTrials ?? MAX_TRIALS;
  if (count.total > max) {
    throw new ExperimentFileError(
      `${at(file, parsed.map, "sweep")}: sweep: ${count.total} trials (points ${count.points} x ` +
        `grid ${count.grid} x random ${count.random} x seeds ${count.seeds}) (valid: at most ` +
        `${max} trials; --max-trials N allows more)`,
    );
  }
  let spec: SweepSpec;
  try {
    spec = SWEEP.parse(parsed.data, "");
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const p = locate(parsed.map, e);
    throw new ExperimentFileError(`${file}:${p.line}:${p.col}: ${e.message}`);
  }
  const base = await readBase(file, parsed.map, spec.base);
  // Data files are read (and checked) once per distinct `data:` block, before anything runs.
  const dataChecked = new Set<string>();
  const trials = expandSweep(spec).map((trial) => {
    const options = {
      file: base.file,
      prefix: base.prefix,
      overrides: trial.settings.map((s) => `${s.key}=${JSON.stringify(s.value)}`),
      overrideSources: trial.settings.map((s) => at(file, parsed.map, s.source)),
    };
    let experiment = experimentFromData(base.data, base.map, options);
    const data = JSON.stringify(experiment.config.data);
    if (!dataChecked.has(data)) {
      experiment = experimentFromData(base.data, base.map, { ...options, loadData: true });
      dataChecked.add(data);
    }
    return { ...trial, experiment };
  });
  return { file, spec, trials };
}
