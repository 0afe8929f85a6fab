/**
 * Which feature extractor the image metrics use, in one place: the proxy
 * (`proxy_features.ts`, no download) when no Inception weights are given,
 * else the Inception-v3 FID network read from the given `.pth` file. The
 * loaders are a table keyed by extractor kind, so tests (and a build
 * without Inception support) can pass their own.
 * @module
 */
import { loadInception } from "./inception/extractor.ts";
import { checkInceptionWeights } from "./inception/weights.ts";
import { type FeatureExtractor, PROXY_EXTRACTOR } from "./proxy_features.ts";

/** The kinds of feature extractor. */
export type ExtractorKind = "proxy" | "inception";

/** How one kind of extractor is checked (cheaply, before training) and loaded. */
export interface ExtractorLoader {
  /**
   * Checks the weights file without building the network; throws a one-line
   * `UserError` for a missing, corrupt or wrong file.
   */
  check(path: string): Promise<{ readonly sha256: string }>;
  /** The extractor with weights from `path`. */
  load(path: string): Promise<FeatureExtractor>;
}

/** The type of {@link EXTRACTOR_LOADERS}. */
export type ExtractorLoaders = { readonly [K in ExtractorKind]: ExtractorLoader };

/**
 * The loaders by kind. The proxy ignores its path (its weights are fixed by
 * seed, see `proxy_features.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXTRACTOR_LOADERS, PROXY_EXTRACTOR } from "../../mod.ts";
 * assert.equal(await EXTRACTOR_LOADERS.proxy.load(""), PROXY_EXTRACTOR);
 * ```
 */
export const EXTRACTOR_LOADERS: ExtractorLoaders = {
  proxy: {
    check: () => Promise.resolve({ sha256: PROXY_EXTRACTOR.weightsHash }),
    load: () => Promise.resolve(PROXY_EXTRACTOR),
  },
  inception: { check: checkInceptionWeights, load: loadInception },
};

/** Which extractor a run or a comparison asks for: Inception weights, or none (the proxy). */
export interface ExtractorSpec {
  /** Path of the Inception weights (`pt_inception-2015-12-05-6726825d.pth`); absent: the proxy. */
  readonly inception?: string;
}

/**
 * The kind of extractor `spec` asks for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractorKind } from "../../mod.ts";
 * assert.equal(extractorKind({}), "proxy");
 * assert.equal(extractorKind({ inception: "w.pth" }), "inception");
 * ```
 */
export function extractorKind(spec: ExtractorSpec): ExtractorKind {
  return spec.inception === undefined ? "proxy" : "inception";
}

/**
 * Checks the weights `spec` names (nothing to check for the proxy): one line
 * and exit 2 for a missing, corrupt or wrong file, before anything trains.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkExtractor, PROXY_EXTRACTOR } from "../../mod.ts";
 * assert.equal((await checkExtractor({})).sha256, PROXY_EXTRACTOR.weightsHash);
 * ```
 */
export function checkExtractor(
  spec: ExtractorSpec,
  loaders: ExtractorLoaders = EXTRACTOR_LOADERS,
): Promise<{ readonly sha256: string }> {
  return loaders[extractorKind(spec)].check(spec.inception ?? "");
}

/**
 * The feature extractor `spec` asks for: the proxy without a weights path,
 * else Inception-v3 with the weights at `spec.inception`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseExtractor } from "../../mod.ts";
 * assert.equal((await chooseExtractor({})).name, "proxy_randconv_v1");
 * await assert.rejects(chooseExtractor({ inception: "/nowhere.pth" }));
 * ```
 */
export function chooseExtractor(
  spec: ExtractorSpec,
  loaders: ExtractorLoaders = EXTRACTOR_LOADERS,
): Promise<FeatureExtractor> {
  return loaders[extractorKind(spec)].load(spec.inception ?? "");
}
