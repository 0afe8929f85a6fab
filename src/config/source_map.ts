/**
 * YAML text to plain data plus a map from key paths to positions, so that
 * validation errors can say `file:line:col`.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

/** Where a key or a value stands in a file (1-based). */
export interface Position {
  /** Line, from 1. */
  readonly line: number;
  /** Column, from 1. */
  readonly col: number;
}

/** Positions of each key path's key and value. */
export interface SourceMap {
  /** Where each key path's key stands. */
  readonly keys: Map<string, Position>;
  /** Where each key path's value starts. */
  readonly values: Map<string, Position>;
}

/** A YAML syntax error with its position. */
export class YamlSyntaxError extends Error {
  constructor(readonly position: Position, message: string) {
    super(message);
    this.name = "YamlSyntaxError";
  }
}

/** Extends a key path by a mapping key or a list index. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Parses one YAML document; throws {@link YamlSyntaxError} on bad syntax,
 * duplicate keys, anchors/aliases or more than one document.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseWithPositions } from "./source_map.ts";
 * const { data, map } = parseWithPositions("train:\n  steps: 5\n");
 * assert.ok((data as { train: { steps: number } }).train.steps === 5);
 * assert.ok(map.values.get("train.steps")?.line === 2);
 * ```
 */
export function parseWithPositions(text: string): { data: unknown; map: SourceMap } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem) {
    const at = lines.linePos(problem.pos[0]);
    const what = problem.code === "MULTIPLE_DOCS"
      ? "more than one document (valid: one YAML document per experiment file)"
      : problem.message.split("\n")[0].replace(/ at line \d+, column \d+:?.*$/, "");
    throw new YamlSyntaxError(at, `YAML syntax: ${what}`);
  }
  const map: SourceMap = { keys: new Map(), values: new Map() };
  const pos = (node: Node | null | undefined): Position | undefined =>
    node?.range ? lines.linePos(node.range[0]) : undefined;
  const walk = (node: Node | null, path: string): void => {
    const here = pos(node);
    if (here) map.values.set(path, here);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const sub = childPath(path, key);
        const keyPos = pos(pair.key as Node);
        if (keyPos) map.keys.set(sub, keyPos);
        walk(pair.value as Node | null, sub);
        if (!map.values.has(sub) && keyPos) map.values.set(sub, keyPos);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item as Node, childPath(path, i)));
    } else if (node && !isScalar(node)) {
      throw new YamlSyntaxError(
        here ?? { line: 1, col: 1 },
        "YAML syntax: aliases (*name) are not supported in experiment files",
      );
    }
  };
  walk(doc.contents as Node | null, "");
  return { data: doc.toJS({ maxAliasCount: 0 }), map };
}
