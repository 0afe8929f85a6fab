/**
 * A finite image data set as a {@link DataSource}: a fixed train / held-out
 * split, pixels scaled to [-1, 1], and sampling from the train split.
 * @module
 */
import { createHash } from "node:crypto";
import { Rng } from "../rng.ts";
import type { RawImages } from "./cache.ts";
import type { DataSource, ExampleSet } from "./source.ts";

/**
 * Which images are held out: the first `heldOut` of a permutation of
 * `0..n-1` drawn from the fixed stream `Rng.derive(0, "data/split/<name>")`
 * (Fisher-Yates). It depends only on `name`, `n` and `heldOut`, never on the
 * experiment's seed, so every run of a data set sees the same split.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { heldOutMask } from "../../mod.ts";
 * const mask = heldOutMask("demo", 10, 3);
 * assert.equal(mask.filter(Boolean).length, 3);
 * assert.deepEqual(heldOutMask("demo", 10, 3), mask);
 * ```
 */
export function heldOutMask(name: string, n: number, heldOut: number): boolean[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rng = Rng.derive(0, `data/split/${name}`);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const mask = new Array<boolean>(n).fill(false);
  for (const i of order.slice(0, heldOut)) mask[i] = true;
  return mask;
}

/** The images at `indices` scaled from 0-255 to [-1, 1] (`v / 127.5 - 1`), with their labels. */
function gather(raw: RawImages, indices: readonly number[]): ExampleSet {
  const size = raw.shape[0] * raw.shape[1] * raw.shape[2];
  const images = new Float32Array(indices.length * size);
  const scaled = Float32Array.from({ length: 256 }, (_, v) => v / 127.5 - 1);
  indices.forEach((src, k) => {
    const from = src * size, to = k * size;
    for (let j = 0; j < size; j++) images[to + j] = scaled[raw.pixels[from + j]];
  });
  const labels = raw.labels ? Uint8Array.from(indices, (i) => raw.labels![i]) : undefined;
  return { images, n: indices.length, ...(labels ? { labels } : {}) };
}

/**
 * A data source over `raw`: images where `mask` is true form `heldOut`, the
 * rest `train`; images failing `keep` are dropped from both. `sample` draws
 * uniformly with replacement from `train`. `splitHash` is the SHA-256 of the
 * ids of each split, so two runs with equal hashes trained on the same images.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { imageSource, Rng } from "../../mod.ts";
 * const raw = { n: 2, shape: [1, 1, 1] as [number, number, number], pixels: new Uint8Array([0, 255]), ids: ["a", "b"] };
 * const data = imageSource(raw, [false, true]);
 * assert.deepEqual(Array.from(data.train!.images), [-1]);
 * assert.deepEqual(Array.from(data.sample(2, Rng.derive(0, "data"))), [-1, -1]);
 * ```
 */
export function imageSource(
  raw: RawImages,
  mask: readonly boolean[],
  keep: (i: number) => boolean = () => true,
): DataSource {
  const trainIdx: number[] = [], heldIdx: number[] = [];
  for (let i = 0; i < raw.n; i++) if (keep(i)) (mask[i] ? heldIdx : trainIdx).push(i);
  const train = gather(raw, trainIdx);
  const heldOut = heldIdx.length ? gather(raw, heldIdx) : undefined;
  const splitHash = createHash("sha256")
    .update(JSON.stringify({
      train: trainIdx.map((i) => raw.ids[i]),
      held_out: heldIdx.map((i) => raw.ids[i]),
    }))
    .digest("hex");
  const size = raw.shape[0] * raw.shape[1] * raw.shape[2];
  return {
    shape: raw.shape,
    train,
    ...(heldOut ? { heldOut } : {}),
    splitHash,
    sample(n: number, rng: Rng): Float32Array {
      const out = new Float32Array(n * size);
      for (let i = 0; i < n; i++) {
        const k = rng.int(train.n);
        out.set(train.images.subarray(k * size, (k + 1) * size), i * size);
      }
      return out;
    },
  };
}
