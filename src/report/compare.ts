/**
 * `deno task report A B`: two runs, or two sweeps, side by side in one page
 * (`compare.html`): for runs their latest views, every curve of either
 * overlaid (A and B in one chart per quantity) and the lines of their configs
 * that differ; for sweeps their final views and losses per configuration.
 * @module
 */
import { basename, relative } from "node:path";
import { writeAtomic } from "../files.ts";
import { readMetrics } from "../runs/files.ts";
import { runFrames } from "../runs/run_report.ts";
import { esc } from "../views/color.ts";
import { curvesSvg } from "../views/curves.ts";
import { galleryPanels, panelHtml } from "./gallery.ts";
import { folderKind, reportTitle, trialsFromSweep } from "./sources.ts";
import { summarize } from "./summarize.ts";

const TRAINING = ["d/loss", "g/loss", "d/real_score", "d/fake_score", "d/grad_norm", "g/grad_norm"];

/**
 * The lines of `a` not in `b` and of `b` not in `a`.
 */
export function lineDiff(a: string, b: string): { a: string[]; b: string[] } {
  const [la, lb] = [a, b].map((t) => t.split("\n").filter((l) => l.trim()));
  const [sa, sb] = [new Set(la), new Set(lb)];
  return { a: la.filter((l) => !sb.has(l)), b: lb.filter((l) => !sa.has(l)) };
}

async function runsBody(a: string, b: string, out: string): Promise<string> {
  const [ra, rb] = await Promise.all([a, b].map((d) => readMetrics(`${d}/metrics.jsonl`)));
  const keys = [...new Set([...ra, ...rb].flatMap((r) => Object.keys(r)))];
  const shown = [
    ...TRAINING.filter((k) => keys.includes(k)),
    ...keys.filter((k) => k.startsWith("eval/")),
  ];
  const charts = shown.map((k) =>
    curvesSvg(
      k,
      [["A", ra], ["B", rb]].map(([name, rows]) => ({
        name: name as string,
        points: (rows as Record<string, number>[]).filter((r) => k in r).map((r) =>
          [r.step, r[k]] as const
        ),
      })),
      { log: k.endsWith("grad_norm") },
    )
  );
  const view = (d: string, tag: string) => {
    const frame = runFrames(d).at(-1);
    return `<div class="side"><h2>${tag}: ${esc(basename(d))}</h2>` +
      (frame
        ? `<img src="${
          esc(relative(out, `${d}/${frame.src}`))
        }" width="420" alt="${tag}'s latest view">` +
          `<p>step ${frame.step}</p>`
        : "<p>(no view)</p>") +
      "</div>";
  };
  const [ca, cb] = await Promise.all(
    [a, b].map((d) => Deno.readTextFile(`${d}/config.resolved.yaml`)),
  );
  const diff = lineDiff(ca, cb);
  return `<div class="sides">${view(a, "A")}${view(b, "B")}</div>` +
    `<h2>Curves (A: blue, B: orange)</h2><div class="charts">${charts.join("\n")}</div>` +
    `<h2>Config lines that differ</h2><div class="sides"><pre class="side">${
      esc(diff.a.join("\n") || "(none)")
    }</pre><pre class="side">${esc(diff.b.join("\n") || "(none)")}</pre></div>`;
}

async function sweepsBody(a: string, b: string, out: string): Promise<string> {
  const side = async (d: string, tag: string) => {
    const trials = await trialsFromSweep(d);
    const data = summarize(reportTitle(d), trials);
    const panels = galleryPanels(d, data, trials);
    const base = relative(out, d);
    const html = await Promise.all(
      panels.map((p) => panelHtml(d, p, data.rankBy, base ? `${base}/` : "")),
    );
    return `<div class="side"><h2>${tag}: ${esc(basename(d))}</h2>${html.join("\n")}</div>`;
  };
  return `<div class="sides">${await side(a, "A")}${await side(b, "B")}</div>`;
}

/**
 * Writes `<out>/compare.html` comparing the folders `a` and `b` (two run
 * folders or two sweep folders) and returns its path.
 *
 * Inside Duel it is used as `await writeComparison("runs/ring8/A", "runs/ring8/B",
 * "runs/ring8/A");`.
 */
export async function writeComparison(a: string, b: string, out: string): Promise<string> {
  const [ka, kb] = await Promise.all([folderKind(a), folderKind(b)]);
  if (ka !== kb) {
    throw new Error(`${a} is a ${ka} folder and ${b} a ${kb} folder (valid: two of a kind)`);
  }
  await Deno.mkdir(out, { recursive: true });
  const body = ka === "run" ? await runsBody(a, b, out) : await sweepsBody(a, b, out);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(basename(a))} vs ${
    esc(basename(b))
  }</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222}.sides{display:flex;gap:24px}
.side{flex:1;min-width:0}.charts{display:flex;flex-wrap:wrap;gap:8px}
pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px}</style></head><body>
<h1>A: ${esc(a)}<br>B: ${esc(b)}</h1>
${body}
</body></html>
`;
  const path = `${out}/compare.html`;
  await writeAtomic(path, html);
  return path;
}
