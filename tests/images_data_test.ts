/** The image data sets (MNIST, an image folder), their split, cache and errors. */
import assert from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import { ConfigError } from "../src/fields.ts";
import {
  cachedImages,
  cacheKey,
  decodeImages,
  encodeImages,
  forgetCachedImages,
} from "../src/data/cache.ts";
import { imageFolder, imageFolderImages } from "../src/data/image_folder.ts";
import { mnist, mnistImages } from "../src/data/mnist.ts";
import type { DataSource } from "../src/data/source.ts";
import { decodeImage } from "../src/images/decode.ts";
import { resizeImage } from "../src/images/resize.ts";
import { Rng } from "../src/rng.ts";
import { jpegPicture, pngVariants, rgbPicture, shapePicture, writeShapeFolder } from "./_images.ts";

// Every cache file of this test goes to a temp folder, never ~/.cache/duel.
const CACHE = await Deno.makeTempDir({ prefix: "duel_cache_test_" });
Deno.env.set("DUEL_CACHE_DIR", CACHE);

const cacheFiles = (kind: string) =>
  [...Deno.readDirSync(CACHE)].map((e) => e.name).filter((n) => n.startsWith(`${kind}-`));

function assertRange(x: Float32Array): void {
  let lo = Infinity, hi = -Infinity;
  for (const v of x) lo = Math.min(lo, v), hi = Math.max(hi, v);
  assert.ok(lo >= -1 && hi <= 1, `values in [${lo}, ${hi}]`);
}

function assertSameSource(a: DataSource, b: DataSource): void {
  assert.deepEqual(a.shape, b.shape);
  assert.equal(a.splitHash, b.splitHash);
  assert.deepEqual(a.train!.images, b.train!.images);
  assert.deepEqual(a.train!.labels, b.train!.labels);
  assert.deepEqual(a.heldOut?.images, b.heldOut?.images);
}

// ---------------------------------------------------------------------------------------------
// MNIST

Deno.test("mnist: 10,000 digits, a fixed 9,000 / 1,000 split, 28x28x1 in [-1, 1]", () => {
  const data = mnist();
  assert.deepEqual(data.shape, [28, 28, 1]);
  assert.equal(data.train!.n, 9000);
  assert.equal(data.heldOut!.n, 1000);
  assert.equal(data.train!.images.length, 9000 * 784);
  assert.equal(data.heldOut!.labels!.length, 1000);
  assertRange(data.train!.images);
  assert.ok(data.train!.images.some((v) => v === -1) && data.train!.images.some((v) => v === 1));
  // Every digit is on both sides of the split, roughly in proportion.
  const counts = new Array(10).fill(0);
  for (const d of data.heldOut!.labels!) counts[d]++;
  assert.ok(counts.every((c) => c >= 60 && c <= 140), JSON.stringify(counts));
  // The split is fixed: the same hash on every load (and a known value: a change is a new split).
  assert.match(data.splitHash!, /^[0-9a-f]{64}$/);
  assert.equal(mnist().splitHash, data.splitHash);
  assert.equal(data.splitHash, MNIST_SPLIT_HASH, "the MNIST split changed");
});

/** SHA-256 of the MNIST split's image ids (recorded when the split was first made). */
const MNIST_SPLIT_HASH = "9ba6fa9485dbae92e776001197f92ae992edbc3ddf55bb7261b95a7c9230e2b5";

Deno.test("mnist: digits keeps those classes on both sides of the same split", () => {
  const all = mnist();
  const some = mnist([3, 7]);
  assert.ok(some.train!.labels!.every((d) => d === 3 || d === 7));
  assert.ok(some.heldOut!.labels!.every((d) => d === 3 || d === 7));
  const count = (s: DataSource, part: "train" | "heldOut") =>
    all[part]!.labels!.filter((d) => d === 3 || d === 7).length === s[part]!.n;
  assert.ok(count(some, "train") && count(some, "heldOut"));
  // The held-out 3s and 7s are exactly the full split's held-out 3s and 7s, in order.
  const size = 784;
  const pick = (s: DataSource) => {
    const rows: number[][] = [];
    s.heldOut!.labels!.forEach((d, i) => {
      if (d === 3 || d === 7) {
        rows.push(Array.from(s.heldOut!.images.subarray(i * size, i * size + 20 * 28)));
      }
    });
    return rows;
  };
  assert.deepEqual(pick(some), pick(all));
  assert.notEqual(some.splitHash, all.splitHash);
});

Deno.test("mnist: sample draws training images, the same ones for the same seed", () => {
  const data = mnist();
  const a = data.sample(6, Rng.derive(3, "data"));
  assert.deepEqual(data.sample(6, Rng.derive(3, "data")), a);
  assert.notDeepEqual(data.sample(6, Rng.derive(4, "data")), a);
  const rows = (x: Float32Array, n: number) =>
    Array.from({ length: n }, (_, i) => x.subarray(i * 784, (i + 1) * 784).join(","));
  const train = new Set(rows(data.train!.images, data.train!.n));
  for (const row of rows(a, 6)) assert.ok(train.has(row), "a sample that is not a training image");
});

Deno.test("mnist: the second load reads the cache and gives identical arrays", () => {
  const dir = Deno.makeTempDirSync();
  forgetCachedImages();
  const first = mnistImages({ dir });
  assert.equal(first.from, "built");
  assert.equal(first.set.n, 10000);
  forgetCachedImages();
  const second = mnistImages({ dir });
  assert.equal(second.from, "disk");
  assert.deepEqual(second.set.pixels, first.set.pixels);
  assert.deepEqual(second.set.labels, first.set.labels);
  assert.deepEqual(second.set.ids, first.set.ids);
  assert.equal(mnistImages({ dir }).from, "memory");
});

// ---------------------------------------------------------------------------------------------
// The cache file

Deno.test("cache: a damaged or foreign cache file is rebuilt, not trusted", () => {
  const dir = Deno.makeTempDirSync();
  const key = cacheKey({ test: "damaged", id: crypto.randomUUID() });
  let builds = 0;
  const build = () => {
    builds++;
    return {
      n: 2,
      shape: [2, 2, 1] as [number, number, number],
      pixels: new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]),
      labels: new Uint8Array([1, 0]),
      ids: ["a", "b"],
    };
  };
  const load = () => {
    forgetCachedImages();
    return cachedImages("t", key, build, { dir });
  };
  assert.equal(load().from, "built");
  assert.equal(load().from, "disk");
  const [file] = [...Deno.readDirSync(dir)].map((e) => `${dir}/${e.name}`);
  const good = Deno.readFileSync(file);
  // Every kind of damage: a flipped pixel, a cut-off file, an empty file, another key's file.
  const damaged = [
    (() => {
      const b = good.slice();
      b[b.length - 40] ^= 1;
      return b;
    })(),
    good.slice(0, good.length - 5),
    new Uint8Array(0),
    encodeImages(build(), "another key"),
  ];
  builds = 0;
  for (const bytes of damaged) {
    Deno.writeFileSync(file, bytes);
    const again = load();
    assert.equal(again.from, "built");
    assert.deepEqual(again.set.pixels, new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]));
    assert.deepEqual(Deno.readFileSync(file), good, "the rebuilt file is written back");
  }
  assert.equal(builds, damaged.length);
  assert.deepEqual(decodeImages(good, key)?.labels, new Uint8Array([1, 0]));
  // No temporary files are left behind.
  assert.deepEqual([...Deno.readDirSync(dir)].length, 1);
});

Deno.test("cache: an unwritable cache folder only costs a rebuild", () => {
  const file = Deno.makeTempFileSync(); // a file where the folder should be
  const key = cacheKey({ test: "unwritable", id: crypto.randomUUID() });
  const set = {
    n: 1,
    shape: [1, 1, 1] as [number, number, number],
    pixels: new Uint8Array([9]),
    ids: ["a"],
  };
  assert.equal(cachedImages("t", key, () => set, { dir: `${file}/sub` }).from, "built");
});

// ---------------------------------------------------------------------------------------------
// Decoding and resizing

Deno.test("decode: grey, grey+alpha, RGB, RGBA, 16-bit PNG and JPEG read as grey or RGB bytes", () => {
  const [h, w] = [6, 5];
  const grey = shapePicture(0, h, w), rgb = rgbPicture(1, h, w);
  const files = pngVariants(h, w);
  const expect: Record<string, [1 | 3, Uint8Array]> = {
    "grey.png": [1, grey],
    "grey-alpha.png": [1, grey],
    "grey16.png": [1, grey],
    "rgb.png": [3, rgb],
    "rgba.png": [3, rgb],
  };
  for (const [name, bytes] of Object.entries(files)) {
    const img = decodeImage(bytes);
    assert.deepEqual([img.width, img.height, img.channels], [w, h, expect[name][0]], name);
    assert.deepEqual(img.data, expect[name][1], name);
  }
  const jpeg = decodeImage(jpegPicture(1, 16, 16));
  assert.deepEqual([jpeg.width, jpeg.height, jpeg.channels], [16, 16, 3]);
  const want = rgbPicture(1, 16, 16);
  const err = jpeg.data.reduce((s, v, i) => s + Math.abs(v - want[i]), 0) / want.length;
  assert.ok(err < 12, `JPEG mean abs error ${err}`);
  // A 1-bit grey PNG is stretched to 0 / 255.
  const bits = encodePng({
    width: 3,
    height: 1,
    data: new Uint8Array([0b10100000]),
    channels: 1,
    depth: 1,
  });
  assert.deepEqual(decodeImage(bits).data, new Uint8Array([255, 0, 255]));
});

Deno.test("resize: area mean when shrinking, bilinear when growing, exact at the same size", () => {
  // 4x4 -> 2x2: each output is the mean of a 2x2 block.
  const src = Uint8Array.from({ length: 16 }, (_, i) => i * 10);
  assert.deepEqual(Array.from(resizeImage(src, 4, 4, 1, 2, 2)), [25, 45, 105, 125]);
  // 4x4 -> 3x3 keeps the mean (area weights sum to one per output, coverage is uniform).
  const big = Uint8Array.from({ length: 36 }, (_, i) => (i * 37) % 256);
  const small = resizeImage(big, 6, 6, 1, 3, 3);
  const mean = (a: Uint8Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(small) - mean(big)) < 1);
  // 1x2 -> 1x4: half-pixel bilinear [a, 3a/4 + b/4, a/4 + 3b/4, b] with clamped edges.
  assert.deepEqual(Array.from(resizeImage(new Uint8Array([0, 200]), 1, 2, 1, 1, 4)), [
    0,
    50,
    150,
    200,
  ]);
  // Channels stay apart.
  const rgb = new Uint8Array([10, 20, 30, 50, 60, 70]);
  assert.deepEqual(Array.from(resizeImage(rgb, 1, 2, 3, 1, 1)), [30, 40, 50]);
  assert.deepEqual(resizeImage(rgb, 1, 2, 3, 1, 2), rgb);
});

// ---------------------------------------------------------------------------------------------
// The images folder

Deno.test("images: a folder of PNGs, resized, in [-1, 1], cached, with a fixed held-out split", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_images_" });
  const names = await writeShapeFolder(`${dir}/shapes`, 12, [16, 16]);
  await Deno.writeTextFile(`${dir}/shapes/notes.txt`, "not an image: ignored");
  await Deno.mkdir(`${dir}/shapes/sub.png`); // a folder named like an image: ignored
  const p = { path: `${dir}/shapes`, size: [8, 8], channels: 1, held_out: 2 };
  forgetCachedImages();
  const first = imageFolderImages(p, "data", { dir: CACHE });
  assert.equal(first.from, "built");
  assert.deepEqual(first.set.ids, names);
  const data = imageFolder(p, "data", { dir: CACHE });
  assert.deepEqual(data.shape, [8, 8, 1]);
  assert.equal(data.train!.n, 10);
  assert.equal(data.heldOut!.n, 2);
  assert.equal(data.train!.labels, undefined);
  assertRange(data.train!.images);
  // Image 0 shrunk 2x by area equals the mean of each 2x2 block of the original.
  const original = shapePicture(0, 16, 16);
  const block = (y: number, x: number) =>
    Math.round(
      (original[2 * y * 16 + 2 * x] + original[2 * y * 16 + 2 * x + 1] +
        original[(2 * y + 1) * 16 + 2 * x] + original[(2 * y + 1) * 16 + 2 * x + 1]) / 4,
    );
  const want = Array.from({ length: 64 }, (_, i) => block(Math.floor(i / 8), i % 8));
  assert.deepEqual(Array.from(first.set.pixels.subarray(0, 64)), want);
  // The second load (a new process: memory forgotten) reads the cache; the arrays are identical.
  assert.equal(cacheFiles("images").length >= 1, true);
  forgetCachedImages();
  assert.equal(imageFolderImages(p, "data", { dir: CACHE }).from, "disk");
  forgetCachedImages();
  assertSameSource(imageFolder(p, "data", { dir: CACHE }), data);
  // The same seed samples the same images, from the training split only.
  const a = data.sample(5, Rng.derive(1, "data"));
  assert.deepEqual(data.sample(5, Rng.derive(1, "data")), a);
  const train = new Set(
    Array.from({ length: 10 }, (_, i) => data.train!.images.subarray(i * 64, (i + 1) * 64).join()),
  );
  for (let i = 0; i < 5; i++) assert.ok(train.has(a.subarray(i * 64, (i + 1) * 64).join()));
  // Other channels or sizes are other cache entries; RGB repeats the grey.
  const rgb = imageFolder({ ...p, channels: 3 }, "data", { dir: CACHE });
  assert.deepEqual(rgb.shape, [8, 8, 3]);
  assert.deepEqual(rgb.train!.images.filter((_, i) => i % 3 === 0), data.train!.images);
  // Changing a file changes the key: the folder is decoded again.
  await Deno.writeFile(
    `${dir}/shapes/${names[0]}`,
    encodePng({ width: 16, height: 16, data: new Uint8Array(256).fill(255), channels: 1 }),
  );
  const changed = imageFolderImages(p, "data", { dir: CACHE });
  assert.equal(changed.from, "built");
  assert.ok(changed.set.pixels.subarray(0, 64).every((v) => v === 255));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("images: mixed formats (grey, RGBA, 16-bit PNG, JPEG) load together as RGB", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_images_" });
  for (const [name, bytes] of Object.entries(pngVariants(12, 12))) {
    await Deno.writeFile(`${dir}/${name}`, bytes);
  }
  await Deno.writeFile(`${dir}/photo.JPG`, jpegPicture(2, 12, 12));
  const data = imageFolder({ path: dir, size: [6, 6], channels: 3, held_out: 0 }, "data");
  assert.equal(data.train!.n, 6);
  assert.equal(data.heldOut, undefined);
  assert.deepEqual(data.shape, [6, 6, 3]);
  assertRange(data.train!.images);
  await Deno.remove(dir, { recursive: true });
});

/** The ConfigError `fn` throws. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  assert.fail("no ConfigError");
}

Deno.test("images: each bad folder is one ConfigError naming the key, the file and what is valid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_images_bad_" });
  const p = (path: string, extra = {}) => ({
    path,
    size: [8, 8],
    channels: 1,
    held_out: 0,
    ...extra,
  });
  const png = (h: number, w: number) =>
    encodePng({ width: w, height: h, data: new Uint8Array(h * w), channels: 1 });

  let e = configError(() => imageFolder(p(`${dir}/nowhere`), "data"));
  assert.equal(e.path, "data.path");
  assert.match(e.message, /folder ".*nowhere" does not exist \(valid: a folder of PNG or JPEG/);

  await Deno.writeTextFile(`${dir}/file.txt`, "x");
  e = configError(() => imageFolder(p(`${dir}/file.txt`), "data"));
  assert.match(e.message, /is not a folder/);

  await Deno.mkdir(`${dir}/empty`);
  await Deno.writeTextFile(`${dir}/empty/readme.md`, "no pictures here");
  e = configError(() => imageFolder(p(`${dir}/empty`), "data"));
  assert.match(e.message, /holds no PNG or JPEG files \(valid: files named \*\.png, \*\.jpg/);

  await Deno.mkdir(`${dir}/corrupt`);
  await Deno.writeFile(`${dir}/corrupt/a.png`, png(8, 8));
  await Deno.writeFile(`${dir}/corrupt/b.png`, png(8, 8).slice(0, 30));
  await Deno.writeTextFile(`${dir}/corrupt/c.jpg`, "plain text, not a JPEG");
  e = configError(() => imageFolder(p(`${dir}/corrupt`), "data"));
  assert.equal(e.path, "data.path");
  assert.match(
    e.message,
    /corrupt\/b\.png: cannot decode it: .* \(valid: readable PNG or JPEG files\)$/,
  );
  await Deno.remove(`${dir}/corrupt/b.png`);
  e = configError(() => imageFolder(p(`${dir}/corrupt`), "data"));
  assert.match(e.message, /corrupt\/c\.jpg: cannot decode it: not a PNG or JPEG file/);

  await Deno.mkdir(`${dir}/mixed`);
  await Deno.writeFile(`${dir}/mixed/a.png`, png(8, 8));
  await Deno.writeFile(`${dir}/mixed/b.png`, png(8, 8));
  await Deno.writeFile(`${dir}/mixed/c.png`, png(10, 6));
  e = configError(() => imageFolder(p(`${dir}/mixed`), "data"));
  assert.match(
    e.message,
    /mixed\/c\.png is 10x6 \(height x width\) but .*mixed\/a\.png is 8x8 \(valid: images of one size/,
  );
  assert.equal(e.message.split("\n").length, 1);

  await Deno.mkdir(`${dir}/two`);
  await Deno.writeFile(`${dir}/two/a.png`, png(8, 8));
  await Deno.writeFile(`${dir}/two/b.png`, png(8, 8));
  e = configError(() => imageFolder(p(`${dir}/two`, { held_out: 2 }), "data"));
  assert.equal(e.path, "data.held_out");
  assert.match(e.message, /is 2 but .* holds 2 images \(valid: 0 to 1/);
  e = configError(() => imageFolder(p(`${dir}/two`, { channels: 2 }), "data"));
  assert.equal(e.path, "data.channels");
  await Deno.remove(dir, { recursive: true });
});
