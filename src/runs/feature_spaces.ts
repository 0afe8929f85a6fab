/**
 * The feature spaces of an image run, prepared before training: the proxy
 * always, Inception-v3 when `eval.inception` names its weights (checked
 * first, one line and exit 2 on a bad file); each space's reference
 * statistics read from the statistics cache or computed and saved there; and
 * the protocol of each space (extractor, weights hash, resize, split, counts)
 * recorded in `manifest.json` as `feature_protocols`, from the step it
 * applies to.
 * @module
 */
import type { Experiment } from "../config/schema.ts";
import { dataShapeOf } from "../data/factory.ts";
import { inceptionPathFromEnv } from "../env.ts";
import { writeAtomic } from "../files.ts";
import {
  checkExtractor,
  chooseExtractor,
  EXTRACTOR_LOADERS,
  type ExtractorKind,
  type ExtractorLoaders,
} from "../metrics/extractor_choice.ts";
import type { FeatureProtocol } from "../metrics/feature_stats.ts";
import { METRIC_NEEDS } from "../metrics/metric_needs.ts";
import type { RunExtractors } from "../metrics/metric_run.ts";
import { type FeatureExtractor, PROXY_EXTRACTOR } from "../metrics/proxy_features.ts";
import { prepareRunReference, PROXY_MIN_SAMPLES } from "../metrics/proxy_metrics.ts";
import { Rng } from "../rng.ts";
import type { Trainer } from "../train/trainer.ts";
import type { Manifest, RunFolder } from "./run_folder.ts";

/** One feature space's protocol in `manifest.json` (`feature_protocols`). */
export interface FeatureProtocolRecord extends FeatureProtocol {
  /** First evaluation step measured under it. */
  readonly from_step: number;
  /** The metric keys measured in this space. */
  readonly metrics: string;
  /** Generated images per evaluation (`eval.samples`). */
  readonly n_generated: number;
  /** The reference statistics' cache key. */
  readonly reference_key: string;
  /** False for the proxy: its numbers are not comparable with papers. */
  readonly comparable_with_papers: boolean;
}

const METRIC_KEYS: Readonly<Record<ExtractorKind, string>> = {
  proxy: "eval/proxy_*, eval/swd (pixels, against the same reference images)",
  inception: "eval/fid, eval/inception_*",
};

/**
 * The Inception weights a run measures with: `eval.inception`, else, for
 * image data, the file `DUEL_INCEPTION` names (the protocol records its hash
 * either way); undefined for the proxy alone.
 */
export function runInceptionPath(
  config: Experiment,
  envPath: () => string | undefined = inceptionPathFromEnv,
): string | undefined {
  if (config.eval.inception !== undefined) return config.eval.inception;
  const fromEnv = envPath();
  if (fromEnv === undefined) return undefined;
  return METRIC_NEEDS.image_data.fits!(dataShapeOf(config.data)) ? fromEnv : undefined;
}

/**
 * Checks the Inception weights the run uses ({@link runInceptionPath}), if
 * any, before anything is written or trained (one line, exit 2 otherwise).
 */
export async function checkRunWeights(
  config: Experiment,
  loaders: ExtractorLoaders = EXTRACTOR_LOADERS,
): Promise<void> {
  const inception = runInceptionPath(config);
  if (inception !== undefined) await checkExtractor({ inception }, loaders);
}

/**
 * Loads the run's extractors and prepares each space's reference (through the
 * statistics cache in `cacheDir`); returns the extractors for the evaluator
 * and the protocol records from step `fromStep`. Data that are not images, or
 * fewer than 6 `eval.samples`, have no feature space.
 */
export async function prepareFeatureSpaces(
  config: Experiment,
  trainer: Trainer,
  cacheDir: string | null | undefined,
  fromStep: number,
  loaders: ExtractorLoaders = EXTRACTOR_LOADERS,
): Promise<{ extractors: RunExtractors; protocols: FeatureProtocolRecord[] }> {
  const data = trainer.data, samples = config.eval.samples;
  if (data.shape.length !== 3 || samples < PROXY_MIN_SAMPLES) {
    return { extractors: {}, protocols: [] };
  }
  const path = runInceptionPath(config);
  const inception = path === undefined
    ? undefined
    : await chooseExtractor({ inception: path }, loaders);
  const real = () => data.sample(samples, Rng.derive(config.seed, "eval/data"));
  const source = "path" in config.data
    ? `${config.data.name} ${config.data.path}`
    : config.data.name;
  const spaces: [ExtractorKind, FeatureExtractor][] = [["proxy", PROXY_EXTRACTOR]];
  if (inception) spaces.push(["inception", inception]);
  const protocols: FeatureProtocolRecord[] = [];
  for (const [kind, extractor] of spaces) {
    const { reference } = await prepareRunReference(
      data,
      samples,
      real,
      extractor,
      cacheDir,
      source,
    );
    protocols.push({
      from_step: fromStep,
      metrics: METRIC_KEYS[kind],
      ...reference.protocol,
      n_generated: samples,
      reference_key: reference.key,
      comparable_with_papers: kind === "inception",
    });
  }
  return { extractors: inception ? { inception } : {}, protocols };
}

/**
 * Appends `records` to `manifest.json`'s `feature_protocols`, skipping one
 * equal (but for its step) to the last recorded for the same metrics. A
 * folder without a readable manifest gets no record and a warning.
 */
export async function recordFeatureProtocols(
  folder: RunFolder,
  records: readonly FeatureProtocolRecord[],
): Promise<void> {
  if (!records.length) return;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await Deno.readTextFile(folder.manifest));
  } catch (e) {
    const why = (e as Error).message.split("\n")[0];
    console.error(`duel: warning: ${folder.manifest}: cannot record the feature protocol (${why})`);
    return;
  }
  const before = manifest.feature_protocols ?? [];
  const same = (a: FeatureProtocolRecord, b: FeatureProtocolRecord) =>
    JSON.stringify({ ...a, from_step: 0 }) === JSON.stringify({ ...b, from_step: 0 });
  const fresh = records.filter((r) => {
    const last = before.findLast((b) => b.metrics === r.metrics);
    return !last || !same(last, r);
  });
  if (!fresh.length) return;
  const next = { ...manifest, feature_protocols: [...before, ...fresh] };
  await writeAtomic(folder.manifest, JSON.stringify(next, null, 2) + "\n");
}
