/**
 * The data cache: a decoded image set (MNIST, an image folder) is kept as
 * one compact binary file, keyed by a hash of its inputs, so later runs read
 * a few megabytes instead of decoding JSON, PNG or JPEG again.
 *
 * Where: `$DUEL_CACHE_DIR`, else `$XDG_CACHE_HOME/duel`, else `~/.cache/duel`.
 * One file per key, `<kind>-<first 32 hex digits of the key>.bin`, written
 * atomically (a temporary file, then a rename). A file that does not read
 * back exactly (wrong magic, version, key, length or checksum) is rebuilt,
 * never trusted. A cache folder that cannot be written is skipped silently:
 * the data is then decoded on every run.
 *
 * Format, little-endian:
 * `"DUELDATA"` (8 bytes), u32 version (1), u32 header length L, L bytes of
 * JSON header `{key, n, shape: [h, w, c], labels: boolean, ids: string[]}`,
 * `n*h*w*c` pixel bytes (row-major `[n, h, w, c]`, 0-255), `n` label bytes
 * when `labels`, then the SHA-256 of everything before it (32 bytes).
 * @module
 */
import { createHash } from "node:crypto";

/** A decoded image set before scaling: 8-bit pixels, optional labels, and an id per image. */
export interface RawImages {
  /** How many images. */
  readonly n: number;
  /** Shape of one image, `[h, w, c]`. */
  readonly shape: readonly [number, number, number];
  /** Pixels 0-255, row-major `[n, h, w, c]`. */
  readonly pixels: Uint8Array;
  /** One class label per image, when known. */
  readonly labels?: Uint8Array;
  /** A stable name per image (file name, or `digit/index` for MNIST), in order. */
  readonly ids: readonly string[];
}

/** Where the data was found by {@link cachedImages}. */
export type CacheHit = "memory" | "disk" | "built";

const MAGIC = new TextEncoder().encode("DUELDATA");
const VERSION = 1;

/**
 * SHA-256 (hex) of a JSON-serialisable description of a data set's inputs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheKey } from "../../mod.ts";
 * assert.equal(cacheKey({ a: 1 }), cacheKey({ a: 1 }));
 * assert.notEqual(cacheKey({ a: 1 }), cacheKey({ a: 2 }));
 * ```
 */
export function cacheKey(inputs: unknown): string {
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/**
 * Encodes an image set in the cache format (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeImages, encodeImages } from "../../mod.ts";
 * const set = { n: 1, shape: [1, 2, 1] as [number, number, number], pixels: new Uint8Array([0, 255]), ids: ["a"] };
 * assert.deepEqual(decodeImages(encodeImages(set, "k"), "k")?.pixels, set.pixels);
 * assert.equal(decodeImages(encodeImages(set, "k"), "other key"), undefined);
 * ```
 */
export function encodeImages(set: RawImages, key: string): Uint8Array {
  const header = new TextEncoder().encode(JSON.stringify({
    key,
    n: set.n,
    shape: set.shape,
    labels: set.labels !== undefined,
    ids: set.ids,
  }));
  const labels = set.labels ?? new Uint8Array(0);
  const bodyLength = 16 + header.length + set.pixels.length + labels.length;
  const out = new Uint8Array(bodyLength + 32);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  out.set(set.pixels, 16 + header.length);
  out.set(labels, 16 + header.length + set.pixels.length);
  out.set(createHash("sha256").update(out.subarray(0, bodyLength)).digest(), bodyLength);
  return out;
}

/** Decodes a cache file; undefined unless it is whole, of this version and for `key`. */
export function decodeImages(bytes: Uint8Array, key: string): RawImages | undefined {
  try {
    if (bytes.length < 16 + 32 || MAGIC.some((b, i) => bytes[i] !== b)) return undefined;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view.getUint32(8, true) !== VERSION) return undefined;
    const headerLength = view.getUint32(12, true);
    const bodyLength = bytes.length - 32;
    if (16 + headerLength > bodyLength) return undefined;
    const digest = createHash("sha256").update(bytes.subarray(0, bodyLength)).digest();
    if (digest.some((b: number, i: number) => bytes[bodyLength + i] !== b)) return undefined;
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
    const { n, shape, labels, ids } = header;
    if (header.key !== key || !Array.isArray(ids) || ids.length !== n) return undefined;
    const size = n * shape[0] * shape[1] * shape[2];
    const start = 16 + headerLength;
    if (start + size + (labels ? n : 0) !== bodyLength) return undefined;
    return {
      n,
      shape: [shape[0], shape[1], shape[2]],
      pixels: bytes.slice(start, start + size),
      ...(labels ? { labels: bytes.slice(start + size, start + size + n) } : {}),
      ids,
    };
  } catch {
    return undefined;
  }
}

/** Writes `data` to `path` through a temporary file and a rename (synchronous). */
function writeAtomicSync(path: string, data: Uint8Array): void {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* never created */ }
    throw e;
  }
}

// Sets already loaded by this process (the loader validates, then the trainer builds).
const memory = new Map<string, RawImages>();
const MEMORY_LIMIT = 4;

/** Options for {@link cachedImages}. */
export interface CacheOptions {
  /**
   * The cache folder (entry points pass `cacheDirFromEnv()` of `src/env.ts`); absent or
   * `null`: no disk cache, only this process's memory.
   */
  dir?: string | null;
}

/**
 * The image set for `key`: from this process's memory, else the disk cache,
 * else `build()` (then saved to both). `kind` prefixes the cache file name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cachedImages, cacheKey } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * const key = cacheKey({ example: crypto.randomUUID() });
 * const build = () => ({ n: 1, shape: [1, 1, 1] as [number, number, number], pixels: new Uint8Array([7]), ids: ["x"] });
 * assert.equal(cachedImages("demo", key, build, { dir }).from, "built");
 * assert.equal(cachedImages("demo", key, build, { dir }).from, "memory");
 * ```
 */
export function cachedImages(
  kind: string,
  key: string,
  build: () => RawImages,
  options: CacheOptions = {},
): { set: RawImages; from: CacheHit } {
  const remembered = memory.get(key);
  if (remembered) return { set: remembered, from: "memory" };
  const dir = options.dir ?? undefined;
  const file = dir ? `${dir}/${kind}-${key.slice(0, 32)}.bin` : undefined;
  let set: RawImages | undefined;
  let from: CacheHit = "disk";
  if (file) {
    try {
      set = decodeImages(Deno.readFileSync(file), key);
    } catch { /* missing or unreadable: rebuild */ }
  }
  if (!set) {
    set = build();
    from = "built";
    if (file) {
      try {
        Deno.mkdirSync(dir!, { recursive: true });
        writeAtomicSync(file, encodeImages(set, key));
      } catch { /* a read-only cache: decode again next time */ }
    }
  }
  if (memory.size >= MEMORY_LIMIT) memory.delete(memory.keys().next().value!);
  memory.set(key, set);
  return { set, from };
}

/** Forgets the sets held in memory (tests: force a read of the disk cache). */
export function forgetCachedImages(): void {
  memory.clear();
}
