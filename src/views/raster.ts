/**
 * A 2-D view as pixels, for time-lapse frames and animations: the heatmap,
 * real and generated points, arrows, mode circles and a progress bar, drawn
 * into an RGB buffer (no text; the SVG carries the labels).
 * @module
 */
import { encodePng as encode } from "../deps/images.ts";
import { finiteRange, INK, viridis } from "./color.ts";
import { arrowScale, placer, type PlaneView } from "./plane.ts";

/** An RGB picture, row-major. */
export interface Picture {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** `width * height * 3` bytes. */
  readonly data: Uint8Array;
}

const BAR = 6;

function painter(pic: Picture) {
  const put = (x: number, y: number, rgb: readonly number[], alpha = 1) => {
    x = Math.round(x), y = Math.round(y);
    if (x < 0 || y < 0 || x >= pic.width || y >= pic.height) return;
    const o = (y * pic.width + x) * 3;
    for (let k = 0; k < 3; k++) pic.data[o + k] = pic.data[o + k] * (1 - alpha) + rgb[k] * alpha;
  };
  const line = (ax: number, ay: number, bx: number, by: number, rgb: readonly number[]) => {
    const n = Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay)));
    for (let i = 0; i <= n; i++) {
      put(ax + ((bx - ax) * i) / (n || 1), ay + ((by - ay) * i) / (n || 1), rgb);
    }
  };
  const dot = (x: number, y: number, rgb: readonly number[], r: number) => {
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r + r) put(x + dx, y + dy, rgb);
    }
  };
  const ring = (x: number, y: number, r: number, rgb: readonly number[]) => {
    const n = Math.max(16, Math.ceil(2 * Math.PI * r));
    for (let i = 0; i < n; i += 2) {
      const a = (2 * Math.PI * i) / n;
      put(x + r * Math.cos(a), y + r * Math.sin(a), rgb);
    }
  };
  return { put, line, dot, ring };
}

/**
 * Draws `view` into a `size` x `size` picture (plus a progress bar of
 * `progress` in [0, 1] along the bottom when given).
 */
export function planePicture(view: PlaneView, size: number, progress?: number): Picture {
  const height = size + (progress === undefined ? 0 : BAR);
  const pic: Picture = { width: size, height, data: new Uint8Array(size * height * 3).fill(244) };
  const draw = painter(pic);
  if (view.critic) {
    const { side, values } = view.critic;
    const [lo, hi] = finiteRange(values);
    const colours = new Uint8Array(values.length * 3);
    values.forEach((v, i) => colours.set(viridis((v - lo) / (hi - lo)), 3 * i));
    for (let y = 0, o = 0; y < size; y++) {
      const row = Math.floor((y * side) / size) * side;
      for (let x = 0; x < size; x++, o += 3) {
        const c = 3 * (row + Math.floor((x * side) / size));
        [pic.data[o], pic.data[o + 1], pic.data[o + 2]] = [
          colours[c],
          colours[c + 1],
          colours[c + 2],
        ];
      }
    }
  }
  const at = placer(view.bounds, size);
  for (let i = 0; i < Math.min(1500, view.real.length / 2); i++) {
    const [x, y] = at(view.real[2 * i], view.real[2 * i + 1]);
    draw.dot(x, y, INK.real, 1);
  }
  const scale = size / (view.bounds.x1 - view.bounds.x0);
  for (const m of view.modes ?? []) {
    const [x, y] = at(m.centre[0], m.centre[1]);
    draw.ring(x, y, Math.max(2, m.radius * scale), INK.mode);
  }
  if (view.pull) {
    const k = arrowScale(view.pull, size / 18);
    for (let i = 0; i < view.pull.length / 2; i++) {
      const [x, y] = at(view.fake[2 * i], view.fake[2 * i + 1]);
      draw.line(x, y, x + view.pull[2 * i] * k, y - view.pull[2 * i + 1] * k, INK.arrow);
    }
  }
  for (let i = 0; i < Math.min(1500, view.fake.length / 2); i++) {
    const [x, y] = at(view.fake[2 * i], view.fake[2 * i + 1]);
    draw.dot(x, y, INK.fake, 1);
  }
  if (progress !== undefined) {
    for (let y = size; y < height; y++) {
      for (let x = 0; x < size; x++) {
        draw.put(x, y, x < progress * size ? INK.mode : [200, 200, 200]);
      }
    }
  }
  return pic;
}

/**
 * A picture as PNG bytes.
 */
export function pictureToPng(pic: Picture): Uint8Array {
  const image = {
    width: pic.width,
    height: pic.height,
    data: pic.data,
    channels: 3,
    depth: 8 as const,
  };
  return encode(image, { zlib: { level: 1 } }); // fast: frames are small and many
}
