/**
 * Cartoon faces, drawn from a seed: the RGB example data set (64x64x3 by
 * default). Each face varies in its background, face shape (an ellipse of
 * seeded width and height), skin tone, hair colour and style (short, long or
 * with a fringe), eye spacing, size and iris colour, eyebrows, mouth (smile,
 * flat or open) and cheeks. Shapes are painted back to front with 3x3
 * supersampling, so edges are anti-aliased. Face `k` of seed `s` depends only
 * on `(s, k)` and the size: `tools/make_faces.ts` writes them as PNGs.
 * @module
 */
import { Rng } from "../rng.ts";

type Rgb = readonly [number, number, number];
type Inside = (x: number, y: number) => boolean;

const SKIN: readonly Rgb[] = [
  [255, 224, 196],
  [241, 194, 158],
  [224, 172, 125],
  [198, 134, 94],
  [141, 85, 56],
  [255, 214, 214],
];
const HAIR: readonly Rgb[] = [
  [40, 30, 25],
  [110, 62, 30],
  [230, 190, 90],
  [200, 60, 40],
  [60, 90, 200],
  [230, 120, 190],
  [235, 235, 240],
  [80, 170, 90],
];
const IRIS: readonly Rgb[] = [[60, 110, 200], [110, 70, 30], [60, 150, 80], [150, 50, 160], [
  30,
  30,
  30,
]];
const BACKGROUND: readonly Rgb[] = [
  [200, 225, 245],
  [250, 235, 200],
  [215, 240, 215],
  [235, 215, 240],
  [245, 245, 245],
  [255, 210, 200],
];

/** A float RGB canvas `[side, side, 3]` in [0, 255] with anti-aliased painting. */
class Canvas {
  readonly px: Float32Array;
  constructor(readonly h: number, readonly w: number, fill: Rgb) {
    this.px = new Float32Array(h * w * 3);
    for (let p = 0; p < h * w; p++) this.px.set(fill, 3 * p);
  }
  /** Paints `color` with `alpha` where `inside` holds (coordinates in units of the 64-px face). */
  paint(inside: Inside, color: Rgb, alpha = 1): void {
    const sx = 64 / this.w, sy = 64 / this.h;
    for (let y = 0; y < this.h; y++) {
      for (let x = 0; x < this.w; x++) {
        let hits = 0;
        for (let j = 0; j < 3; j++) {
          for (let i = 0; i < 3; i++) {
            if (inside((x + (i + 0.5) / 3) * sx, (y + (j + 0.5) / 3) * sy)) hits++;
          }
        }
        if (!hits) continue;
        const a = (alpha * hits) / 9, o = 3 * (y * this.w + x);
        for (let k = 0; k < 3; k++) this.px[o + k] += a * (color[k] - this.px[o + k]);
      }
    }
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.px, (v) => Math.min(255, Math.max(0, Math.round(v))));
  }
}

const ellipse = (cx: number, cy: number, rx: number, ry: number): Inside => (x, y) =>
  ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[rng.int(list.length)];
const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.uniform();
const shade = (c: Rgb, f: number): Rgb => [c[0] * f, c[1] * f, c[2] * f];

/** An arc of a circle (centre, radius, thickness) kept between `x0` and `x1`. */
function arc(cx: number, cy: number, r: number, t: number, x0: number, x1: number): Inside {
  return (x, y) => x >= x0 && x <= x1 && Math.abs(Math.hypot(x - cx, y - cy) - r) <= t / 2;
}

function drawEyes(c: Canvas, rng: Rng, cx: number, ey: number, hair: Rgb): void {
  const sep = between(rng, 6.5, 9.5), rx = between(rng, 3, 4.6), ry = between(rng, 3, 5);
  const iris = pick(rng, IRIS), lookX = between(rng, -0.8, 0.8);
  const browLift = between(rng, 1.5, 3.5), browTilt = between(rng, -1.2, 1.2);
  for (const side of [-1, 1]) {
    const x = cx + side * sep;
    c.paint(ellipse(x, ey, rx, ry), [255, 255, 255]);
    c.paint(ellipse(x + lookX, ey + 0.4, rx * 0.62, ry * 0.75), iris);
    c.paint(ellipse(x + lookX, ey + 0.4, rx * 0.3, ry * 0.38), [15, 15, 20]);
    c.paint(ellipse(x + lookX - rx * 0.25, ey - ry * 0.3, 0.9, 0.9), [255, 255, 255]);
    const by = ey - ry - browLift;
    c.paint((px, py) => {
      const u = (px - x) / (rx + 0.8);
      return Math.abs(u) <= 1 && Math.abs(py - (by + side * u * browTilt)) <= 0.8;
    }, shade(hair, 0.8));
  }
}

function drawMouth(c: Canvas, rng: Rng, cx: number, my: number): void {
  const kind = rng.int(3), half = between(rng, 3, 6.5);
  const lips: Rgb = [190, 60, 70];
  if (kind === 0) c.paint(arc(cx, my - half, half * 1.3, 1.4, cx - half, cx + half), lips);
  else if (kind === 1) {
    c.paint((x, y) => Math.abs(x - cx) <= half && Math.abs(y - my) <= 0.7, lips);
  } else {
    c.paint((x, y) => y >= my - 0.5 && ellipse(cx, my - 0.5, half, half * 0.7)(x, y), [
      120,
      30,
      40,
    ]);
    c.paint((x, y) => y >= my + 1.5 && ellipse(cx, my - 0.5, half * 0.6, half * 0.55)(x, y), [
      235,
      110,
      120,
    ]);
  }
}

/**
 * Face `k` of `seed` as RGB bytes `[h, w, 3]` (the drawing is defined on a
 * 64x64 canvas and sampled at `h x w`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { facePicture } from "../../mod.ts";
 * const a = facePicture(3, 0), b = facePicture(3, 0), c = facePicture(4, 0);
 * assert.equal(a.length, 64 * 64 * 3);
 * assert.deepEqual(a, b);
 * assert.notDeepEqual(a, c);
 * ```
 */
export function facePicture(k: number, seed: number, h = 64, w = 64): Uint8Array {
  const rng = Rng.derive(seed, `faces/${k}`);
  const c = new Canvas(h, w, pick(rng, BACKGROUND));
  const cx = between(rng, 29, 35), cy = between(rng, 33, 37);
  const rx = between(rng, 14, 19), ry = between(rng, 17, 22);
  const skin = pick(rng, SKIN), hair = pick(rng, HAIR), style = rng.int(3);
  const shirt: Rgb = [rng.int(200) + 30, rng.int(200) + 30, rng.int(200) + 30];
  c.paint(ellipse(cx, 64 + 6, 26, 16), shirt);
  if (style === 1) {
    c.paint((x, y) => y < cy + ry * 1.1 && ellipse(cx, cy, rx + 4, ry + 6)(x, y), hair);
  }
  c.paint(ellipse(cx, cy, rx, ry), skin);
  const fringeY = cy - ry * between(rng, 0.25, 0.5), wave = between(rng, 0.5, 2.5);
  const part = between(rng, -1, 1);
  c.paint((x, y) => {
    if (!ellipse(cx, cy - 2, rx + 2, ry + 1.5)(x, y)) return false;
    const edge = style === 2
      ? fringeY + wave * Math.abs(Math.sin((x - cx) / 3))
      : fringeY - 3 + part * (x - cx) * 0.3;
    return y <= edge || (Math.abs(x - cx) >= rx - 2.2 && y <= cy);
  }, hair);
  const ey = cy + between(rng, -3, 1);
  if (rng.uniform() < 0.5) {
    for (const side of [-1, 1]) {
      c.paint(ellipse(cx + side * (rx - 5), ey + 6, 3, 1.8), [240, 120, 130], 0.45);
    }
  }
  drawEyes(c, rng, cx, ey, hair);
  c.paint(ellipse(cx, ey + 6, 0.9, 0.7), shade(skin, 0.75));
  drawMouth(c, rng, cx, ey + between(rng, 10, 13));
  return c.bytes();
}
