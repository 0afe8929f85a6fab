/**
 * A small typed schema language: each field knows its documentation, its
 * type in words, its default, and how to turn untrusted data into a typed
 * value (or a {@link ConfigError} naming the key path and what is valid).
 * The experiment schema, the README reference and the types all come from it.
 * @module
 */
import { printable } from "./errors.ts";

/** A validation failure at one key path; the loader adds file:line:col. */
export class ConfigError extends Error {
  /**
   * Records where validation failed and why.
   * @param path dotted key path, e.g. `generator.layers[2].units`
   * @param problem what is wrong, in words
   * @param valid what would be valid, in words (optional)
   * @param at whether the key itself or its value is wrong (for positions)
   */
  constructor(
    readonly path: string,
    readonly problem: string,
    readonly valid?: string,
    readonly at: "key" | "value" = "value",
  ) {
    super(`${path ? `${path}: ` : ""}${problem}${valid ? ` (valid: ${valid})` : ""}`);
    this.name = "ConfigError";
  }
}

/** One node of a schema. `T` is the validated type. */
export interface Field<T> {
  /** What the key means, for the README reference. */
  readonly doc: string;
  /** Its type in words, e.g. `integer >= 1`. */
  readonly type: string;
  /** Present when the key may be omitted. */
  readonly fallback?: { readonly value: T };
  /** Sub-fields, for the reference (objects, lists, tagged unions). */
  readonly children?: Readonly<Record<string, Field<unknown>>>;
  /** Validates `raw` found at `path`; throws {@link ConfigError}. */
  parse(raw: unknown, path: string): T;
}

/** The validated type of a field. */
export type Infer<F> = F extends Field<infer T> ? T : never;

const SHOW_MAX = 80; // longest rendering of a value in an error line (then `...`)

/**
 * Renders a value the way a YAML author would type it, on one printable line:
 * control characters are escaped (JSON does that), as are the C1 controls and
 * Unicode line and paragraph separators, and long values are cut. Non-finite
 * numbers and integers beyond 2^53 are named as such.
 */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "infinity" : "-infinity";
    if (Math.abs(value) > Number.MAX_SAFE_INTEGER) {
      return `${value.toExponential()} (beyond 2^53, not exact)`;
    }
  }
  const text = printable(JSON.stringify(value) ?? String(value));
  return text.length > SHOW_MAX ? `${text.slice(0, SHOW_MAX)}...` : text;
}

/** `1 item`, `2 items`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function kindOf(raw: unknown): string {
  if (raw === null || raw === undefined) return "nothing";
  if (Array.isArray(raw)) return "a list";
  if (typeof raw === "object") return "a mapping";
  return `${typeof raw} ${show(raw)}`;
}

/**
 * Whether `key` is one of `table`'s own keys, never an inherited one (`constructor`, `__proto__`).
 */
export function isOwnKey(table: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(table, key);
}

function withDefault<T>(field: Field<T>, fallback: T | undefined): Field<T> {
  return fallback === undefined ? field : { ...field, fallback: { value: fallback } };
}

/** Numeric bounds for {@link num}; `gt` is an exclusive lower bound. */
export interface NumOptions {
  min?: number;
  max?: number;
  gt?: number;
  lt?: number;
  int?: boolean;
  default?: number;
}

/**
 * A finite number, optionally an integer within bounds.
 */
export function num(doc: string, o: NumOptions = {}): Field<number> {
  const bounds = [
    o.min !== undefined ? `>= ${o.min}` : o.gt !== undefined ? `> ${o.gt}` : "",
    o.max !== undefined ? `<= ${o.max}` : o.lt !== undefined ? `< ${o.lt}` : "",
  ].filter(Boolean).join(" and ");
  const type = o.min !== undefined && o.min === o.max
    ? `${o.min}`
    : `${o.int ? "integer" : "number"}${bounds ? ` ${bounds}` : ""}`;
  return withDefault({
    doc,
    type,
    parse(raw, path) {
      const ok = typeof raw === "number" && Number.isFinite(raw) &&
        (!o.int || Number.isSafeInteger(raw)) &&
        (o.min === undefined || raw >= o.min) && (o.max === undefined || raw <= o.max) &&
        (o.gt === undefined || raw > o.gt) && (o.lt === undefined || raw < o.lt);
      if (!ok) throw new ConfigError(path, `got ${kindOf(raw)}`, type);
      return raw as number;
    },
  }, o.default);
}

/** A boolean. */
export function bool(doc: string, fallback?: boolean): Field<boolean> {
  return withDefault({
    doc,
    type: "true or false",
    parse(raw, path) {
      if (typeof raw !== "boolean") {
        throw new ConfigError(path, `got ${kindOf(raw)}`, "true, false");
      }
      return raw;
    },
  }, fallback);
}

/** A free-form string matching `pattern` (described by `patternDoc`). */
export function str(
  doc: string,
  o: { default?: string; pattern?: RegExp; patternDoc?: string } = {},
): Field<string> {
  const type = o.patternDoc ?? "string";
  return withDefault({
    doc,
    type,
    parse(raw, path) {
      if (typeof raw !== "string" || (o.pattern && !o.pattern.test(raw))) {
        throw new ConfigError(path, `got ${kindOf(raw)}`, type);
      }
      return raw;
    },
  }, o.default);
}

/** One of a fixed set of names. */
export function oneOf<const V extends string>(
  doc: string,
  values: readonly V[],
  fallback?: V,
): Field<V> {
  return withDefault({
    doc,
    type: values.map((v) => `\`${v}\``).join(", "),
    parse(raw, path) {
      if (typeof raw !== "string" || !(values as readonly string[]).includes(raw)) {
        throw new ConfigError(path, `unknown value ${show(raw)}`, values.join(", "));
      }
      return raw as V;
    },
  }, fallback);
}

/** A field that may be absent (then absent from the parsed mapping too, and `undefined`). */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return { ...field, type: `${field.type} (optional)`, fallback: { value: undefined } };
}

/** A number or a list of numbers, read as a list (`vec("x", num(...))`). */
export function vec(doc: string, item: Field<number>, fallback?: number[]): Field<number[]> {
  return withDefault({
    doc,
    type: `${item.type}, or a list of them`,
    parse(raw, path) {
      if (!Array.isArray(raw)) return [item.parse(raw, path)];
      if (raw.length === 0) throw new ConfigError(path, "empty list", `a list of ${item.type}`);
      return raw.map((r, i) => item.parse(r, `${path}[${i}]`));
    },
  }, fallback);
}

/** A list of items, `minItems` to `maxItems` long. */
export function list<T>(
  doc: string,
  item: Field<T>,
  o: { minItems?: number; maxItems?: number; default?: T[] } = {},
): Field<T[]> {
  const min = o.minItems ?? 0;
  const max = o.maxItems ?? Infinity;
  const count = min === max ? `${min}` : max < Infinity ? `${min} to ${max}` : `at least ${min}`;
  return withDefault({
    doc,
    type: `list of ${count} (${item.type})`,
    children: { "[]": item as Field<unknown> },
    parse(raw, path) {
      if (!Array.isArray(raw)) throw new ConfigError(path, `got ${kindOf(raw)}`, "a list");
      if (raw.length < min || raw.length > max) {
        const valid = `${count} item${(max === Infinity ? min : max) === 1 ? "" : "s"}`;
        throw new ConfigError(path, `has ${plural(raw.length, "item")}`, valid);
      }
      return raw.map((r, i) => item.parse(r, `${path}[${i}]`));
    },
  }, o.default);
}

/** The keys of an object schema. */
export type Shape = Record<string, Field<unknown>>;
/**
 * The validated type of an object schema's fields; a field that may be
 * undefined (`optional(...)`) is an optional key, so code may leave it out.
 */
export type InferShape<S extends Shape> =
  & { [K in keyof S as undefined extends Infer<S[K]> ? never : K]: Infer<S[K]> }
  & { [K in keyof S as undefined extends Infer<S[K]> ? K : never]?: Infer<S[K]> };

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function parseShape<S extends Shape>(
  shape: S,
  raw: unknown,
  path: string,
  extraKeys: readonly string[] = [],
): InferShape<S> {
  const given = raw === null || raw === undefined ? {} : raw;
  if (typeof given !== "object" || Array.isArray(given)) {
    throw new ConfigError(path, `got ${kindOf(raw)}`, "a mapping");
  }
  const record = given as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!isOwnKey(shape, key)) {
      const valid = [...extraKeys, ...Object.keys(shape)].join(", ") || "no keys here";
      throw new ConfigError(join(path, key), "unknown key", valid, "key");
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(shape)) {
    const sub = join(path, key);
    const value = isOwnKey(record, key) ? record[key] : undefined;
    if (value === undefined) {
      if (!field.fallback) throw new ConfigError(sub, "missing required key", field.type);
      // An absent optional key stays absent: no `key: undefined` in the result, so a key added
      // to the schema as optional leaves older files' resolved configs (and hashes) as they were.
      if (field.fallback.value === undefined) continue;
      out[key] = field.fallback.value;
    } else {
      out[key] = field.parse(value, sub);
    }
  }
  return out as InferShape<S>;
}

function hasAllDefaults(shape: Shape): boolean {
  return Object.values(shape).every((f) => f.fallback !== undefined);
}

/**
 * A mapping with known keys; unknown keys are errors. It may be omitted
 * when every key has a default.
 */
export function obj<S extends Shape>(doc: string, shape: S): Field<InferShape<S>> {
  const field: Field<InferShape<S>> = {
    doc,
    type: "mapping",
    children: shape,
    parse: (raw, path) => parseShape(shape, raw, path),
  };
  return hasAllDefaults(shape)
    ? { ...field, fallback: { value: parseShape(shape, {}, "") } }
    : field;
}

/** The validated type of a tagged union: `{ [tag]: variant name } & that variant's keys`. */
export type TaggedOf<K extends string, V extends Record<string, Shape>> = {
  [N in keyof V & string]: { [P in K]: N } & InferShape<V[N]>;
}[keyof V & string];

/**
 * A mapping whose `tag` key names a variant; each variant has its own keys.
 * Used for layers, data sets, objectives and optimisers.
 */
export function tagged<const K extends string, V extends Record<string, Shape>>(
  doc: string,
  tag: K,
  variants: V,
  fallback?: TaggedOf<K, V>,
): Field<TaggedOf<K, V>> {
  const names = Object.keys(variants);
  const children: Record<string, Field<unknown>> = {};
  for (const [name, shape] of Object.entries(variants)) {
    children[`${tag}: ${name}`] = obj("", shape) as Field<unknown>;
  }
  return withDefault({
    doc,
    type: `mapping with \`${tag}\`: ${names.join(", ")}`,
    children,
    parse(raw, path) {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new ConfigError(
          path,
          `got ${kindOf(raw)}`,
          `a mapping with ${tag}: ${names.join(", ")}`,
        );
      }
      const { [tag]: given, ...rest } = raw as Record<string, unknown>;
      // A variant with a default may leave out its tag: `{ lr: 1e-3 }` is the default optimiser.
      const name = given ?? (fallback as Record<string, unknown> | undefined)?.[tag];
      const sub = join(path, tag);
      if (name === undefined) throw new ConfigError(sub, "missing required key", names.join(", "));
      if (typeof name !== "string" || !Object.hasOwn(variants, name)) {
        throw new ConfigError(sub, `unknown ${tag} ${show(name)}`, names.join(", "));
      }
      return { [tag]: name, ...parseShape(variants[name], rest, path, [tag]) } as TaggedOf<K, V>;
    },
  }, fallback);
}

/**
 * A mapping from free-form keys (e.g. dotted key paths) to values of one
 * field, with at least `minKeys` keys.
 */
export function record<T>(
  doc: string,
  value: Field<T>,
  o: { minKeys?: number; default?: Record<string, T> } = {},
): Field<Record<string, T>> {
  const min = o.minKeys ?? 0;
  return withDefault({
    doc,
    type: `mapping of key paths to ${value.type}`,
    children: { "[]": value as Field<unknown> },
    parse(raw, path) {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
        throw new ConfigError(path, `got ${kindOf(raw)}`, "a mapping");
      }
      const entries = Object.entries(raw as Record<string, unknown>);
      if (entries.length < min) {
        throw new ConfigError(path, `has ${plural(entries.length, "key")}`, `at least ${min}`);
      }
      return Object.fromEntries(entries.map(([k, v]) => [k, value.parse(v, join(path, k))]));
    },
  }, o.default);
}
