/**
 * Image resizing for data sets, separable (rows, then columns): along an axis
 * that shrinks, each output pixel is the area-weighted mean of the input
 * pixels it covers (box filter: no aliasing, exact for integer factors);
 * along an axis that grows, bilinear interpolation between pixel centres
 * (half-pixel convention, edges clamped). Values are rounded to bytes.
 * @module
 */

/** Per output index along one axis: the input indices it reads and their weights. */
type Taps = { readonly index: number[]; readonly weight: number[] }[];

/** The taps that map an axis of `from` pixels onto `to` pixels (see the module doc). */
function axisTaps(from: number, to: number): Taps {
  const taps: Taps = [];
  for (let j = 0; j < to; j++) {
    const index: number[] = [], weight: number[] = [];
    if (to < from) {
      const s = from / to, lo = j * s, hi = (j + 1) * s;
      for (let i = Math.floor(lo); i < Math.min(from, Math.ceil(hi)); i++) {
        const overlap = Math.min(hi, i + 1) - Math.max(lo, i);
        if (overlap > 0) index.push(i), weight.push(overlap / s);
      }
    } else {
      const x = Math.min(from - 1, Math.max(0, (j + 0.5) * from / to - 0.5));
      const i0 = Math.floor(x), i1 = Math.min(i0 + 1, from - 1), t = x - i0;
      index.push(i0, i1), weight.push(1 - t, t);
    }
    taps.push({ index, weight });
  }
  return taps;
}

/**
 * Resizes one image `[h, w, c]` of bytes to `[outH, outW, c]` (area when
 * shrinking, bilinear when growing, per axis).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resizeImage } from "../../mod.ts";
 * // 2x2 -> 1x1 is the mean; 1x1 -> 2x2 repeats the pixel.
 * assert.deepEqual(Array.from(resizeImage(new Uint8Array([0, 100, 200, 100]), 2, 2, 1, 1, 1)), [100]);
 * assert.deepEqual(Array.from(resizeImage(new Uint8Array([9]), 1, 1, 1, 2, 2)), [9, 9, 9, 9]);
 * ```
 */
export function resizeImage(
  pixels: Uint8Array,
  h: number,
  w: number,
  c: number,
  outH: number,
  outW: number,
): Uint8Array {
  if (h === outH && w === outW) return pixels.slice();
  const cols = axisTaps(w, outW), rows = axisTaps(h, outH);
  const wide = new Float64Array(h * outW * c); // columns resized, rows not yet
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < outW; x++) {
      const { index, weight } = cols[x];
      for (let k = 0; k < c; k++) {
        let v = 0;
        for (let t = 0; t < index.length; t++) v += weight[t] * pixels[(y * w + index[t]) * c + k];
        wide[(y * outW + x) * c + k] = v;
      }
    }
  }
  const out = new Uint8Array(outH * outW * c);
  for (let y = 0; y < outH; y++) {
    const { index, weight } = rows[y];
    for (let x = 0; x < outW; x++) {
      for (let k = 0; k < c; k++) {
        let v = 0;
        for (let t = 0; t < index.length; t++) v += weight[t] * wide[(index[t] * outW + x) * c + k];
        out[(y * outW + x) * c + k] = Math.min(255, Math.max(0, Math.round(v)));
      }
    }
  }
  return out;
}
