/**
 * A run's own report: `report.html` in its folder, rebuilt from the folder
 * alone (config, manifest, metrics log, views, sample grids), atomically, at
 * each evaluation and at the end of the run, and by `deno task report`.
 * @module
 */
import type { FeatureProtocolRecord } from "./feature_spaces.ts";
import type { Manifest } from "./run_folder.ts";
import { decodePng as decode } from "../deps/images.ts";
import { parse } from "../deps/yaml.ts";
import { writeAtomic } from "../files.ts";
import { gifOf } from "../views/gif.ts";
import { type Frame, renderRunPage } from "../views/run_page.ts";
import { readMetrics } from "./files.ts";

/** The folder of a run's views, relative to the run folder. */
export const VIEWS_DIR = "views";

/**
 * The path of a run's view at `step`, relative to the run folder.
 */
export const viewFile = (step: number, ext: "svg" | "png"): string =>
  `${VIEWS_DIR}/step-${String(step).padStart(8, "0")}.${ext}`;

const readOr = (path: string, fallback: string) =>
  Deno.readTextFile(path).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return fallback;
    throw e;
  });

/** `step-<n>.<ext>` files of `dir` (relative to the run folder `run`) in step order. */
function framesIn(run: string, dir: string, ext: string): Frame[] {
  let names: string[];
  try {
    names = [...Deno.readDirSync(`${run}/${dir}`)].map((e) => e.name);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const m = n.match(new RegExp(`^step-(\\d+)\\.${ext}$`));
    return m ? [{ step: Number(m[1]), src: `${dir}/${n}` }] : [];
  }).sort((a, b) => a.step - b.step);
}

/**
 * The time-lapse frames of a run folder: the 2-D views' pictures, else the
 * 1-D views' SVGs, else the image runs' sample grids.
 */
export function runFrames(dir: string): Frame[] {
  for (const [sub, ext] of [[VIEWS_DIR, "png"], [VIEWS_DIR, "svg"], ["samples", "png"]]) {
    const frames = framesIn(dir, sub, ext);
    if (frames.length) return frames;
  }
  return [];
}

/**
 * Writes `<dir>/report.html` from the run folder's files and returns its path.
 *
 * Inside Duel it is used as `await writeRunReport("runs/ring8/20261126-120000-1a2b3c4d");`.
 */
export async function writeRunReport(dir: string, known: KnownParts = {}): Promise<string> {
  const config = known.config ?? await Deno.readTextFile(`${dir}/config.resolved.yaml`);
  const rows = known.rows ?? await readMetrics(`${dir}/metrics.jsonl`);
  const parsed = parse(config) as { name?: string; train?: { steps?: number } };
  const total = parsed.train?.steps ?? NaN;
  const finished = await Deno.stat(`${dir}/summary.json`).then(() => true, () => false);
  const step = rows.at(-1)?.step ?? 0;
  const frames = runFrames(dir);
  const svgs = framesIn(dir, VIEWS_DIR, "svg");
  const latest = svgs.length ? await Deno.readTextFile(`${dir}/${svgs.at(-1)!.src}`) : undefined;
  const manifest = known.manifest ?? await readOr(`${dir}/manifest.json`, "(no manifest)");
  const html = renderRunPage({
    title: `${parsed.name ?? "run"} — ${dir.split("/").pop()}`,
    status: `${finished ? "finished" : "in progress or stopped"}: step ${step} of ${total}`,
    ...(latest ? { latest } : {}),
    frames,
    rows,
    config,
    manifest,
    protocol: protocolLines(manifest),
  });
  const path = `${dir}/report.html`;
  await writeAtomic(path, html);
  return path;
}

/**
 * The image metrics' protocol lines of a manifest's `feature_protocols`
 * (none when absent or unreadable).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { protocolLines } from "../../mod.ts";
 * assert.deepEqual(protocolLines("(no manifest)"), []);
 * ```
 */
export function protocolLines(manifestText: string): string[] {
  let records: FeatureProtocolRecord[];
  try {
    records = (JSON.parse(manifestText) as Manifest).feature_protocols as FeatureProtocolRecord[] ??
      [];
  } catch {
    return [];
  }
  return records.map((r) =>
    `${r.metrics}: ${r.extractor} (${r.dim}-d, weights sha256 ${
      r.weights_sha256.slice(0, 16)
    }…), ` +
    `resize ${r.resize}; reference: ${r.n_reference} ${r.split} images of ${r.source}; ` +
    `${r.n_generated} generated per evaluation; from step ${r.from_step}; ` +
    (r.comparable_with_papers
      ? "comparable with papers under this protocol"
      : "not comparable with papers (proxy features)")
  );
}

/**
 * What the training loop already holds, so that a report rebuilt at every
 * evaluation reads neither the whole metrics log nor the config again.
 */
export interface KnownParts {
  /** The rows of `metrics.jsonl` so far. */
  readonly rows?: readonly Readonly<Record<string, number>>[];
  /** `config.resolved.yaml`'s text. */
  readonly config?: string;
  /** `manifest.json`'s text. */
  readonly manifest?: string;
}

/**
 * Writes `<out>/views.gif`: the 2-D views of the run folder `dir` over
 * training, one frame per evaluation; returns its path. Throws a one-line
 * error when the run has no 2-D views.
 *
 * Inside Duel it is used as `await writeRunGif("runs/ring8/20261126-120000-1a2b3c4d");`.
 */
export async function writeRunGif(dir: string, out = dir): Promise<string> {
  const frames = framesIn(dir, VIEWS_DIR, "png");
  if (!frames.length) throw new Error(`${dir}: no 2-D views to animate (views/step-<n>.png)`);
  const pictures = await Promise.all(frames.map(async (f) => {
    const png = decode(await Deno.readFile(`${dir}/${f.src}`));
    const data = new Uint8Array(png.width * png.height * 3);
    for (let p = 0; p < png.width * png.height; p++) {
      for (let k = 0; k < 3; k++) data[3 * p + k] = png.data[p * png.channels + k];
    }
    return { width: png.width, height: png.height, data };
  }));
  const path = `${out}/views.gif`;
  await writeAtomic(path, gifOf(pictures));
  return path;
}
