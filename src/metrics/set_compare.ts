/**
 * Two image sets compared with every metric that applies (what `deno task
 * fid` prints): in the extractor's feature space the Fréchet distance (`fid`
 * with Inception, `proxy_fd` with the proxy), KID with its standard error,
 * precision, recall, density and coverage; and on pixels SWD per pyramid
 * level, when both sets are images of one shape (not against a statistics
 * file, which holds no images). The result carries the protocol: extractor,
 * weights hash, resize, both sets' sources, splits and counts.
 * @module
 */
import type { FeatureProtocol, ReferenceStats } from "./feature_stats.ts";
import { frechetDistance, gaussianStats } from "./frechet.ts";
import { kid } from "./kid.ts";
import { prdc } from "./prdc.ts";
import type { FeatureExtractor } from "./proxy_features.ts";
import { swd } from "./swd.ts";
import { INCEPTION_NAME } from "./inception/extractor.ts";
import type { ExtractorKind } from "./extractor_choice.ts";

/** One image set: NHWC values in [-1, 1] of one shape, with where it came from. */
export interface ImageSet {
  /** The images, `[n, ...shape]`. */
  readonly images: Float32Array;
  /** Shape of one image, `[h, w, c]`. */
  readonly shape: readonly number[];
  /** Where they came from (a folder, a run's checkpoint), for people. */
  readonly source: string;
  /** `folder`, `generated` (from a run), and so on. */
  readonly split: string;
}

/** The protocol of a comparison: the reference's, plus the generated side's. */
export interface ComparisonProtocol extends FeatureProtocol {
  /** How many generated images. */
  readonly n_generated: number;
  /** Where they came from. */
  readonly generated_source: string;
  /** Their split. */
  readonly generated_split: string;
  /** Whether the numbers compare with papers' (Inception features only). */
  readonly comparable_with_papers: boolean;
  /** The reference statistics' cache key. */
  readonly reference_key: string;
}

/** What {@link compareSets} returns. */
export interface SetComparison {
  /** How the numbers were measured. */
  readonly protocol: ComparisonProtocol;
  /** Values by metric name (`<name>_se` for KID's standard error, `swd_<height>` per level). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Metrics that did not apply, and why. */
  readonly skipped: readonly string[];
}

/**
 * Compares `generated` with `reference` (statistics in `extractor`'s space;
 * `referenceImages` when the reference has images, for SWD). Metric names are
 * the run metrics': `fid`, `inception_kid`, ... when `kind` is `inception`
 * (by default: when the extractor is {@link INCEPTION_NAME}), `proxy_fd`,
 * `proxy_kid`, ... otherwise, and `swd`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareSets, PROXY_EXTRACTOR, referenceStats, Rng } from "../../mod.ts";
 * const a = Rng.derive(0, "a").fillUniform(new Float32Array(10 * 8 * 8), -1, 1);
 * const set = { images: a, shape: [8, 8, 1], source: "noise", split: "folder" };
 * const ref = referenceStats(a, [8, 8, 1], PROXY_EXTRACTOR, set);
 * const r = compareSets(set, ref, PROXY_EXTRACTOR, set);
 * assert.ok(Math.abs(r.metrics.proxy_fd) < 1e-6 && r.metrics.swd === 0);
 * assert.equal(r.protocol.comparable_with_papers, false);
 * ```
 */
export function compareSets(
  generated: ImageSet,
  reference: ReferenceStats,
  extractor: FeatureExtractor,
  referenceImages?: ImageSet,
  kind: ExtractorKind = extractor.name === INCEPTION_NAME ? "inception" : "proxy",
): SetComparison {
  const p = reference.protocol;
  if (p.extractor !== extractor.name || p.weights_sha256 !== extractor.weightsHash) {
    throw new Error(
      `reference measured with ${p.extractor} (weights ${p.weights_sha256.slice(0, 12)}) ` +
        `but the generated set with ${extractor.name} (${extractor.weightsHash.slice(0, 12)})`,
    );
  }
  const inception = kind === "inception";
  const name = (proxy: string, real: string) => inception ? real : proxy;
  const dim = extractor.dim;
  const features = extractor.features(generated.images, generated.shape);
  const n = features.length / dim;
  const metrics: Record<string, number> = {};
  const skipped: string[] = [];
  metrics[name("proxy_fd", "fid")] = frechetDistance(gaussianStats(features, dim), reference.stats);
  const k = kid(reference.balls.features, features, dim);
  const kidName = name("proxy_kid", "inception_kid");
  metrics[kidName] = k.value;
  metrics[`${kidName}_se`] = k.se;
  const knn = prdc(reference.balls, features);
  for (const [key, value] of Object.entries(knn)) {
    metrics[name(`proxy_${key}`, `inception_${key}`)] = value;
  }
  const same = referenceImages && referenceImages.shape.join("x") === generated.shape.join("x");
  if (same) {
    const s = swd(referenceImages.images, generated.images, generated.shape);
    metrics.swd = s.value;
    for (const [level, v] of Object.entries(s.levels)) metrics[`swd_${level}`] = v;
  } else {
    skipped.push(
      referenceImages
        ? `swd: the sets' shapes differ (${generated.shape.join("x")} and ${
          referenceImages.shape.join("x")
        }); SWD compares pixels of one size`
        : "swd: the reference is a statistics file (no images); SWD compares pixels",
    );
  }
  return {
    protocol: {
      ...p,
      n_generated: n,
      generated_source: generated.source,
      generated_split: generated.split,
      comparable_with_papers: inception,
      reference_key: reference.key,
    },
    metrics,
    skipped,
  };
}
