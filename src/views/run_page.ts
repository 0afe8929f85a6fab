/**
 * The report page of one run (`report.html` in its folder): its state, the
 * latest view, a time-lapse of the views (a slider over one frame per
 * evaluation, and a strip), the loss, health and metric curves, and the
 * config and manifest. Self-contained apart from the frames, which it links
 * by relative path inside the run folder; its one small inline script moves
 * the slider. No network.
 * @module
 */
import { esc } from "./color.ts";
import { curvesSvg, type Series } from "./curves.ts";
import { boundChecks, estimatesOf } from "./estimates.ts";

/** One time-lapse frame: the evaluation's step and its picture's path relative to the page. */
export interface Frame {
  /** Generator steps completed. */
  readonly step: number;
  /** Relative path of the picture (PNG or SVG). */
  readonly src: string;
}

/** What the run page shows. */
export interface RunPage {
  /** The run's name (heading). */
  readonly title: string;
  /** One line: state and progress. */
  readonly status: string;
  /** The latest view as inline SVG, if the data has one. */
  readonly latest?: string;
  /** Time-lapse frames in step order. */
  readonly frames: readonly Frame[];
  /** The rows of `metrics.jsonl`. */
  readonly rows: readonly Readonly<Record<string, number>>[];
  /** `config.resolved.yaml`. */
  readonly config: string;
  /** `manifest.json`. */
  readonly manifest: string;
  /**
   * The image metrics' protocol, one line per feature space (extractor, weights hash,
   * resize, split, counts; whether comparable with papers).
   */
  readonly protocol?: readonly string[];
}

/**
 * The image metrics' protocol as an HTML section (heading and `<ul id="protocol">`, one item per
 * line, escaped), or "" without lines: a run's page and a sweep's report show it alike.
 *
 * Inside Duel it is used as `protocolSection(page.protocol ?? [])`.
 */
export function protocolSection(lines: readonly string[]): string {
  if (!lines.length) return "";
  const items = lines.map((l) => `<li>${esc(l)}</li>`).join("");
  return `<h2>Image metrics' protocol</h2>\n<ul id="protocol">${items}</ul>`;
}

/** The health and loss charts: title, keys, log scale. */
const TRAINING_CHARTS: readonly { title: string; keys: readonly string[]; log?: boolean }[] = [
  { title: "losses", keys: ["d/loss", "g/loss"] },
  { title: "critic's mean output", keys: ["d/real_score", "d/fake_score"] },
  { title: "gradient norms", keys: ["d/grad_norm", "g/grad_norm"], log: true },
  { title: "penalty", keys: ["d/penalty"] },
  { title: "critic's divergence estimate (per step)", keys: ["d/divergence"] },
];

const seriesOf = (rows: RunPage["rows"], key: string): Series => {
  const points: [number, number][] = [];
  for (const r of rows) if (r[key] !== undefined) points.push([r.step, r[key]]);
  return { name: key, points };
};

/**
 * The charts of a metrics log: losses, the critic's outputs, gradient norms,
 * penalties, then each `eval/` metric; charts without data are left out.
 */
export function runCharts(rows: RunPage["rows"]): { title: string; svg: string }[] {
  const training = TRAINING_CHARTS.flatMap((c) => {
    const series = c.keys.map((k) => seriesOf(rows, k)).filter((s) => s.points.length);
    return series.length ? [{ title: c.title, svg: curvesSvg(c.title, series, c) }] : [];
  });
  const keys = new Set<string>();
  for (const r of rows) {
    if (Object.keys(r).some((k) => k.startsWith("eval/"))) {
      for (const k in r) keys.add(k);
    }
  }
  const evals = [...keys].filter((k) => k.startsWith("eval/"));
  return [
    ...training,
    ...evals.map((k) => ({ title: k, svg: curvesSvg(k, [seriesOf(rows, k)]) })),
  ];
}

const STYLE = `body{font-family:sans-serif;margin:1.5em;max-width:1100px;color:#222}
.charts{display:flex;flex-wrap:wrap;gap:8px}.strip{display:flex;flex-wrap:wrap;gap:4px}
.strip figure{margin:0;font-size:11px;text-align:center}.strip img{width:96px}
pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:420px;font-size:12px}
#lapse-img{max-width:520px;display:block}
#estimates td{padding:0 8px}.bound.flag{color:#b00;font-weight:bold}`;

function timeLapse(frames: readonly Frame[]): string {
  if (!frames.length) return "<p>No evaluation yet.</p>";
  const last = frames.at(-1)!;
  const list = JSON.stringify(frames.map((f) => [f.step, f.src]));
  return [
    `<div id="lapse"><input type="range" id="lapse-range" min="0" max="${
      frames.length - 1
    }" value="${frames.length - 1}" aria-label="evaluation">`,
    ` step <span id="lapse-step">${last.step}</span>`,
    `<img id="lapse-img" src="${esc(last.src)}" alt="view at the chosen step"></div>`,
    `<script>(()=>{const f=${list.replace(/</g, "\\u003c")};` +
    `const r=document.getElementById("lapse-range"),i=document.getElementById("lapse-img"),` +
    `s=document.getElementById("lapse-step");r.oninput=()=>{const [t,p]=f[+r.value];` +
    `i.src=p;s.textContent=t;};})();</script>`,
    `<div class="strip">${
      frames.map((f) =>
        `<figure><img src="${
          esc(f.src)
        }" alt="step ${f.step}"><figcaption>${f.step}</figcaption></figure>`
      ).join("")
    }</div>`,
  ].join("\n");
}

/**
 * The latest evaluation's estimates, each with its standard error, and how each estimate that
 * bounds an exact value stands against it (below, within noise, or flagged above).
 */
function latestEstimates(rows: RunPage["rows"]): string {
  const row = rows.findLast((r) => Object.keys(r).some((k) => k.startsWith("eval/")));
  if (!row) return "";
  const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));
  const cells = Object.entries(estimatesOf(row)).map(([key, e]) =>
    `<tr><td>${esc(key)}</td><td>${fmt(e.value)}</td><td>± ${fmt(e.se ?? NaN)}</td></tr>`
  );
  const checks = boundChecks(row).map((b) =>
    `<p class="bound ${b.verdict === "above" ? "flag" : "ok"}">${esc(b.line)}</p>`
  );
  if (!cells.length && !checks.length) return "";
  return [
    `<h2>Estimates at step ${row.step}</h2>`,
    cells.length
      ? `<table id="estimates"><tr><th>metric</th><th>value</th><th>standard error</th></tr>${
        cells.join("")
      }</table>`
      : "",
    ...checks,
  ].join("\n");
}

/**
 * The page as HTML.
 */
export function renderRunPage(page: RunPage): string {
  return [
    "<!doctype html>",
    `<html lang="en"><head><meta charset="utf-8"><title>${esc(page.title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${esc(page.title)}</h1>`,
    `<p id="status">${esc(page.status)}</p>`,
    latestEstimates(page.rows),
    page.latest ? `<h2>Latest view</h2>\n<div id="latest">${page.latest}</div>` : "",
    `<h2>Over training</h2>\n${timeLapse(page.frames)}`,
    protocolSection(page.protocol ?? []),
    `<h2>Curves</h2>\n<div class="charts">${
      runCharts(page.rows).map((c) => c.svg).join("\n")
    }</div>`,
    `<h2>Config</h2>\n<pre id="config">${esc(page.config)}</pre>`,
    `<h2>Manifest</h2>\n<pre id="manifest">${esc(page.manifest)}</pre>`,
    "</body></html>",
    "",
  ].join("\n");
}
