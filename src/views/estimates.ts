/**
 * A run's estimates with their standard errors, read from one metrics row
 * (`eval/<name>` beside `eval/<name>_se`), and the check of an estimate
 * against the exact value it bounds: the critic's divergence estimate is a
 * lower bound on the exact divergence (`eval/true_divergence`), so one above
 * it is either within noise (at most 2 standard errors above) or flagged.
 * @module
 */

/** One estimate: its value and, where measured, its standard error. */
export interface Estimate {
  /** The value. */
  readonly value: number;
  /** Its standard error (absent when the row has none). */
  readonly se?: number;
}

/**
 * The `eval/` keys of `row` that have a standard error, with it: `{ "eval/modes": { value, se } }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { estimatesOf } from "../../mod.ts";
 * const row = { step: 10, "eval/modes": 8, "eval/modes_se": 0.4, "eval/mu": 0.1 };
 * assert.deepEqual(estimatesOf(row), { "eval/modes": { value: 8, se: 0.4 } });
 * ```
 */
export function estimatesOf(row: Readonly<Record<string, number>>): Record<string, Estimate> {
  const out: Record<string, Estimate> = {};
  for (const [key, value] of Object.entries(row)) {
    const se = row[`${key}_se`];
    if (key.startsWith("eval/") && typeof se === "number") out[key] = { value, se };
  }
  return out;
}

/** An estimate and the exact value that bounds it from above. */
const BOUNDS: readonly { readonly estimate: string; readonly exact: string }[] = [
  { estimate: "eval/divergence", exact: "eval/true_divergence" },
];

/** How an estimate stands against the exact value it bounds. */
export interface BoundCheck {
  /** The estimate's key. */
  readonly estimate: string;
  /** The bound's key. */
  readonly exact: string;
  /** `below` the bound, `within noise` (above it by at most 2 s.e.), or `above` (flagged). */
  readonly verdict: "below" | "within noise" | "above";
  /** One line for a report. */
  readonly line: string;
}

/**
 * The bound checks that apply to `row` (both keys present and finite).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boundChecks } from "../../mod.ts";
 * const row = { "eval/divergence": 0.52, "eval/divergence_se": 0.02, "eval/true_divergence": 0.5 };
 * assert.equal(boundChecks(row)[0].verdict, "within noise");
 * assert.equal(boundChecks({ ...row, "eval/divergence_se": 0.005 })[0].verdict, "above");
 * ```
 */
export function boundChecks(row: Readonly<Record<string, number>>): BoundCheck[] {
  return BOUNDS.flatMap(({ estimate, exact }): BoundCheck[] => {
    const [value, bound, se] = [row[estimate], row[exact], row[`${estimate}_se`]];
    if (!Number.isFinite(value) || !Number.isFinite(bound)) return [];
    const fmt = (x: number) => x.toPrecision(4);
    const seText = Number.isFinite(se) ? ` ± ${fmt(se)} (s.e.)` : " (no s.e.)";
    const head = `${estimate} = ${fmt(value)}${seText}, a lower bound on ${exact} = ${fmt(bound)}`;
    if (value <= bound) return [{ estimate, exact, verdict: "below", line: `${head}: below it` }];
    const excess = value - bound;
    if (Number.isFinite(se) && excess <= 2 * se) {
      const line = `${head}: above it by ${fmt(excess)}, within noise (at most 2 s.e.)`;
      return [{ estimate, exact, verdict: "within noise", line }];
    }
    const by = Number.isFinite(se) && se > 0 ? `${(excess / se).toFixed(1)} s.e.` : fmt(excess);
    const line = `${head}: ABOVE the value it bounds by ${by}; more than sampling noise`;
    return [{ estimate, exact, verdict: "above", line }];
  });
}
