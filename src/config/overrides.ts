/**
 * `--set key.path=value` overrides, applied to the parsed file before
 * validation so they are checked exactly like the file's own keys.
 * @module
 */
import { parse } from "../deps/yaml.ts";
import { ConfigError, isOwnKey } from "../fields.ts";

/** One parsed `--set` argument. */
export interface Override {
  /** The argument as given, e.g. `train.steps=100`. */
  readonly text: string;
  /** Canonical key path, e.g. `generator.layers[0].units`. */
  readonly path: string;
  /** Path segments: keys and list indices. */
  readonly segments: readonly (string | number)[];
  /** The value, read as a YAML scalar or flow collection. */
  readonly value: unknown;
}

const SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\])*)$/;

/**
 * Parses `key.path=value`; the value is read as YAML (`3` is a number,
 * `[0.5, 0.9]` a list, `adam` a string).
 */
export function parseOverride(text: string): Override {
  const eq = text.indexOf("=");
  const syntax = "key.path=value, e.g. train.steps=100 or generator.layers[0].units=64";
  if (eq <= 0) throw new ConfigError("", "not key=value", syntax);
  const path = text.slice(0, eq).trim();
  const segments: (string | number)[] = [];
  for (const part of path.split(".")) {
    const m = SEGMENT.exec(part);
    if (!m) throw new ConfigError("", `bad key path ${JSON.stringify(path)}`, syntax);
    segments.push(m[1], ...[...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1])));
  }
  let value: unknown;
  try {
    value = parse(text.slice(eq + 1));
  } catch {
    throw new ConfigError(
      path,
      `value ${JSON.stringify(text.slice(eq + 1))} is not valid YAML`,
      "a YAML scalar or flow list, e.g. 3, adam, [0.5, 0.9]",
    );
  }
  return { text, path, segments, value };
}

/**
 * Sets `node[key]` as an own data property: `__proto__`, `constructor` and
 * the like become ordinary keys (which validation then calls unknown), never
 * the prototype or an inherited member.
 */
function setOwn(node: Record<string | number, unknown>, key: string | number, value: unknown) {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Returns a copy of `data` with `override` applied, creating mappings on the
 * way. Only own keys are followed and set, so no path reaches a prototype.
 */
export function applyOverride(data: unknown, override: Override): unknown {
  const root = structuredClone(data ?? {}) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = root;
  override.segments.forEach((seg, i) => {
    const last = i === override.segments.length - 1;
    const where = override.segments.slice(0, i).join(".") || "the top level";
    if (typeof seg === "number") {
      if (!Array.isArray(node) || seg >= node.length) {
        const size = Array.isArray(node) ? node.length : 0;
        throw new ConfigError(
          override.path,
          `no list item [${seg}] in ${where}`,
          size ? `[0] to [${size - 1}]` : "an existing list item",
        );
      }
    } else if (node === null || typeof node !== "object" || Array.isArray(node)) {
      throw new ConfigError(
        override.path,
        `${where} is not a mapping`,
        "a key path through mappings",
      );
    }
    const own = typeof seg === "number" || isOwnKey(node, seg) ? node[seg] : undefined;
    if (last) setOwn(node, seg, override.value);
    else {
      if (own === undefined || own === null) setOwn(node, seg, {});
      node = node[seg] as Record<string | number, unknown>;
    }
  });
  return root;
}
