/**
 * Small image folders for the tests and the `images-folder` example: grey
 * discs and squares on black, drawn from a seed.
 *
 *     deno run --allow-write tests/_images.ts data/shapes   # 32 PNGs, 16x16, grey
 */
import { encode as encodePng } from "fast-png";
import { encode as encodeJpeg } from "jpeg-js";
import { Rng } from "../src/rng.ts";

/** One grey 8-bit picture `[h, w]`: a disc (even `k`) or a square (odd `k`) at a seeded place. */
export function shapePicture(k: number, h: number, w: number, seed = 0): Uint8Array {
  const rng = Rng.derive(seed, `test/shapes/${k}`);
  const r = Math.min(h, w) * (0.2 + 0.15 * rng.uniform());
  const cy = r + rng.uniform() * (h - 2 * r), cx = r + rng.uniform() * (w - 2 * r);
  const level = 160 + Math.floor(95 * rng.uniform());
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dy = y + 0.5 - cy, dx = x + 0.5 - cx;
      const inside = k % 2 === 0
        ? dx * dx + dy * dy <= r * r
        : Math.max(Math.abs(dx), Math.abs(dy)) <= r;
      out[y * w + x] = inside ? level : 0;
    }
  }
  return out;
}

/** Writes `count` grey PNGs `shape-<k>.png` of `h x w` into `dir` (created); returns the names. */
export async function writeShapeFolder(
  dir: string,
  count = 32,
  [h, w]: readonly number[] = [16, 16],
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const names: string[] = [];
  for (let k = 0; k < count; k++) {
    const name = `shape-${String(k).padStart(3, "0")}.png`;
    const data = shapePicture(k, h, w);
    await Deno.writeFile(`${dir}/${name}`, encodePng({ width: w, height: h, data, channels: 1 }));
    names.push(name);
  }
  return names;
}

/** A `h x w` picture as RGB bytes: the grey shape tinted, red rising left to right. */
export function rgbPicture(k: number, h: number, w: number): Uint8Array {
  const grey = shapePicture(k, h, w);
  const out = new Uint8Array(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    out[3 * p] = Math.round((255 * (p % w)) / Math.max(1, w - 1));
    out[3 * p + 1] = grey[p];
    out[3 * p + 2] = 255 - grey[p];
  }
  return out;
}

/** PNG bytes of every kind the loader must read, all `h x w`: grey, grey+alpha, RGB, RGBA, 16-bit. */
export function pngVariants(h: number, w: number): Record<string, Uint8Array> {
  const grey = shapePicture(0, h, w), rgb = rgbPicture(1, h, w);
  const withAlpha = (src: Uint8Array, c: number) => {
    const out = new Uint8Array((src.length / c) * (c + 1)).fill(77);
    for (let p = 0; p < src.length / c; p++) out.set(src.subarray(p * c, p * c + c), p * (c + 1));
    return out;
  };
  return {
    "grey.png": encodePng({ width: w, height: h, data: grey, channels: 1 }),
    "grey-alpha.png": encodePng({ width: w, height: h, data: withAlpha(grey, 1), channels: 2 }),
    "rgb.png": encodePng({ width: w, height: h, data: rgb, channels: 3 }),
    "rgba.png": encodePng({ width: w, height: h, data: withAlpha(rgb, 3), channels: 4 }),
    "grey16.png": encodePng({
      width: w,
      height: h,
      data: Uint16Array.from(grey, (v) => v * 257),
      channels: 1,
      depth: 16,
    }),
  };
}

/** JPEG bytes (quality 95) of the RGB picture `k`. */
export function jpegPicture(k: number, h: number, w: number): Uint8Array {
  const rgb = rgbPicture(k, h, w);
  const rgba = new Uint8Array(h * w * 4).fill(255);
  for (let p = 0; p < h * w; p++) rgba.set(rgb.subarray(3 * p, 3 * p + 3), 4 * p);
  return new Uint8Array(encodeJpeg({ width: w, height: h, data: rgba }, 95).data);
}

if (import.meta.main) {
  const dir = Deno.args[0];
  if (!dir) {
    console.error("usage: deno run --allow-write tests/_images.ts <folder>");
    Deno.exit(2);
  }
  const names = await writeShapeFolder(dir);
  console.log(`${dir}: ${names.length} PNGs, 16x16 grey`);
}
