/**
 * YAML text to plain data plus a map from key paths to positions, so that
 * validation errors can say `file:line:col`.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from "../deps/yaml.ts";

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

/** What one YAML document may cost: beyond these, parsing stops with one line. */
export const YAML_LIMITS = {
  /** Bytes of text (experiment files are a few KB). */
  bytes: 256 * 1024,
  /** Mapping keys and list items, all levels together. */
  entries: 10_000,
  /** Nesting of mappings and lists. */
  depth: 32,
} as const;

/**
 * The deepest nesting of flow collections (`[`, `{`) outside quotes and
 * comments: checked before the YAML parser sees the text, since it recurses.
 */
function flowDepth(text: string): { depth: number; at: number } {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(text[i - 1]))) {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else if (c === "[" || c === "{") {
      if (++depth > YAML_LIMITS.depth) return { depth, at: i };
    } else if (c === "]" || c === "}") depth = Math.max(0, depth - 1);
    else if (c === "\n") quote = "";
  }
  return { depth, at: -1 };
}

/** Extends a key path by a mapping key or a list index. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * Parses one YAML document; throws {@link YamlSyntaxError} on bad syntax,
 * duplicate keys, anchors/aliases, more than one document, or a document
 * beyond {@link YAML_LIMITS} (size, entries, nesting). Linear in the text's
 * length: duplicate keys are found with a set per mapping (the yaml package's
 * own `uniqueKeys` check compares every pair).
 */
export function parseWithPositions(text: string): { data: unknown; map: SourceMap } {
  const lines = new LineCounter();
  const start = { line: 1, col: 1 };
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > YAML_LIMITS.bytes) {
    throw new YamlSyntaxError(
      start,
      `the file has ${bytes} bytes (valid: at most ${YAML_LIMITS.bytes})`,
    );
  }
  const flow = flowDepth(text);
  if (flow.at >= 0) {
    const line = text.slice(0, flow.at).split("\n").length;
    const col = flow.at - text.lastIndexOf("\n", flow.at - 1);
    throw new YamlSyntaxError(
      { line, col },
      `nesting deeper than ${YAML_LIMITS.depth} levels (valid: at most ${YAML_LIMITS.depth})`,
    );
  }
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
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
  let entries = 0;
  const count = (at: Position | undefined, depth: number) => {
    if (++entries > YAML_LIMITS.entries) {
      throw new YamlSyntaxError(
        at ?? start,
        `more than ${YAML_LIMITS.entries} keys and list items (valid: at most ${YAML_LIMITS.entries})`,
      );
    }
    if (depth > YAML_LIMITS.depth) {
      throw new YamlSyntaxError(
        at ?? start,
        `nesting deeper than ${YAML_LIMITS.depth} levels (valid: at most ${YAML_LIMITS.depth})`,
      );
    }
  };
  const walk = (node: Node | null, path: string, depth: number): void => {
    const here = pos(node);
    if (here) map.values.set(path, here);
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const sub = childPath(path, key);
        const keyPos = pos(pair.key as Node);
        count(keyPos, depth + 1);
        if (seen.has(key)) {
          throw new YamlSyntaxError(
            keyPos ?? here ?? start,
            "YAML syntax: Map keys must be unique",
          );
        }
        seen.add(key);
        if (keyPos) map.keys.set(sub, keyPos);
        walk(pair.value as Node | null, sub, depth + 1);
        if (!map.values.has(sub) && keyPos) map.values.set(sub, keyPos);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        count(pos(item as Node) ?? here, depth + 1);
        walk(item as Node, childPath(path, i), depth + 1);
      });
    } else if (node && !isScalar(node)) {
      throw new YamlSyntaxError(
        here ?? { line: 1, col: 1 },
        "YAML syntax: aliases (*name) are not supported in experiment files",
      );
    }
  };
  walk(doc.contents as Node | null, "", 0);
  return { data: doc.toJS({ maxAliasCount: 0 }), map };
}
