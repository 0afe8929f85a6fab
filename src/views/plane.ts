/**
 * The view of a 2-D run at one evaluation, as SVG: the real data and the
 * generated samples, the critic's output over the plane as a heatmap with its
 * colour scale, the generator's pull on each sample as an arrow, and the
 * modes' centres with their high-quality circles.
 * @module
 */
import { encodePng as encode } from "../deps/images.ts";
import { esc, finiteRange, hex, INK, short, viridis } from "./color.ts";

/** The plotted square of the plane. */
export interface Bounds {
  /** Left edge. */
  readonly x0: number;
  /** Right edge. */
  readonly x1: number;
  /** Bottom edge. */
  readonly y0: number;
  /** Top edge. */
  readonly y1: number;
}

/** Everything one 2-D view draws. Point sets are row-major `[n, 2]`. */
export interface PlaneView {
  /** Generator steps completed. */
  readonly step: number;
  /** The plotted area (the same at every evaluation of a run). */
  readonly bounds: Bounds;
  /** Real examples. */
  readonly real: Float32Array;
  /** Generated samples. */
  readonly fake: Float32Array;
  /** The critic's output on a `side` x `side` grid of cell centres ({@link gridPoints} order). */
  readonly critic?: {
    readonly side: number;
    readonly values: Float32Array;
    readonly label: string;
  };
  /** For the first `pull.length / 2` generated samples, the direction the generator's loss moves it. */
  readonly pull?: Float32Array;
  /** Mode centres and the radius within which a sample counts as high quality. */
  readonly modes?: readonly { readonly centre: readonly number[]; readonly radius: number }[];
}

/**
 * The centres of a `side` x `side` grid over `bounds`, row-major from the top
 * left, as `[side * side, 2]` (the critic's heatmap is computed on these).
 */
export function gridPoints(bounds: Bounds, side: number): Float32Array {
  const out = new Float32Array(side * side * 2);
  const { x0, x1, y0, y1 } = bounds;
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      out[2 * (r * side + c)] = x0 + ((c + 0.5) / side) * (x1 - x0);
      out[2 * (r * side + c) + 1] = y1 - ((r + 0.5) / side) * (y1 - y0);
    }
  }
  return out;
}

/**
 * A square around `points` (row-major `[n, 2]`) with a margin of `pad` times
 * the larger extent on each side.
 */
export function squareAround(points: Float32Array, pad = 0.25): Bounds {
  const [xl, xh] = finiteRange(points.filter((_, i) => i % 2 === 0));
  const [yl, yh] = finiteRange(points.filter((_, i) => i % 2 === 1));
  const half = (Math.max(xh - xl, yh - yl) / 2) * (1 + 2 * pad);
  const [cx, cy] = [(xl + xh) / 2, (yl + yh) / 2];
  return { x0: cx - half, x1: cx + half, y0: cy - half, y1: cy + half };
}

/** Pixel geometry of a view: the plot square's size and a mapping of the plane into it. */
export function placer(bounds: Bounds, size: number): (x: number, y: number) => [number, number] {
  const { x0, x1, y0, y1 } = bounds;
  return (x, y) => [((x - x0) / (x1 - x0)) * size, ((y1 - y) / (y1 - y0)) * size];
}

/** Arrow lengths in pixels: the longest pull gets `longest`, the others in proportion. */
export function arrowScale(pull: Float32Array, longest: number): number {
  let top = 0;
  for (let i = 0; i < pull.length; i += 2) top = Math.max(top, Math.hypot(pull[i], pull[i + 1]));
  return top > 0 && Number.isFinite(top) ? longest / top : 0;
}

const P = 400, L = 44, T = 28;
const f1 = (v: number) => v.toFixed(1);

/** Bytes as base64 (for a `data:` URI inside the SVG). */
export function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/**
 * The critic's grid as a `side` x `side` PNG, one pixel per cell (the SVG
 * scales it up without smoothing): a few kilobytes where one rectangle per
 * cell would take a hundred.
 */
export function heatmapPng(values: Float32Array, side: number): Uint8Array {
  const [lo, hi] = finiteRange(values);
  const data = new Uint8Array(side * side * 3);
  values.forEach((v, i) => data.set(viridis((v - lo) / (hi - lo)), 3 * i));
  return encode({ width: side, height: side, data, channels: 3, depth: 8 });
}

function heatmap(view: PlaneView): string[] {
  if (!view.critic) return [];
  const { side, values, label } = view.critic;
  const [lo, hi] = finiteRange(values);
  const uri = `data:image/png;base64,${base64(heatmapPng(values, side))}`;
  const bar = Array.from(
    { length: 40 },
    (_, i) =>
      `<rect x="${P + 14}" y="${f1((i * P) / 40)}" width="14" height="${f1(P / 40 + 0.3)}" fill="${
        hex(viridis(1 - i / 39))
      }"/>`,
  );
  return [
    `<g class="heat"><image width="${P}" height="${P}" preserveAspectRatio="none" ` +
    `style="image-rendering:pixelated" href="${uri}"/></g>`,
    `<g class="scale">${bar.join("")}<text x="${P + 32}" y="10">${esc(short(hi))}</text>` +
    `<text x="${P + 32}" y="${P}">${esc(short(lo))}</text>` +
    `<text x="${P + 40}" y="${P / 2}" transform="rotate(90 ${P + 40} ${P / 2})" ` +
    `text-anchor="middle">${esc(label)}</text></g>`,
  ];
}

function dots(points: Float32Array, cls: string, color: string, r: number, max: number) {
  const out: string[] = [];
  const n = Math.min(points.length / 2, max);
  return (at: (x: number, y: number) => [number, number]) => {
    for (let i = 0; i < n; i++) {
      const [px, py] = at(points[2 * i], points[2 * i + 1]);
      if (px >= 0 && px <= P && py >= 0 && py <= P) {
        out.push(`<circle cx="${f1(px)}" cy="${f1(py)}" r="${r}"/>`);
      }
    }
    return `<g class="${cls}" fill="${color}">${out.join("")}</g>`;
  };
}

function arrows(view: PlaneView, at: (x: number, y: number) => [number, number]): string {
  if (!view.pull) return "";
  const k = arrowScale(view.pull, 22);
  const out: string[] = [];
  for (let i = 0; i < view.pull.length / 2; i++) {
    const [px, py] = at(view.fake[2 * i], view.fake[2 * i + 1]);
    const [dx, dy] = [view.pull[2 * i] * k, -view.pull[2 * i + 1] * k];
    if (!(px >= 0 && px <= P && py >= 0 && py <= P) || Math.hypot(dx, dy) < 0.5) continue;
    const [ex, ey] = [px + dx, py + dy], len = Math.hypot(dx, dy);
    const [ux, uy] = [dx / len, dy / len], h = Math.min(4, len / 2);
    const head = `${f1(ex - h * (ux - uy * 0.6))},${f1(ey - h * (uy + ux * 0.6))} ${f1(ex)},${
      f1(ey)
    } ${f1(ex - h * (ux + uy * 0.6))},${f1(ey - h * (uy - ux * 0.6))}`;
    out.push(`<path d="M${f1(px)},${f1(py)}L${f1(ex)},${f1(ey)}M${head.replace(/ /g, "L")}"/>`);
  }
  return `<g class="arrows" stroke="${hex(INK.arrow)}" stroke-width="1" fill="none" ` +
    `stroke-opacity="0.85">${out.join("")}</g>`;
}

function modes(view: PlaneView, at: (x: number, y: number) => [number, number]): string {
  if (!view.modes?.length) return "";
  const scale = P / (view.bounds.x1 - view.bounds.x0);
  return `<g class="modes" stroke="${hex(INK.mode)}" fill="none" stroke-width="1.2">` +
    view.modes.map((m) => {
      const [cx, cy] = at(m.centre[0], m.centre[1]);
      return `<circle cx="${f1(cx)}" cy="${f1(cy)}" r="${f1(Math.max(1.5, m.radius * scale))}" ` +
        `stroke-dasharray="3 2"/><path d="M${f1(cx - 3)},${f1(cy)}h6M${f1(cx)},${f1(cy - 3)}v6"/>`;
    }).join("") + "</g>";
}

/**
 * The view as a standalone SVG document (no scripts, fonts or external
 * references; the heatmap is an inline PNG).
 * Its groups carry classes (`heat`, `scale`, `real`, `fake`, `arrows`,
 * `modes`) so tests and pages can find them.
 */
export function planeSvg(view: PlaneView): string {
  const place = placer(view.bounds, P);
  const { x0, x1, y0, y1 } = view.bounds;
  const width = L + P + (view.critic ? 70 : 16), height = T + P + 44;
  const axes = [
    `<text x="0" y="${P + 18}">${esc(short(x0))}</text>`,
    `<text x="${P}" y="${P + 18}" text-anchor="end">${esc(short(x1))}</text>`,
    `<text x="-4" y="${P}" text-anchor="end">${esc(short(y0))}</text>`,
    `<text x="-4" y="10" text-anchor="end">${esc(short(y1))}</text>`,
  ];
  const legend = `orange: generated, grey: real` +
    (view.pull ? ", arrows: generator's pull" : "") +
    (view.modes?.length ? ", blue: modes (3 std)" : "");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11" class="view">`,
    `<text x="${L}" y="18" font-size="14">step ${view.step}</text>`,
    `<text x="${L}" y="${T + P + 36}">${esc(legend)}</text>`,
    `<g transform="translate(${L} ${T})">`,
    `<rect width="${P}" height="${P}" fill="#f4f4f4"/>`,
    ...heatmap(view),
    dots(view.real, "real", hex(INK.real), 1.3, 1500)(place),
    modes(view, place),
    arrows(view, place),
    dots(view.fake, "fake", hex(INK.fake), 1.6, 1500)(place),
    `<rect width="${P}" height="${P}" fill="none" stroke="#444"/>`,
    ...axes,
    "</g></svg>",
  ].join("\n");
}
