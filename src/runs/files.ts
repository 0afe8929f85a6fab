/**
 * File helpers for run folders: the metrics log and sample files.
 * @module
 */

/**
 * Reads a JSONL metrics log, keeping complete lines with `step <= upTo`
 * (a run killed mid-write may leave a partial last line).
 */
export async function readMetrics(
  path: string,
  upTo = Infinity,
): Promise<Record<string, number>[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const rows: Record<string, number>[] = [];
  for (const line of text.split("\n")) {
    if (!line.endsWith("}")) continue;
    try {
      const row = JSON.parse(line);
      if (row.step <= upTo) rows.push(row);
    } catch { /* a torn line from a killed run */ }
  }
  return rows;
}

/**
 * The evaluation rows of a metrics log: each row that has `eval/` metrics,
 * with the step's own metrics (losses, critic scores) and without wall
 * time: the curves reports draw, so `--metric d/loss` works as `eval/hq` does.
 */
export function evaluationRows(
  rows: readonly Readonly<Record<string, number>>[],
): Record<string, number>[] {
  return rows.flatMap((row) => {
    if (!Object.keys(row).some((k) => k.startsWith("eval/"))) return [];
    const { elapsed: _wall, ...metrics } = row;
    return [metrics];
  });
}

/** Renders rows as JSONL text (one object per line, newline-terminated). */
export function toJsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r) + "\n").join("");
}

/**
 * Samples `[n, ...shape]` as CSV: a header `x0,x1,...` and one row per sample.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplesCsv } from "../../mod.ts";
 * assert.equal(samplesCsv(new Float32Array([1, 2, 3, 4]), [2]), "x0,x1\n1,2\n3,4\n");
 * ```
 */
export function samplesCsv(samples: Float32Array, shape: readonly number[]): string {
  const dim = shape.reduce((a, b) => a * b, 1);
  const header = Array.from({ length: dim }, (_, j) => `x${j}`).join(",");
  const rows = Array.from(
    { length: samples.length / dim },
    (_, i) => Array.from(samples.subarray(i * dim, (i + 1) * dim)).join(","),
  );
  return `${header}\n${rows.map((r) => `${r}\n`).join("")}`;
}
