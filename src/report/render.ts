/**
 * Renders {@link ReportData} as Markdown (with SVG files beside it) and as a
 * self-contained HTML page (charts inline, no scripts, no network). Both are
 * made from the same tables and charts, so they always agree.
 * @module
 */
import { esc } from "../views/color.ts";
import { protocolSection } from "../views/run_page.ts";
import { METRIC_INFO, metricLabel } from "./metric_info.ts";
import type { Difference } from "./stats.ts";
import type { ConfigurationSummary, MetricStats, Ranked, ReportData } from "./summarize.ts";
import { lineChart, PALETTE, pointChart } from "./svg.ts";

/** A table: a caption, a header row and body rows of text cells. */
export interface Table {
  /** Heading above the table. */
  readonly caption: string;
  /** One line under the heading. */
  readonly note: string;
  /** Column titles. */
  readonly head: readonly string[];
  /** Body rows. */
  readonly rows: readonly (readonly string[])[];
}

/** A chart: a file-safe name, a title and its SVG. */
export interface Chart {
  /** File-safe name, e.g. `curve-eval-modes`. */
  readonly name: string;
  /** Caption. */
  readonly title: string;
  /** The SVG document. */
  readonly svg: string;
}

const num = (v: number) => Number.isFinite(v) ? String(+v.toPrecision(3)) : "–";
const meanStd = (s: MetricStats | undefined) =>
  (s?.n ? `${num(s.mean)} ± ${num(s.std)}` : "–") +
  (s?.evalSe !== undefined ? ` (s.e. ${num(s.evalSe)})` : "") +
  (s?.missing ? ` (${s.missing} of ${s.n + s.missing} not finite)` : "");
const interval = (s: MetricStats | undefined) => s?.n ? `[${num(s.ci.lo)}, ${num(s.ci.hi)}]` : "–";
const versus = (d: Difference | undefined) =>
  d
    ? `${d.diff >= 0 ? "+" : ""}${num(d.diff)} [${num(d.ci.lo)}, ${num(d.ci.hi)}]${
      d.n < 2 ? " n<2, not tested" : d.significant ? "" : " n.s."
    }`
    : "";

function rankingTable(
  caption: string,
  note: string,
  ranked: readonly Ranked[],
  metric: string,
  unranked: readonly ConfigurationSummary[],
) {
  return {
    caption,
    note,
    head: [
      "place",
      "objective",
      "settings",
      "seeds",
      metricLabel(metric),
      "95% CI",
      "vs #1",
      "vs place above",
    ],
    rows: [
      ...ranked.map((r) => [
        String(r.place),
        r.summary.objective,
        r.summary.label,
        String(r.summary.stats[metric].n),
        meanStd(r.summary.stats[metric]),
        interval(r.summary.stats[metric]),
        versus(r.vsFirst),
        versus(r.vsAbove),
      ]),
      ...unranked.map((c) => [
        "–",
        c.objective,
        c.label,
        "0",
        meanStd(c.stats[metric]),
        "–",
        "not ranked",
        "",
      ]),
    ],
  };
}

/**
 * The report's tables: ranking of objectives (best setting each), every
 * configuration with every metric, and failures.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadExperiment, reportTables, runExperiment, summarize, trialsFromRun } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const summary = await runExperiment(await loadExperiment(`${dir}/tiny.yaml`));
 * const tables = reportTables(summarize("tiny", await trialsFromRun(summary.run_dir)));
 * assert.ok(tables.length > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function reportTables(data: ReportData): Table[] {
  const tables: Table[] = [];
  const metric = data.rankBy;
  const how = metric
    ? `by mean ${metricLabel(metric)} over seeds (${METRIC_INFO[metric].better} is better)`
    : "";
  const significance = "differences are mean differences with a 95% bootstrap interval; " +
    "n.s. marks those whose interval includes 0 (not significant); with fewer than about 5 seeds " +
    "the percentile interval is too narrow, so read marks on few seeds as weak evidence; " +
    "configurations without a finite value are listed last, unranked";
  const unranked = (among: readonly ConfigurationSummary[]) =>
    metric ? among.filter((c) => !c.stats[metric]?.n) : [];
  const rankedObjectives = new Set(data.objectives.map((r) => r.summary.objective));
  const lostObjectives = unranked(data.configurations).filter((c, i, all) =>
    !rankedObjectives.has(c.objective) && all.findIndex((d) => d.objective === c.objective) === i
  );
  if (metric && data.objectives.length + lostObjectives.length > 1) {
    tables.push(rankingTable(
      "Objectives, best setting each",
      `Ranked ${how}; ${significance}. The best setting was picked on these same seeds, ` +
        "which flatters every objective a little; rerun the best settings with new seeds to confirm.",
      data.objectives,
      metric,
      lostObjectives,
    ));
  }
  if (metric && data.ranking.length > 1) {
    tables.push(rankingTable(
      "All configurations, ranked",
      `Ranked ${how}; ${significance}.`,
      data.ranking,
      metric,
      unranked(data.configurations),
    ));
  }
  tables.push({
    caption: "Every configuration",
    note: "Mean ± standard deviation over seeds, then the 95% percentile-bootstrap interval " +
      "of the mean (10,000 resamples). (s.e. x): the standard error of that mean from the " +
      "runs' own evaluation noise (`eval/<metric>_se` over fresh draws), where every seed has one.",
    head: ["#", "objective", "settings", "seeds", ...data.metrics.map(metricLabel)],
    rows: data.configurations.map((c) => [
      String(c.configuration),
      c.objective,
      c.label,
      `${c.seeds.length}${c.unfinished ? ` (+${c.unfinished} unfinished)` : ""}`,
      ...data.metrics.map((m) => `${meanStd(c.stats[m])} ${interval(c.stats[m])}`),
    ]),
  });
  if (data.failures.length) {
    tables.push({
      caption: "Failed trials",
      note: "The last error line of each failed or diverged trial.",
      head: ["trial", "seed", "error"],
      rows: data.failures.map((f) => [String(f.index), String(f.seed), f.error]),
    });
  }
  return tables;
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "");

/**
 * The report's charts: the ranking metric against each swept hyperparameter
 * (mean and interval per configuration, seeds as faint dots, one colour per
 * objective), and training curves of every shown metric (median over seeds
 * with the interquartile band) for each objective's best setting.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadExperiment, reportCharts, runExperiment, summarize, trialsFromRun } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const summary = await runExperiment(await loadExperiment(`${dir}/tiny.yaml`));
 * const charts = reportCharts(summarize("tiny", await trialsFromRun(summary.run_dir)));
 * assert.ok(charts.every((c) => c.svg.startsWith("<svg")));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function reportCharts(data: ReportData): Chart[] {
  const charts: Chart[] = [];
  const metric = data.rankBy;
  const objectives = [...new Set(data.configurations.map((c) => c.objective))];
  const color = (objective: string) => PALETTE[objectives.indexOf(objective) % PALETTE.length];
  if (metric) {
    for (const key of data.swept) {
      const series = objectives.map((name) => ({
        name,
        color: color(name),
        points: data.configurations.filter((c) => c.objective === name && c.stats[metric].n)
          .map((c) => {
            const s = c.stats[metric];
            const value = c.settings.find(([k]) => k === key)?.[1];
            return {
              x: typeof value === "number" ? value : JSON.stringify(value ?? "(base)").replace(
                /^"|"$/g,
                "",
              ),
              y: s.mean,
              lo: s.ci.lo,
              hi: s.ci.hi,
              raw: s.values,
            };
          }),
      })).filter((s) => s.points.length);
      charts.push({
        name: `vs-${safe(key)}`,
        title: `${metricLabel(metric)} against ${key}`,
        svg: pointChart({
          title: `${metricLabel(metric)} vs ${key}`,
          x: key,
          y: metricLabel(metric),
        }, series),
      });
    }
  }
  const shown = data.objectives.length
    ? data.objectives.map((r) => r.summary)
    : data.configurations;
  for (const m of data.metrics) {
    const series = shown.filter((c) => c.curves[m]?.length).map((c) => ({
      name: data.objectives.length ? c.objective : c.label,
      ...(data.objectives.length ? { color: color(c.objective) } : {}),
      points: c.curves[m].map((p) => ({ x: p.step, y: p.median, lo: p.lo, hi: p.hi })),
    }));
    if (!series.length) continue;
    charts.push({
      name: `curve-${safe(m)}`,
      title: `${metricLabel(m)} during training (median over seeds, interquartile band)`,
      svg: lineChart(
        { title: `${metricLabel(m)} during training`, x: "step", y: metricLabel(m) },
        series,
      ),
    });
  }
  return charts;
}

function summaryLine(data: ReportData): string {
  const { total, done, unfinished, diverged } = data.counts;
  const not = unfinished
    ? ` (${unfinished} not${diverged ? `, ${diverged} of them diverged` : ""})`
    : "";
  return `${done} of ${total} trials finished${not}, ` +
    `${data.configurations.length} configuration${data.configurations.length === 1 ? "" : "s"}` +
    (data.rankBy ? `; ranked by ${metricLabel(data.rankBy)} (\`${data.rankBy}\`).` : ".") +
    (data.fixed ? ` Every trial: ${data.fixed}.` : "");
}

/**
 * The report as Markdown; charts are linked as `<name>.svg` files beside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderMarkdown, summarize } from "../../mod.ts";
 * const md = renderMarkdown(summarize("demo", [{ index: 0, configuration: 0, seed: 0,
 *   objective: "hinge", settings: [], final: { "eval/hq": 0.9 }, curve: [] }]));
 * assert.match(md, /^# demo/);
 * assert.match(md, /\| 0 +\| hinge/);
 * ```
 */
export function renderMarkdown(data: ReportData): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|");
  const tables = reportTables(data).map((t) =>
    [
      `## ${t.caption}`,
      "",
      t.note,
      "",
      `| ${t.head.map(cell).join(" | ")} |`,
      `| ${t.head.map(() => "---").join(" | ")} |`,
      ...t.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
      "",
    ].join("\n")
  );
  const charts = reportCharts(data).map((c) => `### ${c.title}\n\n![${c.title}](${c.name}.svg)\n`);
  const protocol = data.protocol.length
    ? ["## Image metrics' protocol", "", ...data.protocol.map((l) => `- ${l}`), ""]
    : [];
  return [
    `# ${data.title}`,
    "",
    summaryLine(data),
    "",
    ...tables,
    ...protocol,
    "## Charts",
    "",
    ...charts,
  ].join("\n");
}

/**
 * The report as one self-contained HTML page (inline CSS and SVG; no
 * scripts, fonts or links to fetch).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderHtml, summarize } from "../../mod.ts";
 * const page = renderHtml(summarize("demo", [{ index: 0, configuration: 0, seed: 0,
 *   objective: "hinge", settings: [], final: { "eval/hq": 0.9 }, curve: [{ step: 0, "eval/hq": 0.1 }, { step: 9, "eval/hq": 0.9 }] }]));
 * assert.match(page, /<svg /);
 * assert.doesNotMatch(page, /(src|href)="?https?:/);
 * ```
 */
export function renderHtml(data: ReportData): string {
  const tables = reportTables(data).map((t) =>
    `<h2>${esc(t.caption)}</h2><p class="note">${esc(t.note)}</p><table><thead><tr>${
      t.head.map((h) => `<th>${esc(h)}</th>`).join("")
    }</tr></thead><tbody>${
      t.rows.map((r) =>
        `<tr>${
          r.map((c) => `<td${/ n\.s\.$/.test(c) ? ' class="ns"' : ""}>${esc(c)}</td>`).join("")
        }</tr>`
      ).join("")
    }</tbody></table>`
  ).join("\n");
  const charts = reportCharts(data).map((c) =>
    `<figure>${c.svg}<figcaption>${esc(c.title)}</figcaption></figure>`
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}</title>
<style>
body { font: 14px/1.4 sans-serif; margin: 24px; color: #222; }
table { border-collapse: collapse; margin: 8px 0 20px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; white-space: nowrap; }
th { background: #f3f3f3; }
td.ns { color: #888; }
.note { color: #555; max-width: 60em; }
figure { display: inline-block; margin: 8px; }
figcaption { font-size: 12px; color: #555; max-width: 560px; }
</style></head><body>
<h1>${esc(data.title)}</h1>
<p>${esc(summaryLine(data))}</p>
${tables}
${protocolSection(data.protocol)}
<h2>Charts</h2>
${charts}
</body></html>
`;
}
