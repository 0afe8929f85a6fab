/**
 * pytorch-fid's input path for one image: grey repeated to 3 channels, then
 * `F.interpolate(size=(299, 299), mode="bilinear", align_corners=False)` (no
 * antialiasing: shrinking samples 2x2 neighbours, as pytorch-fid does), in
 * Duel's [-1, 1] values. pytorch-fid resizes [0, 1] images and then scales
 * them by `2x - 1`; bilinear weights sum to one, so resizing `2x - 1` gives
 * the same values (up to float rounding), and Duel's images already are
 * `2x - 1` of [0, 1] ones (`byte / 127.5 - 1` = `2 (byte / 255) - 1`).
 * @module
 */

/** The network's input side. */
export const INCEPTION_SIDE = 299;

/** One axis of the resize: for each output index the two source indices and their weights. */
interface Axis {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly w1: Float32Array;
}

/** PyTorch's `upsample_bilinear2d` (align_corners=False) source positions for `n` -> `out`. */
export function bilinearAxis(n: number, out: number): Axis {
  // As PyTorch computes them for float images: the scale in float32, the source position in
  // float64, the weight rounded to float32 (F.interpolate's values to one float32 ulp).
  const scale = Math.fround(n / out), i0 = new Int32Array(out), i1 = new Int32Array(out);
  const w1 = new Float32Array(out);
  for (let d = 0; d < out; d++) {
    const src = Math.max(0, scale * (d + 0.5) - 0.5), lo = Math.floor(src);
    i0[d] = lo;
    i1[d] = lo < n - 1 ? lo + 1 : lo;
    w1[d] = src - lo;
  }
  return { i0, i1, w1 };
}

/**
 * Writes image `[h, w, c]` (c = 1 or 3) resized to `[299, 299, 3]` into `out`
 * at `at` (see the module doc).
 */
export function inceptionInput(
  image: Float32Array,
  [h, w, c]: readonly number[],
  out: Float32Array,
  at: number,
  ys: Axis = bilinearAxis(h, INCEPTION_SIDE),
  xs: Axis = bilinearAxis(w, INCEPTION_SIDE),
): void {
  const S = INCEPTION_SIDE;
  for (let oy = 0; oy < S; oy++) {
    const r0 = ys.i0[oy] * w, r1 = ys.i1[oy] * w, b = ys.w1[oy], a = Math.fround(1 - b);
    for (let ox = 0; ox < S; ox++) {
      const c0 = xs.i0[ox], c1 = xs.i1[ox], q = xs.w1[ox], p = Math.fround(1 - q);
      const o = at + (oy * S + ox) * 3;
      for (let k = 0; k < 3; k++) {
        const ch = c === 3 ? k : 0;
        const top = p * image[(r0 + c0) * c + ch] + q * image[(r0 + c1) * c + ch];
        const bottom = p * image[(r1 + c0) * c + ch] + q * image[(r1 + c1) * c + ch];
        out[o + k] = a * top + b * bottom;
      }
    }
  }
}
