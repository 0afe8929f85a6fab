/**
 * The Markdown the benchmark tables are printed as, written once: a table from
 * its header and rows, and a ratio cell "min–max (median)" over repeats.
 * @module
 */
import { median } from "./_stats.ts";

/**
 * A Markdown table: the header row, its `---` rule, then the rows (cells already text).
 *
 *     markdownTable(["a", "b"], [["1", "2"]]); // "| a | b |\n| --- | --- |\n| 1 | 2 |"
 */
export function markdownTable(
  head: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/**
 * Ratios measured once per repeat as "min–max (median)", two decimals; "–" for none.
 *
 *     spreadCell([1.2, 1.5, 1.3]); // "1.20–1.50 (1.30)"
 */
export function spreadCell(xs: readonly number[]): string {
  if (!xs.length) return "–";
  const f = (v: number) => v.toFixed(2);
  return `${f(Math.min(...xs))}–${f(Math.max(...xs))} (${f(median(xs))})`;
}
