/**
 * Pictures of samples: a grid of images as one PNG.
 * @module
 */
import { encodePng as encode } from "../deps/images.ts";

/** Options for {@link gridPng}. */
export interface GridOptions {
  /** Images per row (default: `ceil(sqrt(n))`). */
  cols?: number;
  /** Border between and around images, in pixels (default 1). */
  border?: number;
  /** Border grey level 0-255 (default 128: visible on black and white digits alike). */
  borderValue?: number;
}

/**
 * Encodes `n` images `[n, h, w, c]` (`c` 1 or 3, values in [-1, 1], clipped)
 * as one PNG: `rows x cols` tiles, row-major, with a border; `shape` is one
 * image's `[h, w, c]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decode } from "npm:fast-png@8.0.0";
 * import { gridPng } from "../../mod.ts";
 * const png = gridPng(new Float32Array([-1, 1, 0, 1]), [1, 1, 1]); // 4 images of 1x1
 * const img = decode(png);
 * assert.deepEqual([img.width, img.height, img.channels], [5, 5, 1]); // 2x2 tiles, 1 px border
 * assert.equal(img.data[1 * 5 + 1], 0); // first tile: -1 -> 0
 * assert.equal(img.data[1 * 5 + 3], 255); // second tile: 1 -> 255
 * ```
 */
export function gridPng(
  samples: Float32Array,
  shape: readonly number[],
  options: GridOptions = {},
): Uint8Array {
  const [h, w, c] = shape;
  if (shape.length !== 3 || (c !== 1 && c !== 3)) {
    throw new Error(`gridPng takes images [h, w, 1 or 3], got ${shape.join("x")}`);
  }
  const size = h * w * c;
  const n = Math.floor(samples.length / size);
  if (n < 1) throw new Error("gridPng needs at least one image");
  const cols = Math.max(1, Math.min(n, options.cols ?? Math.ceil(Math.sqrt(n))));
  const rows = Math.ceil(n / cols);
  const b = options.border ?? 1;
  const width = cols * (w + b) + b, height = rows * (h + b) + b;
  const data = new Uint8Array(width * height * c).fill(options.borderValue ?? 128);
  for (let k = 0; k < n; k++) {
    const top = b + Math.floor(k / cols) * (h + b), left = b + (k % cols) * (w + b);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          const v = samples[k * size + (y * w + x) * c + ch];
          data[((top + y) * width + left + x) * c + ch] = Math.round(
            (Math.min(1, Math.max(-1, Number.isNaN(v) ? -1 : v)) + 1) * 127.5,
          );
        }
      }
    }
  }
  return encode({ width, height, data, channels: c, depth: 8 });
}
