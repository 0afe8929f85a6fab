/**
 * How many trials a sweep file asks for, counted from the parsed YAML before
 * anything is validated or built: a sweep of a million seeds or a grid of
 * 10^10 combinations stops at once with one line instead of hanging.
 * @module
 */

/** Trials a sweep may expand to unless the user allows more (`--max-trials`). */
export const MAX_TRIALS = 100_000;

/** Each factor of a sweep's size, and their product. */
export interface TrialCount {
  /** `sweep.points`: variants (1 when none). */
  readonly points: number;
  /** `sweep.grid`: combinations (1 when none). */
  readonly grid: number;
  /** `sweep.random.trials` (1 when no random search). */
  readonly random: number;
  /** `sweep.seeds`: how many (1 by default). */
  readonly seeds: number;
  /** The product: trials in all. */
  readonly total: number;
}

const own = (o: unknown, key: string): unknown =>
  o !== null && typeof o === "object" && Object.prototype.hasOwnProperty.call(o, key)
    ? (o as Record<string, unknown>)[key]
    : undefined;

/** A count from a value that may be malformed (validation reports that later): at least 1. */
const sizeOf = (raw: unknown): number =>
  Array.isArray(raw)
    ? Math.max(1, raw.length)
    : typeof raw === "number" && raw >= 1 && Number.isFinite(raw)
    ? Math.floor(raw)
    : 1;

/**
 * Counts the trials of a parsed sweep file (`points x grid x random x seeds`)
 * without expanding it. Malformed parts count as 1: validation names them.
 */
export function countTrials(raw: unknown): TrialCount {
  const sweep = own(raw, "sweep");
  const points = sizeOf(own(sweep, "points"));
  const gridRaw = own(sweep, "grid");
  const grid = gridRaw !== null && typeof gridRaw === "object" && !Array.isArray(gridRaw)
    ? Object.values(gridRaw).reduce((n: number, v) => n * sizeOf(v), 1)
    : 1;
  const random = sizeOf(own(own(sweep, "random"), "trials"));
  const seeds = sizeOf(own(sweep, "seeds"));
  return { points, grid, random, seeds, total: points * grid * random * seeds };
}
