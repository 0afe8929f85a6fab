/**
 * Renders a schema and the name tables (metrics included) as the Markdown
 * reference in the README, so the documentation cannot drift from what the
 * validator accepts and the evaluator measures.
 * @module
 */
import type { Field } from "../fields.ts";
import { METRIC_NEEDS } from "../metrics/metric_needs.ts";
import { type MetricKind, METRICS } from "../metrics/metric_table.ts";

function defaultOf(field: Field<unknown>): string {
  if (!field.fallback) return "required";
  const v = field.fallback.value;
  if (v === undefined) return "none";
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const record = v as Record<string, unknown>;
    const tag = ["name", "type"].find((k) => typeof record[k] === "string");
    return tag ? `\`${tag}: ${record[tag]}\`` : "see keys";
  }
  return `\`${JSON.stringify(v)}\``;
}

const cell = (text: string) => text.replaceAll("|", "\\|");

function rows(field: Field<unknown>, path: string, out: string[]): void {
  const children = Object.entries(field.children ?? {});
  if (path && !(field.type === "mapping" && children.length)) {
    out.push(
      `| \`${path}\` | ${cell(field.type)} | ${cell(defaultOf(field))} | ${cell(field.doc)} |`,
    );
  }
  for (const [key, child] of children) {
    if (key === "[]") {
      if (child.children) rows(child, `${path}[]`, out);
    } else if (key.includes(": ")) {
      // A tagged-union variant: its keys are listed under `path (tag: name)`.
      const variantKeys = Object.entries(child.children ?? {});
      if (!variantKeys.length) continue;
      for (const [k, f] of variantKeys) rows(f, `${path} (${key}).${k}`, out);
    } else rows(child, path ? `${path}.${key}` : key, out);
  }
}

/**
 * The reference table of `field`: one row per key path with its type,
 * default and meaning; tagged-union variants list their own keys.
 */
export function referenceTable(field: Field<unknown>): string {
  const out = ["| key | type / allowed values | default | meaning |", "|---|---|---|---|"];
  rows(field, "", out);
  return out.join("\n");
}

/**
 * A name table (layers, data sets, objectives, optimisers) as Markdown:
 * each name with its one-line description and formula where it has one.
 */
export function namesTable(table: Record<string, { doc: string; formula?: string }>): string {
  const withFormula = Object.values(table).some((r) => r.formula);
  const head = withFormula
    ? "| name | what it is | losses (minimised) |\n|---|---|---|"
    : "| name | what it is |\n|---|---|";
  const body = Object.entries(table).map(([name, r]) =>
    `| \`${name}\` | ${cell(r.doc)} |${withFormula ? ` ${cell(r.formula ?? "")} |` : ""}`
  );
  return [head, ...body].join("\n");
}

/**
 * The metric table as Markdown: each metric's `metrics.jsonl` key, label,
 * which way is better, when it is measured (its needs; opt-in metrics only
 * when listed in `eval.metrics`, unless measured anyway: `optIn.auto`) and what it measures.
 */
export function metricsTable(): string {
  const body = (Object.entries(METRICS) as [string, MetricKind][]).map(([name, m]) => {
    const needs = m.needs.map((n) => METRIC_NEEDS[n].doc).join(", with ");
    const when = m.optIn?.auto
      ? `always, for ${needs}, with eval.samples >= ${m.optIn.minSamples} (may be listed)`
      : m.optIn
      ? `listed in \`eval.metrics\`; ${needs}`
      : `always, for ${needs}`;
    return `| \`eval/${name}\` | ${cell(m.label)} | ${m.better ?? "-"} | ${cell(when)} | ${
      cell(m.doc)
    } |`;
  });
  return ["| key | label | better | measured | what it is |", "|---|---|---|---|---|", ...body]
    .join("\n");
}
