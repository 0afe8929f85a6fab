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
 * measured in it start with `proxy_`.
 * @module
 */
import { createHash } from "node:crypto";
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

interface Conv {
  readonly cin: number;
  readonly cout: number;
  /** `[3, 3, cin, cout]`. */
  readonly w: Float32Array;
}

const CONVS: readonly Conv[] = WIDTHS.slice(1).map((cout, i) => {
  const cin = WIDTHS[i];
  const w = Rng.derive(0, `proxy/conv${i + 1}`).fillNormal(new Float32Array(9 * cin * cout));
  const scale = Math.sqrt(2 / (9 * cin));
  for (let k = 0; k < w.length; k++) w[k] *= scale;
  return { cin, cout, w };
});

/** One image `[side, side, cin]` through a 3x3 stride-2 convolution (padding 1) and ReLU. */
function convRelu(x: Float32Array, side: number, { cin, cout, w }: Conv): Float32Array {
  const out = side / 2, y = new Float32Array(out * out * cout);
  const acc = new Float64Array(cout);
  for (let oy = 0; oy < out; oy++) {
    for (let ox = 0; ox < out; ox++) {
      acc.fill(0);
      for (let ky = 0; ky < 3; ky++) {
        const iy = 2 * oy + ky - 1;
        if (iy < 0 || iy >= side) continue;
        for (let kx = 0; kx < 3; kx++) {
          const ix = 2 * ox + kx - 1;
          if (ix < 0 || ix >= side) continue;
          const xo = (iy * side + ix) * cin, wo = (ky * 3 + kx) * cin * cout;
          for (let ci = 0; ci < cin; ci++) {
            const v = x[xo + ci];
            if (v === 0) continue;
            const wr = wo + ci * cout;
            for (let co = 0; co < cout; co++) acc[co] += v * w[wr + co];
          }
        }
      }
      const yo = (oy * out + ox) * cout;
      for (let co = 0; co < cout; co++) y[yo + co] = acc[co] > 0 ? acc[co] : 0;
    }
  }
  return y;
}

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
  return Float32Array.from(resized, (v) => v / 127.5 - 1);
}

const hash = createHash("sha256");
for (const { w } of CONVS) hash.update(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));
const WEIGHTS_HASH = hash.digest("hex");

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
  features(images: Float32Array, shape: readonly number[]): Float32Array {
    const size = shape.reduce((a, b) => a * b, 1), n = images.length / size;
    if (shape.length !== 3 || !Number.isInteger(n) || (shape[2] !== 1 && shape[2] !== 3)) {
      throw new Error(
        `proxy features: need [n, h, w, 1|3] images, got ${images.length} values ` +
          `of shape ${shape.join("x")}`,
      );
    }
    const out = new Float32Array(n * DIM);
    for (let i = 0; i < n; i++) {
      let x = proxyInput(images.subarray(i * size, (i + 1) * size), shape), side = SIDE, at = 0;
      for (const conv of CONVS) {
        x = convRelu(x, side, conv);
        side /= 2;
        const cells = side * side;
        for (let p = 0; p < cells; p++) {
          for (let co = 0; co < conv.cout; co++) out[i * DIM + at + co] += x[p * conv.cout + co];
        }
        for (let co = 0; co < conv.cout; co++) out[i * DIM + at + co] /= cells;
        at += conv.cout;
      }
    }
    return out;
  },
};
