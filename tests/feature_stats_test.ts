/**
 * Reference statistics (issue 18, part 4): computed once, cached by the hash of the images, the
 * split and the extractor (name, weights hash, resize); a torn or foreign file is recomputed.
 */
import assert from "node:assert/strict";
import {
  cachedReferenceStats,
  decodeReferenceStats,
  encodeReferenceStats,
  referenceKey,
} from "../src/metrics/feature_stats.ts";
import { type FeatureExtractor, PROXY_EXTRACTOR } from "../src/metrics/proxy_features.ts";
import { frechetDistance, gaussianStats } from "../src/metrics/frechet.ts";
import { swd } from "../src/metrics/swd.ts";
import { Rng } from "../src/rng.ts";
import { shapePicture } from "./_images.ts";

/** `n` grey shapes `[h, w, 1]` in [-1, 1]. */
function shapes(n: number, h = 16, w = 16, from = 0): Float32Array {
  const out = new Float32Array(n * h * w);
  for (let k = 0; k < n; k++) {
    out.set(Array.from(shapePicture(from + k, h, w), (v) => v / 127.5 - 1), k * h * w);
  }
  return out;
}

const ORIGIN = { split: "held_out", source: "shapes" };

Deno.test("reference statistics: a miss computes and saves, a hit reads the same numbers", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_stats_" });
  const images = shapes(12);
  const a = await cachedReferenceStats(images, [16, 16, 1], PROXY_EXTRACTOR, ORIGIN, dir);
  const b = await cachedReferenceStats(images, [16, 16, 1], PROXY_EXTRACTOR, ORIGIN, dir);
  assert.deepEqual([a.from, b.from], ["built", "disk"]);
  assert.equal(a.path, b.path);
  assert.deepEqual(b.reference.stats.mean, a.reference.stats.mean);
  assert.deepEqual(b.reference.stats.cov, a.reference.stats.cov);
  assert.deepEqual(b.reference.balls.features, a.reference.balls.features);
  assert.deepEqual(b.reference.balls.radiusDC, a.reference.balls.radiusDC);
  assert.deepEqual(b.reference.protocol, {
    extractor: "proxy_randconv_v1",
    weights_sha256: PROXY_EXTRACTOR.weightsHash,
    dim: 112,
    resize: PROXY_EXTRACTOR.resize,
    split: "held_out",
    n_reference: 12,
    source: "shapes",
    images_sha256: a.reference.protocol.images_sha256,
  });
  // One more image, another split: other keys, other files.
  const more = await cachedReferenceStats(shapes(13), [16, 16, 1], PROXY_EXTRACTOR, ORIGIN, dir);
  const train = await cachedReferenceStats(images, [16, 16, 1], PROXY_EXTRACTOR, {
    ...ORIGIN,
    split: "train",
  }, dir);
  assert.deepEqual([more.from, train.from], ["built", "built"]);
  assert.equal(new Set([a.path, more.path, train.path]).size, 3);
  // A torn file is recomputed over, never trusted.
  const bytes = await Deno.readFile(a.path!);
  await Deno.writeFile(a.path!, bytes.subarray(0, bytes.length - 9));
  const c = await cachedReferenceStats(images, [16, 16, 1], PROXY_EXTRACTOR, ORIGIN, dir);
  assert.equal(c.from, "built");
  assert.equal(
    (await cachedReferenceStats(images, [16, 16, 1], PROXY_EXTRACTOR, ORIGIN, dir)).from,
    "disk",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the cache key changes with the images, split, extractor name, weights and resize", () => {
  const other: FeatureExtractor = { ...PROXY_EXTRACTOR, name: "other" };
  const keys = [
    referenceKey("aa", "held_out", PROXY_EXTRACTOR),
    referenceKey("ab", "held_out", PROXY_EXTRACTOR),
    referenceKey("aa", "train", PROXY_EXTRACTOR),
    referenceKey("aa", "held_out", other),
    referenceKey("aa", "held_out", { ...PROXY_EXTRACTOR, weightsHash: "0".repeat(64) }),
    referenceKey("aa", "held_out", { ...PROXY_EXTRACTOR, resize: "bicubic to 299x299" }),
  ];
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(referenceKey("aa", "held_out", PROXY_EXTRACTOR), keys[0]);
});

Deno.test("a statistics file round-trips exactly and refuses another key or a flipped byte", async () => {
  const images = shapes(10);
  const { reference } = await cachedReferenceStats(
    images,
    [16, 16, 1],
    PROXY_EXTRACTOR,
    ORIGIN,
    null,
  );
  const bytes = encodeReferenceStats(reference);
  const back = decodeReferenceStats(bytes, reference.key)!;
  assert.deepEqual(back.stats, reference.stats);
  assert.deepEqual(back.balls, reference.balls);
  assert.equal(decodeReferenceStats(bytes, "f".repeat(64)), undefined);
  const flipped = bytes.slice();
  flipped[200] ^= 1;
  assert.equal(decodeReferenceStats(flipped), undefined);
  // The Fréchet distance against the decoded statistics is the one against the features.
  const gen = PROXY_EXTRACTOR.features(shapes(10, 16, 16, 40), [16, 16, 1]);
  const direct = frechetDistance(
    gaussianStats(gen, 112),
    gaussianStats(reference.balls.features, 112),
  );
  assert.equal(frechetDistance(gaussianStats(gen, 112), back.stats), direct);
});

Deno.test("SWD grows with a known brightness shift of one set", () => {
  const a = shapes(16);
  const shifted = (d: number) => a.map((v) => Math.max(-1, Math.min(1, v + d)));
  const values = [0, 0.1, 0.3, 0.6].map((d) => swd(a, shifted(d), [16, 16, 1]).value);
  assert.equal(values[0], 0);
  for (let i = 1; i < values.length; i++) assert.ok(values[i] > values[i - 1], `${values}`);
  // Noise images are farther still than any shift.
  const noise = Rng.derive(0, "swd/noise").fillUniform(new Float32Array(a.length), -1, 1);
  assert.ok(swd(a, noise, [16, 16, 1]).value > values[1]);
});
