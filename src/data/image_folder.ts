/**
 * The `images` data set: every PNG and JPEG file directly inside one folder
 * (names ending `.png`, `.jpg`, `.jpeg`, any case; other files and
 * subfolders are ignored), in name order. All must share one size; each is
 * converted to the declared channels (see {@link toChannels}), resized to the
 * declared size (area when shrinking, bilinear when growing: see
 * {@link resizeImage}) and scaled to [-1, 1].
 *
 * A relative `path` is read from the current directory, like `output.root`
 * (and so the same `config.resolved.yaml` resumes from the same place).
 *
 * Decoded images go to the data cache, keyed by the folder's real path,
 * each file's name, size and modification time, and the size and channels.
 * @module
 */
import { ConfigError } from "../fields.ts";
import { type Bitmap, decodeImage, toChannels } from "../images/decode.ts";
import { resizeImage } from "../images/resize.ts";
import { cachedImages, cacheKey, type CacheOptions, type RawImages } from "./cache.ts";
import { heldOutMask, imageSource } from "./image_set.ts";
import type { DataSource } from "./source.ts";

/** What an `images` data set is given in the experiment file. */
export interface ImageFolderParams {
  /** The folder. */
  readonly path: string;
  /** `[h, w]` every image is resized to. */
  readonly size: readonly number[];
  /** 1 (grey) or 3 (RGB). */
  readonly channels: number;
  /** Images held out of training (a fixed seeded choice; see {@link heldOutMask}). */
  readonly held_out: number;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;
const VALID_FOLDER = "a folder of PNG or JPEG files, relative to the current directory";

/** The image files in `path`, sorted by name; ConfigErrors at `at` when there are none. */
function imageFiles(path: string, at: string): { name: string; size: number; mtime: number }[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(path)];
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "does not exist"
      : e instanceof Deno.errors.NotADirectory
      ? "is not a folder"
      : `cannot be read (${(e as Error).message})`;
    throw new ConfigError(at, `folder ${JSON.stringify(path)} ${why}`, VALID_FOLDER);
  }
  const files = entries
    .filter((e) => IMAGE_FILE.test(e.name))
    .map((e) => ({ name: e.name, stat: Deno.statSync(`${path}/${e.name}`) }))
    .filter((f) => f.stat.isFile)
    .map((f) => ({ name: f.name, size: f.stat.size, mtime: f.stat.mtime?.getTime() ?? 0 }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (!files.length) {
    throw new ConfigError(
      at,
      `folder ${JSON.stringify(path)} holds no PNG or JPEG files`,
      "files named *.png, *.jpg or *.jpeg",
    );
  }
  return files;
}

/** Decodes, converts and resizes every file; the first bad file is a ConfigError at `at`. */
function decodeFolder(
  path: string,
  names: readonly string[],
  [h, w]: readonly number[],
  channels: 1 | 3,
  at: string,
): RawImages {
  const size = h * w * channels;
  const pixels = new Uint8Array(names.length * size);
  let first: { name: string; image: Bitmap } | undefined;
  names.forEach((name, i) => {
    const file = `${path}/${name}`;
    let image: Bitmap;
    try {
      image = decodeImage(Deno.readFileSync(file));
    } catch (e) {
      throw new ConfigError(
        at,
        `${file}: cannot decode it: ${
          (e as Error).message.trim().replace(/:$/, "") || "unreadable"
        }`,
        "readable PNG or JPEG files",
      );
    }
    first ??= { name: file, image };
    if (image.width !== first.image.width || image.height !== first.image.height) {
      const dims = (b: Bitmap) => `${b.height}x${b.width}`;
      throw new ConfigError(
        at,
        `${file} is ${dims(image)} (height x width) but ${first.name} is ${dims(first.image)}`,
        "images of one size in a folder",
      );
    }
    const c = toChannels(image, channels);
    pixels.set(resizeImage(c.data, c.height, c.width, channels, h, w), i * size);
  });
  return { n: names.length, shape: [h, w, channels], pixels, ids: names };
}

/**
 * The folder's images as bytes, through the data cache.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "npm:fast-png@8.0.0";
 * import { imageFolderImages } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * const grey = new Uint8Array(16).fill(200);
 * await Deno.writeFile(`${dir}/a.png`, encode({ width: 4, height: 4, data: grey, channels: 1 }));
 * const params = { path: dir, size: [2, 2], channels: 3, held_out: 0 };
 * const { set } = imageFolderImages(params, "data", { dir: null });
 * assert.deepEqual(set.shape, [2, 2, 3]);
 * assert.ok(set.pixels.every((v) => v === 200));
 * ```
 */
export function imageFolderImages(
  p: ImageFolderParams,
  at: string,
  options: CacheOptions = {},
): ReturnType<typeof cachedImages> {
  const channels = imageChannels(p, at);
  const files = imageFiles(p.path, `${at}.path`);
  const key = cacheKey({
    format: 1,
    kind: "images",
    folder: Deno.realPathSync(p.path),
    files: files.map((f) => [f.name, f.size, f.mtime]),
    size: p.size,
    channels,
  });
  const names = files.map((f) => f.name);
  return cachedImages(
    "images",
    key,
    () => decodeFolder(p.path, names, p.size, channels, `${at}.path`),
    options,
  );
}

/** `channels`, checked to be 1 or 3. */
export function imageChannels(p: Pick<ImageFolderParams, "channels">, at: string): 1 | 3 {
  if (p.channels !== 1 && p.channels !== 3) {
    throw new ConfigError(`${at}.channels`, `got number ${p.channels}`, "1 (grey) or 3 (RGB)");
  }
  return p.channels;
}

/**
 * The `images` data source over a folder (see the module doc); `at` is the
 * key path of its config for errors (`data`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "npm:fast-png@8.0.0";
 * import { imageFolder } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * for (const name of ["a.png", "b.png", "c.png"]) {
 *   const data = new Uint8Array(4).fill(name === "a.png" ? 0 : 255);
 *   await Deno.writeFile(`${dir}/${name}`, encode({ width: 2, height: 2, data, channels: 1 }));
 * }
 * const data = imageFolder({ path: dir, size: [2, 2], channels: 1, held_out: 1 }, "data");
 * assert.equal(data.train!.n + data.heldOut!.n, 3);
 * assert.ok(data.train!.images.every((v) => v === -1 || v === 1));
 * ```
 */
export function imageFolder(
  p: ImageFolderParams,
  at: string,
  options: CacheOptions = {},
): DataSource {
  const { set } = imageFolderImages(p, at, options);
  if (p.held_out >= set.n) {
    throw new ConfigError(
      `${at}.held_out`,
      `is ${p.held_out} but ${JSON.stringify(p.path)} holds ${set.n} image${
        set.n === 1 ? "" : "s"
      }`,
      `0 to ${set.n - 1}, leaving at least one image to train on`,
    );
  }
  return imageSource(set, heldOutMask("images", set.n, p.held_out));
}
