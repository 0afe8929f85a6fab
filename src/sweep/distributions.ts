/**
 * The random-search distributions of a sweep's `random.space`, each a
 * one-key mapping: `{ uniform: [lo, hi] }`, `{ log_uniform: [lo, hi] }`,
 * `{ int: [lo, hi] }` (inclusive) or `{ choice: [a, b, ...] }`.
 * @module
 */
import { ConfigError, type Field } from "../fields.ts";
import type { Rng } from "../rng.ts";

/** One distribution, validated. */
export type Distribution =
  | { readonly uniform: readonly [number, number] }
  | { readonly log_uniform: readonly [number, number] }
  | { readonly int: readonly [number, number] }
  | { readonly choice: readonly unknown[] };

const KINDS = ["uniform", "log_uniform", "int", "choice"] as const;

function bounds(path: string, raw: unknown, check: (lo: number, hi: number) => string | undefined) {
  const ok = Array.isArray(raw) && raw.length === 2 &&
    raw.every((v) => typeof v === "number" && Number.isFinite(v));
  if (!ok) throw new ConfigError(path, `got ${JSON.stringify(raw)}`, "[lo, hi], two numbers");
  const problem = check(raw[0], raw[1]);
  if (problem) throw new ConfigError(path, `bad bounds ${JSON.stringify(raw)}`, problem);
  return [raw[0], raw[1]] as [number, number];
}

/** The field that validates one distribution. */
export const DISTRIBUTION: Field<Distribution> = {
  doc: "a distribution to sample a key from",
  type:
    "`{ uniform: [lo, hi] }`, `{ log_uniform: [lo, hi] }`, `{ int: [lo, hi] }` or `{ choice: [...] }`",
  parse(raw, path) {
    const keys = raw && typeof raw === "object" && !Array.isArray(raw) ? Object.keys(raw) : [];
    if (keys.length !== 1 || !(KINDS as readonly string[]).includes(keys[0])) {
      throw new ConfigError(
        path,
        `got ${JSON.stringify(raw)}`,
        `one of ${KINDS.join(", ")} with its arguments`,
      );
    }
    const kind = keys[0] as (typeof KINDS)[number];
    const arg = (raw as Record<string, unknown>)[kind];
    const at = `${path}.${kind}`;
    switch (kind) {
      case "uniform":
        return { uniform: bounds(at, arg, (lo, hi) => (lo < hi ? undefined : "lo < hi")) };
      case "log_uniform":
        return {
          log_uniform: bounds(at, arg, (lo, hi) => (0 < lo && lo < hi ? undefined : "0 < lo < hi")),
        };
      case "int":
        return {
          int: bounds(
            at,
            arg,
            (lo, hi) =>
              Number.isInteger(lo) && Number.isInteger(hi) && lo <= hi
                ? undefined
                : "integers lo <= hi",
          ),
        };
      case "choice":
        if (!Array.isArray(arg) || arg.length === 0) {
          throw new ConfigError(at, `got ${JSON.stringify(arg)}`, "a non-empty list of values");
        }
        return { choice: arg };
    }
  },
};

/**
 * One draw from `d`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng, sample } from "../../mod.ts";
 * const lr = sample({ log_uniform: [1e-5, 1e-2] }, Rng.derive(0, "sweep")) as number;
 * assert.ok(lr >= 1e-5 && lr < 1e-2);
 * ```
 */
export function sample(d: Distribution, rng: Rng): unknown {
  if ("uniform" in d) return d.uniform[0] + (d.uniform[1] - d.uniform[0]) * rng.uniform();
  if ("log_uniform" in d) {
    const [lo, hi] = d.log_uniform.map(Math.log);
    return Math.exp(lo + (hi - lo) * rng.uniform());
  }
  if ("int" in d) return d.int[0] + rng.int(d.int[1] - d.int[0] + 1);
  return d.choice[rng.int(d.choice.length)];
}
