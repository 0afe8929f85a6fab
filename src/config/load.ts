/**
 * From experiment-file text (plus `--set` overrides) to a validated, frozen
 * {@link Experiment} and its hash, or one {@link ExperimentFileError} line:
 * `file:line:col: key.path: what is wrong (valid: ...)`.
 * @module
 */
import { stringify } from "../deps/yaml.ts";
export { ExperimentFileError } from "./errors.ts";
export { configHash } from "./hash.ts";
export { locate, parseYaml } from "./yaml_file.ts";
import { dataSourceOf } from "../data/factory.ts";
import type { DataSource } from "../data/source.ts";
import { cacheDirFromEnv } from "../env.ts";
import { ConfigError } from "../fields.ts";
import { checkWritable, OUTSIDE_VALID, type WriteRule } from "../paths.ts";
import { checkMetrics, checkShapes } from "./checks.ts";
import { applyOverride, type Override, parseOverride } from "./overrides.ts";
import { EXPERIMENT, type Experiment } from "./schema.ts";
import type { SourceMap } from "./source_map.ts";
import { configHash } from "./hash.ts";
import { ExperimentFileError } from "./errors.ts";
import { locate, parseYaml } from "./yaml_file.ts";

/** A validated experiment with what identifies it. */
export interface LoadedExperiment {
  /** The validated, frozen configuration (defaults filled in). */
  readonly config: Experiment;
  /** The configuration as YAML, as written to `config.resolved.yaml`. */
  readonly resolvedYaml: string;
  /** SHA-256 of the resolved configuration (hex). */
  readonly hash: string;
  /** The data source, when it was read to validate (`loadData`); trainers take it from here. */
  readonly data?: DataSource;
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
  /** The data cache's folder when `loadData` (none: only this process's memory). */
  cacheDir?: string;
  /**
   * Check `output.root` against the working directory (see `checkWritable`):
   * `typed` is worked out here (an override of `output.root` was typed on the
   * command line). Off by default: library callers choose their folders.
   */
  writeRule?: Omit<WriteRule, "typed">;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates experiment-file text. Pure unless `options.loadData`: reads and writes nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExperiment } from "../../mod.ts";
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
 * Validates experiment data (already parsed, overrides applied) into a frozen
 * {@link LoadedExperiment}: the schema, the data (when `options.loadData`),
 * the checks across keys and, last, where it may write. Throws a
 * {@link ConfigError} naming the key path; the callers add positions.
 * `typedRoot`: `output.root` was typed on the command line (see `checkWritable`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveExperiment } from "../../mod.ts";
 * const { config } = resolveExperiment({
 *   name: "demo",
 *   data: { name: "ring8" },
 *   generator: { layers: [{ type: "dense", units: 2 }] },
 *   discriminator: { layers: [{ type: "dense", units: 1 }] },
 * });
 * assert.equal(config.train.batch_size, 256);
 * ```
 */
export function resolveExperiment(
  data: unknown,
  options: Pick<ParseOptions, "loadData" | "cacheDir" | "writeRule"> = {},
  typedRoot = false,
): LoadedExperiment {
  const config = EXPERIMENT.parse(data, "");
  // A missing folder before a layer mismatch.
  const source = options.loadData
    ? dataSourceOf(config.data, { dir: options.cacheDir ?? null })
    : undefined;
  checkShapes(config);
  checkMetrics(config);
  // Last: a file with other problems names those first.
  if (options.writeRule) {
    const why = checkWritable(config.output.root, { ...options.writeRule, typed: typedRoot });
    if (why) throw new ConfigError("output.root", why, OUTSIDE_VALID);
  }
  const resolvedYaml = stringify(config, { lineWidth: 0, aliasDuplicateObjects: false });
  const hash = configHash(config);
  return { config: deepFreeze(config), resolvedYaml, hash, ...(source ? { data: source } : {}) };
}

/**
 * Validates already-parsed experiment data whose positions are in `map`
 * under `prefix` (e.g. an inline `base:` of a sweep file: prefix `base`).
 * Errors are {@link ExperimentFileError} lines pointing into `options.file`.
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
    const typed = overrides.some(({ override: o }) => ["output", "output.root"].includes(o.path));
    return resolveExperiment(data, options, typed);
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
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadExperiment } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const { config, hash } = await loadExperiment(`${dir}/tiny.yaml`, ["seed=3"]);
 * assert.equal(config.seed, 3);
 * assert.match(hash, /^[0-9a-f]{64}$/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadExperiment(
  file: string,
  overrides: readonly string[] = [],
  writeRule?: ParseOptions["writeRule"],
): Promise<LoadedExperiment> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
    throw new ExperimentFileError(`${file}: cannot read the experiment file: ${why}`);
  }
  return parseExperiment(text, {
    file,
    overrides,
    loadData: true,
    cacheDir: cacheDirFromEnv(),
    ...(writeRule ? { writeRule } : {}),
  });
}
