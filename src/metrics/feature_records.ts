/**
 * The feature-space image metrics as records of the metric table, one family
 * per feature extractor: the proxy's (`proxy_*`, no download, measured at
 * every evaluation of image data; not comparable with papers) and
 * Inception-v3's (`fid`, `inception_*`, measured when the run has
 * `eval.inception` weights; the numbers papers print). Each family is the
 * Fréchet distance, KID with its standard error, and precision, recall,
 * density and coverage, against the run's reference (`proxy_metrics.ts`).
 * @module
 */
import { frechetDistance, gaussianStats } from "./frechet.ts";
import { kid } from "./kid.ts";
import type { MetricRun } from "./metric_run.ts";
import type { MetricKind, OptIn } from "./metric_table.ts";
import { PROXY_MIN_SAMPLES } from "./proxy_metrics.ts";
import type { ExtractorKind } from "./extractor_choice.ts";

/** The proxy family's names. */
export type ProxyMetricName =
  | "proxy_fd"
  | "proxy_kid"
  | "proxy_precision"
  | "proxy_recall"
  | "proxy_density"
  | "proxy_coverage";

/** The Inception family's names. */
export type InceptionMetricName =
  | "fid"
  | "inception_kid"
  | "inception_precision"
  | "inception_recall"
  | "inception_density"
  | "inception_coverage";

const REFERENCE = `against the held-out images (at least ${PROXY_MIN_SAMPLES}, up to ` +
  "eval.samples) or else eval.samples training images";
const PROXY_NOTE = "in the proxy feature space (`proxy_randconv_v1`: a fixed random conv net, " +
  `no download; not comparable with papers' Inception numbers); ${REFERENCE}`;
const INCEPTION_NOTE = "in Inception-v3's pool features (pytorch-fid's network, 2048-d, weights " +
  `from eval.inception; comparable with papers under the same protocol); ${REFERENCE}`;

interface Family {
  readonly names: readonly string[];
  readonly tag: string;
  readonly note: string;
  readonly ranks: readonly number[];
  readonly fdLabel: string;
  readonly fdDoc: string;
}

const FAMILIES: Readonly<Record<ExtractorKind, Family>> = {
  proxy: {
    names: [
      "proxy_fd",
      "proxy_kid",
      "proxy_precision",
      "proxy_recall",
      "proxy_density",
      "proxy_coverage",
    ],
    tag: "proxy features",
    note: PROXY_NOTE,
    ranks: [15, 16, 18, 19, 20],
    fdLabel: "FD (proxy features)",
    fdDoc: "Fréchet distance",
  },
  inception: {
    names: [
      "fid",
      "inception_kid",
      "inception_precision",
      "inception_recall",
      "inception_density",
      "inception_coverage",
    ],
    tag: "Inception",
    note: INCEPTION_NOTE,
    ranks: [21, 22, 23, 24, 25],
    fdLabel: "FID",
    fdDoc: "Fréchet Inception distance (FID)",
  },
};

/**
 * The records of one family (see the module doc): the proxy's are opt-in
 * names that are also measured unlisted (`optIn.auto`); Inception's are
 * measured wherever the run has Inception weights.
 */
export function featureRecords(
  kind: "proxy",
): Record<ProxyMetricName, MetricKind & { optIn: OptIn }>;
export function featureRecords(kind: "inception"): Record<InceptionMetricName, MetricKind>;
export function featureRecords(kind: ExtractorKind): Record<string, MetricKind> {
  const f = FAMILIES[kind];
  const [fdName, kidName, pName, rName, dName, cName] = f.names;
  const ctx = (run: MetricRun) => run.space(kind);
  const extra = kind === "proxy"
    ? { needs: ["image_data"] as const, optIn: { minSamples: PROXY_MIN_SAMPLES, auto: true } }
    : { needs: ["image_data", "inception"] as const };
  const knn = (what: string, k: number) => `${what}, k = ${k}, ${f.note}`;
  return {
    [fdName]: {
      label: f.fdLabel,
      better: "lower",
      rank: f.ranks[0],
      doc: `lower is better: ${f.fdDoc} between Gaussians fitted to features ${f.note}`,
      ...extra,
      // Resamples have the proxy space only (see `resampledRun`): Inception's FID keeps no s.e.
      ...(kind === "proxy" ? { resampled: true } : {}),
      measure: (run: MetricRun) => {
        const c = ctx(run), dim = c.reference.extractor.dim;
        return frechetDistance(gaussianStats(c.features(), dim), c.reference.stats);
      },
    },
    [kidName]: {
      label: `KID (${f.tag})`,
      better: "lower",
      rank: f.ranks[1],
      doc: "lower is better: kernel inception distance: unbiased MMD² with k(x, y) = " +
        `(x·y / d + 1)^3 and its jackknife standard error (\`eval/${kidName}_se\`), ${f.note}`,
      ...extra,
      measure: (run: MetricRun) => {
        const c = ctx(run);
        return kid(c.reference.features, c.features(), c.reference.extractor.dim);
      },
    },
    [pName]: {
      label: `precision (${f.tag})`,
      better: "higher",
      rank: f.ranks[2],
      doc: `higher is better: ${knn("share of generated images inside the real k-NN balls", 3)}`,
      ...extra,
      measure: (run: MetricRun) => ctx(run).prdc().precision,
    },
    [rName]: {
      label: `recall (${f.tag})`,
      better: "higher",
      rank: f.ranks[3],
      doc: `higher is better: ${knn("share of real images inside the generated k-NN balls", 3)}`,
      ...extra,
      measure: (run: MetricRun) => ctx(run).prdc().recall,
    },
    [dName]: {
      label: `density (${f.tag})`,
      doc: `about 1 when both match: ${
        knn("mean count of real k-NN balls holding a generated image, over k", 5)
      }`,
      ...extra,
      measure: (run: MetricRun) => ctx(run).prdc().density,
    },
    [cName]: {
      label: `coverage (${f.tag})`,
      better: "higher",
      rank: f.ranks[4],
      doc: `higher is better: ${knn("share of real k-NN balls holding a generated image", 5)}`,
      ...extra,
      measure: (run: MetricRun) => ctx(run).prdc().coverage,
    },
  };
}
