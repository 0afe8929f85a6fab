/**
 * The proxy feature extractor: features for image metrics that need no
 * download, so every image run has numbers offline. It is a fixed network of
 * three random 3x3 convolutions (stride 2, ReLU; He-normal weights from the
 * stream `Rng.derive(0, "proxy/conv<i>")`, zero biases) on images converted to
 * RGB (grey repeated) and resized to 32x32 with Duel's image resize (area when
 * shrinking, bilinear when growing, on bytes); the features are the spatial
 * means of each layer's output (16 + 32 + 64 = 112 values). Numbers in this
 * space are comparable only with other numbers in this space (same extractor
 * name and weights hash), never with papers' Inception-based ones: metric keys
 * measured in it start with `proxy_`. The convolutions sum in doubles, on Duel's
 * Rust kernel where the kernels are loaded (`src/backend/rust/proxy_conv.ts`),
 * else in JavaScript, to the same bits (about 6x faster: 0.34 s for 2,000 MNIST
 * digits against 1.8 s in an evaluation).
 * @module
 */
import { createHash } from "node:crypto";
import { type ProxyConv, proxyConvLayers } from "../backend/rust/proxy_conv.ts";
import { resizeImage } from "../images/resize.ts";
import { Rng } from "../rng.ts";

/** A feature extractor as reports record it. */
export interface ExtractorInfo {
  /** Its name, e.g. `proxy_randconv_v1`. */
  readonly name: string;
  /** SHA-256 (hex) of its weights. */
  readonly weightsHash: string;
  /** Feature dimension. */
  readonly dim: number;
  /** How images are brought to its input size, e.g. `area/bilinear to 32x32x3`. */
  readonly resize: string;
}

/** Feature extraction of NHWC images in [-1, 1] of one `shape`. */
export interface FeatureExtractor extends ExtractorInfo {
  /** Features of `images` (`[n, ...shape]`), row-major `[n, dim]`. */
  features(images: Float32Array, shape: readonly number[]): Float32Array;
}

const SIDE = 32;
const WIDTHS = [3, 16, 32, 64];
const DIM = 16 + 32 + 64;

const CONVS: readonly ProxyConv[] = WIDTHS.slice(1).map((cout, i) => {
  const cin = WIDTHS[i];
  const w = Rng.derive(0, `proxy/conv${i + 1}`).fillNormal(new Float32Array(9 * cin * cout));
  const scale = Math.sqrt(2 / (9 * cin));
  for (let k = 0; k < w.length; k++) w[k] *= scale;
  return { cin, cout, w };
});

/** Images through the convolutions per call (`proxyConvLayers`): ~3 MB of inputs and outputs. */
const CHUNK = 64;

/** One image `[h, w, c]` in [-1, 1] as `[32, 32, 3]` in [-1, 1] (see the module doc). */
export function proxyInput(image: Float32Array, [h, w, c]: readonly number[]): Float32Array {
  const bytes = new Uint8Array(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    for (let k = 0; k < 3; k++) {
      const v = image[p * c + (c === 3 ? k : 0)];
      bytes[p * 3 + k] = Math.min(255, Math.max(0, Math.round((v + 1) * 127.5)));
    }
  }
  const resized = resizeImage(bytes, h, w, 3, SIDE, SIDE);
  const out = new Float32Array(resized.length);
  for (let k = 0; k < out.length; k++) out[k] = resized[k] / 127.5 - 1;
  return out;
}

const hash = createHash("sha256");
for (const { w } of CONVS) hash.update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
const WEIGHTS_HASH = hash.digest("hex");

/**
 * The proxy features of `images` (`[n, h, w, 1 | 3]`, see the module doc), row-major `[n, 112]`:
 * what {@link PROXY_EXTRACTOR} gives. `rust`: whether the convolutions run on Duel's Rust
 * kernel (default: where the kernels are loaded) or in JavaScript, same bits.
 */
export function proxyFeatures(
  images: Float32Array,
  shape: readonly number[],
  rust?: boolean,
): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1), n = images.length / size;
  if (shape.length !== 3 || !Number.isInteger(n) || (shape[2] !== 1 && shape[2] !== 3)) {
    throw new Error(
      `proxy features: need [n, h, w, 1|3] images, got ${images.length} values ` +
        `of shape ${shape.join("x")}`,
    );
  }
  const out = new Float32Array(n * DIM), inSize = SIDE * SIDE * 3;
  const inputs = new Float32Array(Math.min(n, CHUNK) * inSize);
  for (let first = 0; first < n; first += CHUNK) {
    const m = Math.min(CHUNK, n - first);
    for (let i = 0; i < m; i++) {
      const image = images.subarray((first + i) * size, (first + i + 1) * size);
      inputs.set(proxyInput(image, shape), i * inSize);
    }
    const layers = proxyConvLayers(inputs.subarray(0, m * inSize), m, SIDE, CONVS, rust);
    // Each layer's spatial means, added in float32 pixel by pixel.
    let side = SIDE, at = 0;
    CONVS.forEach(({ cout }, l) => {
      side /= 2;
      const cells = side * side, y = layers[l];
      for (let i = 0; i < m; i++) {
        const o = (first + i) * DIM + at, yo = i * cells * cout;
        for (let p = 0; p < cells; p++) {
          for (let co = 0; co < cout; co++) out[o + co] += y[yo + p * cout + co];
        }
        for (let co = 0; co < cout; co++) out[o + co] /= cells;
      }
      at += cout;
    });
  }
  return out;
}

/**
 * The proxy extractor (see the module doc).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROXY_EXTRACTOR } from "../../mod.ts";
 * const f = PROXY_EXTRACTOR.features(new Float32Array(2 * 8 * 8), [8, 8, 1]);
 * assert.equal(f.length, 2 * PROXY_EXTRACTOR.dim);
 * assert.match(PROXY_EXTRACTOR.weightsHash, /^[0-9a-f]{64}$/);
 * ```
 */
export const PROXY_EXTRACTOR: FeatureExtractor = {
  name: "proxy_randconv_v1",
  weightsHash: WEIGHTS_HASH,
  dim: DIM,
  resize: `area/bilinear to ${SIDE}x${SIDE}x3 (grey repeated)`,
  features: (images, shape) => proxyFeatures(images, shape),
};
