/**
 * Reference statistics: one image set's features in one extractor's space,
 * computed once and cached on disk by the hash of what determines them (like
 * clean-fid's custom statistics). The key is the SHA-256 of the images'
 * values (so the data set's content, its split and the sample count), the
 * split's name, and the extractor's name, weights hash and resize; any change
 * of one gives another file.
 *
 * A statistics file holds the protocol record, the features' mean and
 * covariance (for the Fréchet distance), every feature vector (for KID and
 * the k-NN metrics; `n x dim` float32, e.g. 80 MB for 10,000 Inception
 * features) and the real k-NN radii (k = 3 and 5, so precision, recall,
 * density and coverage need no k-NN pass over the reference).
 *
 * Where: `<cache>/feature_stats/<extractor>-<first 32 hex digits of the key>.stats`,
 * written atomically. Format, little-endian: `"DUELSTAT"`, u32 version (1),
 * u32 header length L, L bytes of JSON header `{key, protocol, shape, n, dim,
 * kPR, kDC}`, then float64 mean `[dim]`, float64 covariance `[dim, dim]`,
 * float32 features `[n, dim]`, float32 radii `[n]` for kPR then kDC, then the
 * SHA-256 of everything before it. A file that does not read back exactly is
 * recomputed, never trusted.
 * @module
 */
import { createHash } from "node:crypto";
import { writeAtomic } from "../files.ts";
import type { GaussianStats } from "./frechet.ts";
import { gaussianStats } from "./frechet.ts";
import type { PrdcReference } from "./prdc.ts";
import { prdcReference } from "./prdc.ts";
import type { ExtractorInfo, FeatureExtractor } from "./proxy_features.ts";

/** How reference features were measured: what every report of them records. */
export interface FeatureProtocol {
  /** The extractor's name, e.g. `proxy_randconv_v1` or `inception_v3_fid`. */
  readonly extractor: string;
  /** SHA-256 of its weights. */
  readonly weights_sha256: string;
  /** Feature dimension. */
  readonly dim: number;
  /** How images reach the extractor's input. */
  readonly resize: string;
  /** Which images: `held_out`, `train`, or `folder` (every image of a folder). */
  readonly split: string;
  /** How many reference images. */
  readonly n_reference: number;
  /** Where they came from (a folder, a data set), for people. */
  readonly source: string;
  /** SHA-256 of the reference images' values, float32 NHWC. */
  readonly images_sha256: string;
}

/** One reference set in one feature space. */
export interface ReferenceStats {
  /** The cache key (hex SHA-256). */
  readonly key: string;
  /** How it was measured. */
  readonly protocol: FeatureProtocol;
  /** Shape of one image. */
  readonly shape: readonly number[];
  /** Mean and covariance of the features. */
  readonly stats: GaussianStats;
  /** The features with their k-NN radii. */
  readonly balls: PrdcReference;
}

const MAGIC = new TextEncoder().encode("DUELSTAT");
const VERSION = 1;

/**
 * SHA-256 (hex) of float32 values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valuesHash } from "../../mod.ts";
 * assert.notEqual(valuesHash(new Float32Array([0])), valuesHash(new Float32Array([1])));
 * ```
 */
export function valuesHash(values: Float32Array): string {
  return createHash("sha256")
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest("hex");
}

/**
 * The cache key of a reference: the images' hash, the split and the extractor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROXY_EXTRACTOR, referenceKey } from "../../mod.ts";
 * const a = referenceKey("ab12", "held_out", PROXY_EXTRACTOR);
 * assert.notEqual(a, referenceKey("ab12", "train", PROXY_EXTRACTOR));
 * assert.notEqual(a, referenceKey("ab12", "held_out", { ...PROXY_EXTRACTOR, resize: "other" }));
 * ```
 */
export function referenceKey(imagesHash: string, split: string, x: ExtractorInfo): string {
  const inputs = { format: VERSION, imagesHash, split, extractor: x.name, weights: x.weightsHash };
  return createHash("sha256")
    .update(JSON.stringify({ ...inputs, dim: x.dim, resize: x.resize }))
    .digest("hex");
}

const bytesOf = (a: Float32Array | Float64Array) =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Encodes reference statistics in the file format (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeReferenceStats, encodeReferenceStats, PROXY_EXTRACTOR, referenceStats } from "../../mod.ts";
 * const ref = referenceStats(new Float32Array(8 * 4 * 4), [4, 4, 1], PROXY_EXTRACTOR, { split: "train", source: "zeros" });
 * const back = decodeReferenceStats(encodeReferenceStats(ref));
 * assert.deepEqual(back?.protocol, ref.protocol);
 * assert.equal(decodeReferenceStats(encodeReferenceStats(ref), "another key"), undefined);
 * ```
 */
export function encodeReferenceStats(ref: ReferenceStats): Uint8Array {
  const { dim, count } = ref.stats, b = ref.balls;
  const header = new TextEncoder().encode(JSON.stringify({
    key: ref.key,
    protocol: ref.protocol,
    shape: ref.shape,
    n: count,
    dim,
    kPR: b.kPR,
    kDC: b.kDC,
  }));
  const parts = [
    bytesOf(ref.stats.mean),
    bytesOf(ref.stats.cov),
    bytesOf(b.features),
    bytesOf(b.radiusPR),
    bytesOf(b.radiusDC),
  ];
  const body = 16 + header.length + parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(body + 32);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  let at = 16 + header.length;
  for (const p of parts) [out.set(p, at), at += p.length];
  out.set(createHash("sha256").update(out.subarray(0, body)).digest(), body);
  return out;
}

/** Copies `count` values of `Type` starting at byte `at` (copied: the offsets need not align). */
function take<T extends Float32Array | Float64Array>(
  Type: { new (n: number): T; BYTES_PER_ELEMENT: number },
  bytes: Uint8Array,
  at: number,
  count: number,
): T {
  const out = new Type(count);
  new Uint8Array(out.buffer).set(bytes.subarray(at, at + count * Type.BYTES_PER_ELEMENT));
  return out;
}

/**
 * Decodes a statistics file; undefined unless it is whole, of this version
 * and (when `key` is given) for `key`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeReferenceStats } from "../../mod.ts";
 * assert.equal(decodeReferenceStats(new TextEncoder().encode("not a statistics file")), undefined);
 * ```
 */
export function decodeReferenceStats(bytes: Uint8Array, key?: string): ReferenceStats | undefined {
  try {
    if (bytes.length < 48 || MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(8, true) !== VERSION) return undefined;
    const headerLength = view.getUint32(12, true), body = bytes.length - 32;
    if (16 + headerLength > body) return undefined;
    const digest = createHash("sha256").update(bytes.subarray(0, body)).digest();
    if (digest.some((b: number, i: number) => bytes[body + i] !== b)) return undefined;
    const h = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
    if (key !== undefined && h.key !== key) return undefined;
    const { n, dim } = h;
    let at = 16 + headerLength;
    if (at + 8 * (dim + dim * dim) + 4 * (n * dim + 2 * n) !== body) return undefined;
    const mean = take(Float64Array, bytes, at, dim);
    const cov = take(Float64Array, bytes, at += 8 * dim, dim * dim);
    const features = take(Float32Array, bytes, at += 8 * dim * dim, n * dim);
    const radiusPR = take(Float32Array, bytes, at += 4 * n * dim, n);
    const radiusDC = take(Float32Array, bytes, at += 4 * n, n);
    return {
      key: h.key,
      protocol: h.protocol,
      shape: h.shape,
      stats: { dim, count: n, mean, cov },
      balls: { dim, features, kPR: h.kPR, kDC: h.kDC, radiusPR, radiusDC },
    };
  } catch {
    return undefined;
  }
}

/** Where the reference images came from. */
export interface ReferenceOrigin {
  /** `held_out`, `train` or `folder`. */
  readonly split: string;
  /** A folder or data set, for people. */
  readonly source: string;
}

/**
 * The statistics of `images` (`[n, ...shape]`, in [-1, 1]) in `extractor`'s
 * space, computed now (see {@link cachedReferenceStats} for the cached form).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROXY_EXTRACTOR, referenceStats } from "../../mod.ts";
 * const ref = referenceStats(new Float32Array(8 * 4 * 4), [4, 4, 1], PROXY_EXTRACTOR, { split: "train", source: "zeros" });
 * assert.deepEqual([ref.protocol.n_reference, ref.stats.dim], [8, 112]);
 * ```
 */
export function referenceStats(
  images: Float32Array,
  shape: readonly number[],
  extractor: FeatureExtractor,
  origin: ReferenceOrigin,
  imagesHash: string = valuesHash(images),
): ReferenceStats {
  const features = extractor.features(images, shape);
  const n = features.length / extractor.dim;
  return {
    key: referenceKey(imagesHash, origin.split, extractor),
    protocol: {
      extractor: extractor.name,
      weights_sha256: extractor.weightsHash,
      dim: extractor.dim,
      resize: extractor.resize,
      split: origin.split,
      n_reference: n,
      source: origin.source,
      images_sha256: imagesHash,
    },
    shape,
    stats: gaussianStats(features, extractor.dim),
    balls: prdcReference(features, extractor.dim),
  };
}

/**
 * The statistics file of `key` for `extractor` under the cache folder `dir`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceStatsPath } from "../../mod.ts";
 * assert.equal(referenceStatsPath("/c", "proxy_randconv_v1", "ab".repeat(32)), `/c/feature_stats/proxy_randconv_v1-${"ab".repeat(16)}.stats`);
 * ```
 */
export function referenceStatsPath(dir: string, extractor: string, key: string): string {
  return `${dir}/feature_stats/${extractor}-${key.slice(0, 32)}.stats`;
}

/** What {@link cachedReferenceStats} returns. */
export interface CachedReferenceStats {
  /** The statistics. */
  readonly reference: ReferenceStats;
  /** `disk` when read from the cache, `built` when computed now. */
  readonly from: "disk" | "built";
  /** The cache file, when there is a cache folder that could be written or read. */
  readonly path?: string;
}

/**
 * {@link referenceStats}, read from the cache folder `dir` when present
 * there, else computed and saved (a folder that cannot be written is skipped;
 * `null`: no disk cache).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cachedReferenceStats, PROXY_EXTRACTOR } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * const images = new Float32Array(8 * 4 * 4).map((_, i) => Math.sin(i));
 * const origin = { split: "train", source: "sines" };
 * const a = await cachedReferenceStats(images, [4, 4, 1], PROXY_EXTRACTOR, origin, dir);
 * const b = await cachedReferenceStats(images, [4, 4, 1], PROXY_EXTRACTOR, origin, dir);
 * assert.deepEqual([a.from, b.from], ["built", "disk"]);
 * assert.equal(a.reference.key, b.reference.key);
 * ```
 */
export async function cachedReferenceStats(
  images: Float32Array,
  shape: readonly number[],
  extractor: FeatureExtractor,
  origin: ReferenceOrigin,
  dir: string | null | undefined,
): Promise<CachedReferenceStats> {
  const imagesHash = valuesHash(images);
  const key = referenceKey(imagesHash, origin.split, extractor);
  const path = dir ? referenceStatsPath(dir, extractor.name, key) : undefined;
  if (path) {
    const bytes = await Deno.readFile(path).catch(() => undefined);
    const known = bytes && decodeReferenceStats(bytes, key);
    if (known) return { reference: { ...known, shape }, from: "disk", path };
  }
  const reference = referenceStats(images, shape, extractor, origin, imagesHash);
  if (!path) return { reference, from: "built" };
  try {
    await Deno.mkdir(`${dir}/feature_stats`, { recursive: true });
    await writeAtomic(path, encodeReferenceStats(reference));
    return { reference, from: "built", path };
  } catch {
    return { reference, from: "built" }; // a read-only cache folder: keep it in memory
  }
}
