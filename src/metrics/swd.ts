/**
 * Sliced Wasserstein distance on Laplacian-pyramid patches (Karras et al.
 * 2018, ProGAN's `sliced_wasserstein.py`): each image's Laplacian pyramid
 * (5x5 binomial filter, reflect padding) from full size down to 16 pixels on
 * the short side (one level for smaller images); from each level, 7x7 patches
 * at seeded random places, the same for both sets (at most {@link SWD_DESCRIPTORS} per set and level);
 * each set's descriptors normalised per channel (mean 0, std 1); then the mean
 * over random unit directions of the 1-D Wasserstein-1 distance between the
 * projected sets, times 1e3 as ProGAN reports it. Needs no weights.
 * Deviations from ProGAN, for speed on CPUs: {@link SWD_DIRECTIONS} directions
 * (ProGAN: 4 x 128) and fewer descriptors (ProGAN: 128 patches of 16,384 images).
 * @module
 */
import { Rng } from "../rng.ts";

/** Descriptors per set and level, at most. */
export const SWD_DESCRIPTORS = 4096;
/** Random projection directions. */
export const SWD_DIRECTIONS = 128;
const PATCH = 7;
const FILTER = [1, 4, 6, 4, 1].map((v) => v / 16);

/** One level: `[h, w, c]` values. */
interface Level {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly x: Float32Array;
}

const reflect = (
  i: number,
  n: number,
) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : Math.min(n - 1, i));

/** Separable 5x5 binomial blur with reflect padding (`gain` scales the result). */
function blur({ h, w, c, x }: Level, gain = 1): Level {
  const tmp = new Float32Array(x.length), out = new Float32Array(x.length);
  for (let y = 0; y < h; y++) {
    for (let i = 0; i < w; i++) {
      for (let k = 0; k < c; k++) {
        let v = 0;
        for (let t = 0; t < 5; t++) v += FILTER[t] * x[(y * w + reflect(i + t - 2, w)) * c + k];
        tmp[(y * w + i) * c + k] = v;
      }
    }
  }
  for (let y = 0; y < h; y++) {
    for (let i = 0; i < w; i++) {
      for (let k = 0; k < c; k++) {
        let v = 0;
        for (let t = 0; t < 5; t++) v += FILTER[t] * tmp[(reflect(y + t - 2, h) * w + i) * c + k];
        out[(y * w + i) * c + k] = gain * v;
      }
    }
  }
  return { h, w, c, x: out };
}

function down(level: Level): Level {
  const b = blur(level), h = Math.ceil(level.h / 2), w = Math.ceil(level.w / 2), c = level.c;
  const x = new Float32Array(h * w * c);
  for (let y = 0; y < h; y++) {
    for (let i = 0; i < w; i++) {
      for (let k = 0; k < c; k++) x[(y * w + i) * c + k] = b.x[(2 * y * b.w + 2 * i) * c + k];
    }
  }
  return { h, w, c, x };
}

/** Zero-insertion upsampling to `h x w`, then the blur with gain 4. */
function up(level: Level, h: number, w: number): Level {
  const c = level.c, x = new Float32Array(h * w * c);
  for (let y = 0; y < level.h && 2 * y < h; y++) {
    for (let i = 0; i < level.w && 2 * i < w; i++) {
      for (let k = 0; k < c; k++) {
        x[(2 * y * w + 2 * i) * c + k] = level.x[(y * level.w + i) * c + k];
      }
    }
  }
  return blur({ h, w, c, x }, 4);
}

/** The number of pyramid levels for `[h, w]` images: halvings while the short side stays >= 16. */
export function swdLevels(h: number, w: number): number {
  let levels = 1, side = Math.min(h, w);
  while (side / 2 >= 16) side /= 2, levels++;
  return levels;
}

/**
 * The Laplacian pyramid of one image `[h, w, c]`, finest first: each level
 * minus the upsampled next, the last level the coarse image itself.
 */
export function laplacianPyramid(image: Float32Array, shape: readonly number[]): Level[] {
  const [h, w, c] = shape, levels = swdLevels(h, w);
  const gauss: Level[] = [{ h, w, c, x: image }];
  for (let l = 1; l < levels; l++) gauss.push(down(gauss[l - 1]));
  return gauss.map((g, l) => {
    if (l === levels - 1) return g;
    const u = up(gauss[l + 1], g.h, g.w);
    return { ...g, x: g.x.map((v, i) => v - u.x[i]) };
  });
}

/** Per-channel standardisation of `[n, p*p*c]` descriptors in place. */
function normalise(d: Float32Array, c: number): void {
  for (let k = 0; k < c; k++) {
    let s = 0, ss = 0, count = 0;
    for (let i = k; i < d.length; i += c) s += d[i], ss += d[i] * d[i], count++;
    const mean = s / count, std = Math.sqrt(Math.max(ss / count - mean * mean, 0)) || 1;
    for (let i = k; i < d.length; i += c) d[i] = (d[i] - mean) / std;
  }
}

/**
 * The mean over `directions` seeded random unit directions of the
 * Wasserstein-1 distance between the projections of `a` and `b`, both
 * `[n, dim]` with the same `n` (sorted projections matched in order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slicedWasserstein } from "../../mod.ts";
 * const a = new Float32Array([0, 0, 1, 1, 2, 0]);
 * assert.equal(slicedWasserstein(a, a, 2), 0);
 * ```
 */
export function slicedWasserstein(
  a: Float32Array,
  b: Float32Array,
  dim: number,
  directions = SWD_DIRECTIONS,
  rng: Rng = Rng.derive(0, "swd/directions"),
): number {
  const n = a.length / dim;
  if (b.length !== a.length || !Number.isInteger(n) || n < 1) {
    throw new Error(
      `sliced Wasserstein: need two [n, ${dim}] sets of one size, got ` +
        `${a.length} and ${b.length} values`,
    );
  }
  const u = rng.fillNormal(new Float64Array(dim)),
    pa = new Float64Array(n),
    pb = new Float64Array(n);
  let total = 0;
  for (let r = 0; r < directions; r++) {
    rng.fillNormal(u);
    const norm = Math.hypot(...u);
    for (let i = 0; i < n; i++) {
      let sa = 0, sb = 0;
      for (let k = 0; k < dim; k++) sa += a[i * dim + k] * u[k], sb += b[i * dim + k] * u[k];
      pa[i] = sa / norm, pb[i] = sb / norm;
    }
    pa.sort(), pb.sort();
    let d = 0;
    for (let i = 0; i < n; i++) d += Math.abs(pa[i] - pb[i]);
    total += d / n;
  }
  return total / directions;
}

/** Descriptors of one level of `images`: `count` patches per image at seeded places. */
function descriptors(
  pyramids: Level[][],
  level: number,
  perImage: number,
  rng: Rng,
): { d: Float32Array; dim: number } {
  const { h, w, c } = pyramids[0][level], p = Math.min(PATCH, h, w), dim = p * p * c;
  const d = new Float32Array(pyramids.length * perImage * dim);
  let at = 0;
  for (const pyr of pyramids) {
    const x = pyr[level].x;
    for (let q = 0; q < perImage; q++) {
      const y0 = rng.int(h - p + 1), x0 = rng.int(w - p + 1);
      for (let y = 0; y < p; y++) {
        const row = ((y0 + y) * w + x0) * c;
        d.set(x.subarray(row, row + p * c), at);
        at += p * c;
      }
    }
  }
  normalise(d, c);
  return { d, dim };
}

/** SWD per level (keyed by the level's height) and their mean, both x 1e3. */
export interface SwdResult {
  /** The mean over levels. */
  readonly value: number;
  /** Per level, by the level's height, e.g. `{ "64": .., "32": .., "16": .. }`. */
  readonly levels: Readonly<Record<string, number>>;
}

/**
 * SWD between two sets of NHWC images in [-1, 1] of one `shape` (the larger
 * set is cut to the smaller one's size, keeping its first images).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng, swd } from "../../mod.ts";
 * const a = Rng.derive(0, "a").fillNormal(new Float32Array(4 * 16 * 16));
 * const r = swd(a, a, [16, 16, 1]);
 * assert.deepEqual([r.value, Object.keys(r.levels)], [0, ["16"]]);
 * ```
 */
export function swd(real: Float32Array, fake: Float32Array, shape: readonly number[]): SwdResult {
  const size = shape.reduce((x, y) => x * y, 1);
  const n = Math.min(real.length, fake.length) / size;
  if (!Number.isInteger(n) || n < 1 || shape.length !== 3) {
    throw new Error(`swd: need [n, h, w, c] images, got ${real.length} and ${fake.length} values`);
  }
  const pyramids = (x: Float32Array) =>
    Array.from(
      { length: n },
      (_, i) => laplacianPyramid(x.subarray(i * size, (i + 1) * size), shape),
    );
  const [pr, pf] = [pyramids(real), pyramids(fake)];
  const perImage = Math.max(1, Math.min(128, Math.floor(SWD_DESCRIPTORS / n)));
  const levels: Record<string, number> = {};
  pr[0].forEach((level, l) => {
    const a = descriptors(pr, l, perImage, Rng.derive(0, `swd/patches/${l}`));
    const b = descriptors(pf, l, perImage, Rng.derive(0, `swd/patches/${l}`));
    levels[String(level.h)] = 1e3 * slicedWasserstein(a.d, b.d, a.dim);
  });
  const values = Object.values(levels);
  return { value: values.reduce((s, v) => s + v, 0) / values.length, levels };
}
