/**
 * From experiment-file text (plus `--set` overrides) to a validated, frozen
 * {@link Experiment} and its hash, or one {@link ExperimentFileError} line:
 * `file:line:col: key.path: what is wrong (valid: ...)`.
 * @module
 */
import { createHash } from "node:crypto";
import { stringify } from "yaml";
import { dataSourceOf } from "../data/factory.ts";
import { ConfigError } from "../fields.ts";
import { checkMetrics, checkShapes } from "./checks.ts";
import { applyOverride, type Override, parseOverride } from "./overrides.ts";
import { EXPERIMENT, type Experiment } from "./schema.ts";
import {
  parseWithPositions,
  type Position,
  type SourceMap,
  YamlSyntaxError,
} from "./source_map.ts";

/** A bad experiment file or override, as one line; CLIs exit with code 2. */
export class ExperimentFileError extends Error {
  /** Exit code for command-line tools. */
  readonly exitCode = 2;
  /** Wraps a finished message. @param message the whole one-line message, position first */
  constructor(message: string) {
    super(message);
    this.name = "ExperimentFileError";
  }
}

/** A validated experiment with what identifies it. */
export interface LoadedExperiment {
  /** The validated, frozen configuration (defaults filled in). */
  readonly config: Experiment;
  /** The configuration as YAML, as written to `config.resolved.yaml`. */
  readonly resolvedYaml: string;
  /** SHA-256 of the resolved configuration (hex). */
  readonly hash: string;
}

/** Options for {@link parseExperiment}. */
export interface ParseOptions {
  /** File name used in error messages. */
  file?: string;
  /** `key.path=value` overrides, applied in order. */
  overrides?: readonly string[];
  /**
   * Where each override comes from, used in errors instead of `--set <override>`
   * (e.g. `sweep.yaml:12:7` for a sweep file's key).
   */
  overrideSources?: readonly string[];
  /**
   * Also read the data set's files (`mnist`, `images`: through the data
   * cache), so a missing folder or a bad image is an error here, pointing at
   * `data.path`, before anything is written. Off by default: then nothing is read.
   */
  loadData?: boolean;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** YAML text to data and positions; a syntax error is an {@link ExperimentFileError} line. */
export function parseYaml(text: string, file: string): { data: unknown; map: SourceMap } {
  try {
    return parseWithPositions(text);
  } catch (e) {
    if (!(e instanceof YamlSyntaxError)) throw e;
    throw new ExperimentFileError(`${file}:${e.position.line}:${e.position.col}: ${e.message}`);
  }
}

/** Where in the file `error` points: its key or value, else the nearest enclosing one. */
export function locate(map: SourceMap, error: ConfigError): Position {
  if (error.at === "key" && map.keys.has(error.path)) return map.keys.get(error.path)!;
  for (let path = error.path; path; path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, "")) {
    const at = map.values.get(path);
    if (at) return at;
    if (!/[.[]/.test(path)) break;
  }
  return map.values.get("") ?? { line: 1, col: 1 };
}

/**
 * Validates experiment-file text. Pure unless `options.loadData`: reads and writes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExperiment } from "./load.ts";
 * const text = `name: demo
 * data: { name: ring8 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * `;
 * const { config } = parseExperiment(text, { overrides: ["train.steps=10"] });
 * assert.ok(config.train.steps === 10 && config.seed === 0);
 * ```
 */
export function parseExperiment(text: string, options: ParseOptions = {}): LoadedExperiment {
  const file = options.file ?? "<experiment>";
  const parsed = parseYaml(text, file);
  return experimentFromData(parsed.data, parsed.map, options);
}

/**
 * The SHA-256 (hex) of a configuration object as JSON, key order as given:
 * what run folders, checkpoints and sweeps identify a resolved configuration by.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configHash } from "./load.ts";
 * assert.match(configHash({ seed: 0 }), /^[0-9a-f]{64}$/);
 * assert.notEqual(configHash({ seed: 0 }), configHash({ seed: 1 }));
 * ```
 */
export function configHash(config: unknown): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex");
}

/**
 * Validates already-parsed experiment data whose positions are in `map`
 * under `prefix` (e.g. an inline `base:` of a sweep file: prefix `base`).
 * Errors are {@link ExperimentFileError} lines pointing into `options.file`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { experimentFromData, parseYaml } from "./load.ts";
 * const { data, map } = parseYaml(`base:
 *   name: demo
 *   data: { name: ring8 }
 *   generator: { layers: [{ type: dense, units: 2 }] }
 *   discriminator: { layers: [{ type: dense, units: 0 }] }
 * `, "s.yaml");
 * const base = (data as { base: unknown }).base;
 * assert.throws(
 *   () => experimentFromData(base, map, { file: "s.yaml", prefix: "base" }),
 *   /s\.yaml:5:51: discriminator\.layers\[0\]\.units: got number 0/,
 * );
 * ```
 */
export function experimentFromData(
  raw: unknown,
  map: SourceMap,
  options: ParseOptions & { prefix?: string } = {},
): LoadedExperiment {
  const file = options.file ?? "<experiment>";
  const prefix = options.prefix ?? "";
  const where = (e: ConfigError) => {
    const shifted = new ConfigError(
      prefix ? (e.path ? `${prefix}.${e.path}` : prefix) : e.path,
      e.problem,
      e.valid,
      e.at,
    );
    const at = locate(map, shifted);
    return `${file}:${at.line}:${at.col}`;
  };
  let data = structuredClone(raw);
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    const what = data === null || data === undefined
      ? "the file is empty"
      : "the top level is not a mapping";
    throw new ExperimentFileError(
      `${
        where(new ConfigError("", ""))
      }: ${what} (valid: a mapping with keys name, data, generator, discriminator, ...)`,
    );
  }
  const sourceOf = (i: number) => options.overrideSources?.[i] ?? `--set ${options.overrides![i]}`;
  const overrides: { override: Override; source: string }[] = [];
  for (const [i, text] of (options.overrides ?? []).entries()) {
    try {
      const override = parseOverride(text);
      data = applyOverride(data, override);
      overrides.push({ override, source: sourceOf(i) });
    } catch (e) {
      if (e instanceof ConfigError) throw new ExperimentFileError(`${sourceOf(i)}: ${e.message}`);
      throw e;
    }
  }
  try {
    const config = EXPERIMENT.parse(data, "");
    if (options.loadData) dataSourceOf(config.data); // a missing folder before a layer mismatch
    checkShapes(config);
    checkMetrics(config);
    const resolvedYaml = stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
    const hash = configHash(config);
    return { config: deepFreeze(config), resolvedYaml, hash };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // Blame the last override on the error's path, above it (a bad value) or below it
    // (a cross-key check on the mapping that holds it); otherwise the file.
    const within = (inner: string, outer: string) =>
      inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
    const culprit = overrides.findLast(({ override: o }) =>
      within(e.path, o.path) || within(o.path, e.path)
    );
    throw new ExperimentFileError(`${culprit ? culprit.source : where(e)}: ${e.message}`);
  }
}

/**
 * Reads and validates an experiment file, and reads its data set's files
 * (`loadData`); a missing or unreadable file is an {@link ExperimentFileError} too.
 *
 * @example
 * ```ts ignore
 * import { loadExperiment } from "./load.ts";
 * const { config, hash } = await loadExperiment("experiments/ring8.yaml", ["seed=3"]);
 * ```
 */
export async function loadExperiment(
  file: string,
  overrides: readonly string[] = [],
): Promise<LoadedExperiment> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new ExperimentFileError(`${file}: cannot read the experiment file: ${why}`);
  }
  return parseExperiment(text, { file, overrides, loadData: true });
}
