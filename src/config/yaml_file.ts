/**
 * YAML text to data with positions, and positions for validation errors:
 * how a {@link ConfigError} becomes `file:line:col`.
 * @module
 */
import type { ConfigError } from "../fields.ts";
import { ExperimentFileError } from "./errors.ts";
import {
  parseWithPositions,
  type Position,
  type SourceMap,
  YamlSyntaxError,
} from "./source_map.ts";

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
