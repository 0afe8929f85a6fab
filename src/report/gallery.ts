/**
 * A sweep's views page (`views.html` beside its report): for each
 * configuration, the final view and the loss curves of its median seed (by
 * the ranking metric), read from the trial folders.
 * @module
 */
import { join, relative } from "node:path";
import { writeAtomic } from "../files.ts";
import { readMetrics } from "../runs/files.ts";
import { runFrames } from "../runs/run_report.ts";
import { esc } from "../views/color.ts";
import { curvesSvg } from "../views/curves.ts";
import type { ReportData, ReportTrial } from "./summarize.ts";

/** One configuration's panel: its median seed's trial folder (relative to the sweep folder). */
export interface GalleryPanel {
  /** Configuration number. */
  readonly configuration: number;
  /** Its settings in words. */
  readonly label: string;
  /** Objective name. */
  readonly objective: string;
  /** The median seed. */
  readonly seed: number;
  /** Finished seeds of the configuration. */
  readonly seeds: number;
  /** The median seed's value of the ranking metric, if any. */
  readonly value?: number;
  /** The trial folder, relative to the sweep folder. */
  readonly folder: string;
}

/**
 * The finished trial with the median value of `metric` (the lower median for
 * an even count; by seed when the metric is missing).
 */
export function medianTrial(
  trials: readonly ReportTrial[],
  metric: string | undefined,
): ReportTrial | undefined {
  const done = trials.filter((t) => t.final);
  const value = (t: ReportTrial) => (metric ? t.final?.[metric] : undefined) ?? NaN;
  const sorted = [...done].sort((a, b) =>
    Number.isFinite(value(a)) && Number.isFinite(value(b))
      ? value(a) - value(b) || a.seed - b.seed
      : a.seed - b.seed
  );
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/**
 * The panels of a sweep folder, one per configuration with a finished trial
 * whose folder is found in `places` (default `<dir>/trials`; a PostgreSQL
 * sweep's trial folders lie where its workers put them).
 */
export function galleryPanels(
  dir: string,
  data: ReportData,
  trials: readonly ReportTrial[],
  places: readonly string[] = [`${dir}/trials`],
): GalleryPanel[] {
  const folders = places.flatMap((place) => {
    try {
      return [...Deno.readDirSync(place)].filter((e) => e.isDirectory).map((e) =>
        relative(dir, join(place, e.name))
      );
    } catch {
      return []; // no trial folders there
    }
  });
  const named = (f: string) => f.split(/[\\/]/).at(-1)!;
  return data.configurations.flatMap((c) => {
    const own = trials.filter((t) => t.configuration === c.configuration);
    const median = medianTrial(own, data.rankBy);
    const folder = median &&
      folders.find((f) => named(f).startsWith(`${String(median.index).padStart(4, "0")}-`));
    if (!median || !folder) return [];
    const value = data.rankBy ? median.final?.[data.rankBy] : undefined;
    return [{
      configuration: c.configuration,
      label: c.label,
      objective: c.objective,
      seed: median.seed,
      seeds: own.filter((t) => t.final).length,
      ...(value === undefined ? {} : { value }),
      folder,
    }];
  });
}

/** One panel as HTML: heading, final view, loss curves; pictures are linked as `<base><folder>/...`. */
export async function panelHtml(
  dir: string,
  p: GalleryPanel,
  rankBy?: string,
  base = "",
): Promise<string> {
  const frame = runFrames(`${dir}/${p.folder}`).at(-1);
  const rows = await readMetrics(`${dir}/${p.folder}/metrics.jsonl`);
  const series = ["d/loss", "g/loss"].map((k) => ({
    name: k,
    points: rows.filter((r) => k in r).map((r) => [r.step, r[k]] as const),
  })).filter((s) => s.points.length);
  const by = rankBy && p.value !== undefined ? `, ${esc(rankBy)} = ${+p.value.toPrecision(3)}` : "";
  return `<section class="panel" data-configuration="${p.configuration}">` +
    `<h3>${esc(p.objective)}: ${esc(p.label || "(base)")}</h3>` +
    `<p>median seed ${p.seed} of ${p.seeds}${by}</p>` +
    (frame
      ? `<img src="${esc(`${base}${p.folder}/${frame.src}`)}" alt="final view" width="320">`
      : "<p>(no view)</p>") +
    (series.length ? curvesSvg("losses", series) : "") + "</section>";
}

/**
 * Writes `<dir>/views.html` for a sweep folder and returns its path; trial
 * folders are looked for in `places` (see {@link galleryPanels}).
 *
 * Inside Duel it is used as `await writeGallery("runs/sweeps/objectives-ring8", data,
 * await trialsFromSweep(dir));`.
 */
export async function writeGallery(
  dir: string,
  data: ReportData,
  trials: readonly ReportTrial[],
  places?: readonly string[],
): Promise<string> {
  const panels = galleryPanels(dir, data, trials, places);
  const body = await Promise.all(panels.map((p) => panelHtml(dir, p, data.rankBy)));
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(data.title)}: views</title>
<style>body{font-family:sans-serif;margin:1.5em;color:#222}
#panels{display:flex;flex-wrap:wrap;gap:16px}.panel{width:500px}.panel h3{font-size:15px;margin:0}</style>
</head><body><h1>${esc(data.title)}: final views and losses per configuration</h1>
<p>${panels.length} configurations; each shows its median seed${
    data.rankBy ? ` by ${esc(data.rankBy)}` : ""
  } (see report.html for the statistics).</p>
<div id="panels">${body.join("\n")}</div></body></html>
`;
  const path = `${dir}/views.html`;
  await writeAtomic(path, html);
  return path;
}
