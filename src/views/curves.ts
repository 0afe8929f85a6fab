/**
 * Training curves as SVG: several series over steps in one chart, each
 * reduced to bucket means so a 100,000-step log stays a small drawing.
 * @module
 */
import { esc, finiteRange, short } from "./color.ts";

/** One series: a name and its `[step, value]` points in step order. */
export interface Series {
  /** Legend entry. */
  readonly name: string;
  /** Points, ascending in x. */
  readonly points: readonly (readonly [number, number])[];
}

/** Okabe-Ito colours, one per series by position. */
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];

/**
 * At most `buckets` points: the mean of x and of the finite y in each run of
 * consecutive points (all of them when there are few).
 */
export function thin(
  points: readonly (readonly [number, number])[],
  buckets: number,
): [number, number][] {
  if (points.length <= buckets) return points.map(([x, y]) => [x, y]);
  const out: [number, number][] = [];
  for (let b = 0; b < buckets; b++) {
    const [from, to] = [b, b + 1].map((k) => Math.floor((k * points.length) / buckets));
    let sx = 0, sy = 0, ny = 0;
    for (let i = from; i < to; i++) {
      const [x, y] = points[i];
      sx += x;
      if (Number.isFinite(y)) [sy, ny] = [sy + y, ny + 1];
    }
    out.push([sx / (to - from), ny ? sy / ny : NaN]);
  }
  return out;
}

const W = 480, H = 260, M = { l: 56, r: 12, t: 28, b: 40 };

/**
 * A line chart of `series` over steps; `log` draws y on a log scale (values
 * <= 0 are left out). Its `<path class="series">` elements hold the lines.
 */
export function curvesSvg(
  title: string,
  series: readonly Series[],
  o: { log?: boolean; buckets?: number } = {},
): string {
  const tf = (y: number) => o.log ? (y > 0 ? Math.log10(y) : NaN) : y;
  const drawn = series.map((s) => ({
    name: s.name,
    points: thin(s.points, o.buckets ?? 300).map(([x, y]) => [x, tf(y)] as const),
  }));
  const [x0, x1] = finiteRange(drawn.flatMap((s) => s.points.map(([x]) => x)));
  const [y0, y1] = finiteRange(drawn.flatMap((s) => s.points.map(([, y]) => y)));
  const [w, h] = [W - M.l - M.r, H - M.t - M.b];
  const px = (x: number) => (((x - x0) / (x1 - x0)) * w).toFixed(1);
  const py = (y: number) => (h - ((y - y0) / (y1 - y0)) * h).toFixed(1);
  const label = (y: number) => esc(short(o.log ? 10 ** y : y));
  const lines = drawn.map((s, i) => {
    let d = "", pen = false;
    for (const [x, y] of s.points) {
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(x)},${py(y)}`;
      pen = true;
    }
    const color = COLORS[i % COLORS.length];
    const dots = s.points.length < 40
      ? s.points.filter(([, y]) => Number.isFinite(y)).map(([x, y]) =>
        `<circle cx="${px(x)}" cy="${py(y)}" r="2.2" fill="${color}"/>`
      ).join("")
      : "";
    return `<path class="series" d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>${dots}` +
      `<text x="${w}" y="${12 + 13 * i}" text-anchor="end" fill="${color}">${esc(s.name)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" ` +
    `font-family="sans-serif" font-size="11" class="chart">`,
    `<text x="${M.l}" y="18" font-size="13">${esc(title)}${o.log ? " (log scale)" : ""}</text>`,
    `<g transform="translate(${M.l} ${M.t})">`,
    `<rect width="${w}" height="${h}" fill="none" stroke="#444"/>`,
    `<text x="-4" y="10" text-anchor="end">${label(y1)}</text>`,
    `<text x="-4" y="${h}" text-anchor="end">${label(y0)}</text>`,
    `<text x="0" y="${h + 14}">${esc(short(x0))}</text>`,
    `<text x="${w}" y="${h + 14}" text-anchor="end">${esc(short(x1))}</text>`,
    `<text x="${w / 2}" y="${h + 30}" text-anchor="middle">step</text>`,
    ...lines,
    "</g></svg>",
  ].join("\n");
}
