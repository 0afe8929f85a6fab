/**
 * Small self-contained SVG charts for reports: lines with bands (training
 * curves) and points with interval whiskers (a metric against a
 * hyperparameter). No scripts, fonts or external references.
 * @module
 */
import { esc } from "../views/color.ts";

/** A colour per series, colour-blind safe (Okabe-Ito). */
export const PALETTE = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#F0E442",
] as const;

/** One line with an optional band. */
export interface LineSeries {
  /** Legend entry. */
  readonly name: string;
  /** Colour (default: the palette by position). */
  readonly color?: string;
  /** Points `{x, y, lo?, hi?}`; lo/hi draw the band. */
  readonly points: readonly { x: number; y: number; lo?: number; hi?: number }[];
}

/** One group of points with whiskers. */
export interface PointSeries {
  /** Legend entry. */
  readonly name: string;
  /** Colour (default: the palette by position). */
  readonly color?: string;
  /** Points at x (a number, or a category string) with an interval. */
  readonly points: readonly {
    x: number | string;
    y: number;
    lo: number;
    hi: number;
    raw?: readonly number[];
  }[];
}

/** Axis titles and the chart title. */
export interface ChartText {
  /** Chart title. */
  readonly title: string;
  /** x-axis label. */
  readonly x: string;
  /** y-axis label. */
  readonly y: string;
}

const W = 560, H = 340, M = { l: 64, r: 16, t: 34, b: 74 };
const fmt = (v: number) =>
  (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3))
    ? v.toExponential(1)
    : String(+v.toPrecision(3));

/** About `count` round tick values covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(+v.toFixed(12));
  }
  return out;
}

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  let lo = Math.min(...finite), hi = Math.max(...finite);
  if (lo === hi) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

interface Scale {
  (v: number): number;
  ticks: { at: number; label: string }[];
}

function linear([lo, hi]: [number, number], [a, b]: [number, number]): Scale {
  const f = ((v: number) => a + (v - lo) / (hi - lo) * (b - a)) as Scale;
  f.ticks = ticks(lo, hi).map((t) => ({ at: f(t), label: fmt(t) }));
  return f;
}

function logScale(values: number[], [a, b]: [number, number]): Scale {
  const [lo, hi] = extent(values.map(Math.log10));
  const f = ((v: number) => a + (Math.log10(v) - lo) / (hi - lo) * (b - a)) as Scale;
  f.ticks = [...new Set(values)].sort((x, y) => x - y).map((v) => ({ at: f(v), label: fmt(v) }));
  return f;
}

const colorOf = (s: { color?: string }, i: number) => s.color ?? PALETTE[i % PALETTE.length];

function frame(
  text: ChartText,
  x: Scale,
  y: Scale,
  legend: { name: string; color: string }[],
  body: string,
): string {
  const axes = [
    `<line x1="${M.l}" y1="${H - M.b}" x2="${W - M.r}" y2="${H - M.b}" stroke="#444"/>`,
    `<line x1="${M.l}" y1="${M.t}" x2="${M.l}" y2="${H - M.b}" stroke="#444"/>`,
    ...x.ticks.map((t) =>
      `<text x="${t.at}" y="${H - M.b + 16}" text-anchor="middle">${esc(t.label)}</text>`
    ),
    ...y.ticks.map((t) =>
      `<line x1="${M.l}" y1="${t.at}" x2="${W - M.r}" y2="${t.at}" stroke="#eee"/><text x="${
        M.l - 6
      }" y="${t.at + 4}" text-anchor="end">${esc(t.label)}</text>`
    ),
    `<text x="${(M.l + W - M.r) / 2}" y="${H - M.b + 34}" text-anchor="middle">${
      esc(text.x)
    }</text>`,
    `<text transform="translate(14 ${(M.t + H - M.b) / 2}) rotate(-90)" text-anchor="middle">${
      esc(text.y)
    }</text>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-weight="bold">${esc(text.title)}</text>`,
  ];
  const keys = legend.map(({ name, color }, i) => {
    const lx = M.l + (i % 4) * 124, ly = H - 18 + Math.floor(i / 4) * 14 - 4;
    return `<rect x="${lx}" y="${ly - 8}" width="10" height="10" fill="${color}"/><text x="${
      lx + 14
    }" y="${ly + 1}">${esc(name)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" ` +
    `font-family="sans-serif" font-size="11"><rect width="${W}" height="${H}" fill="#fff"/>` +
    `${axes.join("")}${body}${keys.join("")}</svg>`;
}

/**
 * Lines with shaded bands, e.g. the median of a metric over seeds against
 * the training step with its interquartile band.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lineChart } from "../../mod.ts";
 * const svg = lineChart({ title: "modes", x: "step", y: "modes" }, [
 *   { name: "hinge", points: [{ x: 0, y: 1, lo: 0, hi: 2 }, { x: 100, y: 8, lo: 7, hi: 8 }] },
 * ]);
 * assert.match(svg, /^<svg .*<path /);
 * ```
 */
export function lineChart(text: ChartText, series: readonly LineSeries[]): string {
  const all = series.flatMap((s) => s.points);
  const x = linear(extent(all.map((p) => p.x)), [M.l, W - M.r]);
  const y = linear(extent(all.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y])), [H - M.b, M.t]);
  const body = series.map((s, i) => {
    const color = colorOf(s, i);
    const pts = [...s.points].sort((a, b) => a.x - b.x);
    const band = pts.some((p) => p.lo !== undefined)
      ? `<polygon fill="${color}" fill-opacity="0.18" points="${
        [
          ...pts.map((p) => `${x(p.x)},${y(p.hi ?? p.y)}`),
          ...pts.reverse().map((p) => `${x(p.x)},${y(p.lo ?? p.y)}`),
        ].join(" ")
      }"/>`
      : "";
    const line = `<path fill="none" stroke="${color}" stroke-width="1.8" d="${
      [...s.points].sort((a, b) => a.x - b.x).map((p, j) =>
        `${j ? "L" : "M"}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`
      ).join("")
    }"/>`;
    return band + line;
  }).join("");
  return frame(text, x, y, series.map((s, i) => ({ name: s.name, color: colorOf(s, i) })), body);
}

/**
 * Points with interval whiskers (and faint raw values) against a numeric or
 * categorical x; a numeric x spanning a factor of 3 or more is drawn on a log axis.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pointChart } from "../../mod.ts";
 * const svg = pointChart({ title: "hq vs lr", x: "lr", y: "hq" }, [
 *   { name: "hinge", points: [{ x: 1e-4, y: 0.5, lo: 0.4, hi: 0.6 }, { x: 1e-3, y: 0.8, lo: 0.7, hi: 0.9 }] },
 * ]);
 * assert.match(svg, /<circle /);
 * ```
 */
export function pointChart(text: ChartText, series: readonly PointSeries[]): string {
  const all = series.flatMap((s) => s.points);
  const categorical = all.some((p) => typeof p.x === "string");
  const nums = all.map((p) => p.x).filter((v): v is number => typeof v === "number");
  let x: Scale;
  const categories = [...new Set(all.map((p) => String(p.x)))];
  if (categorical) {
    const step = (W - M.r - M.l) / categories.length;
    x = ((v: number) => M.l + step * (v + 0.5)) as Scale;
    x.ticks = categories.map((c, i) => ({ at: x(i), label: c }));
  } else if (nums.every((v) => v > 0) && Math.max(...nums) / Math.min(...nums) >= 3) {
    x = logScale(nums, [M.l + 30, W - M.r - 30]);
  } else {
    x = linear(extent(nums), [M.l, W - M.r]);
  }
  const xOf = (v: number | string) => categorical ? x(categories.indexOf(String(v))) : x(+v);
  const y = linear(
    extent(all.flatMap((p) => [p.y, p.lo, p.hi, ...(p.raw ?? [])])),
    [H - M.b, M.t],
  );
  const offset = (i: number) => (i - (series.length - 1) / 2) * 7;
  const body = series.map((s, i) => {
    const color = colorOf(s, i);
    return s.points.map((p) => {
      const cx = xOf(p.x) + offset(i);
      const raw = (p.raw ?? []).map((v) =>
        `<circle cx="${cx + 3}" cy="${y(v)}" r="1.6" fill="${color}" fill-opacity="0.35"/>`
      ).join("");
      return `<line x1="${cx}" x2="${cx}" y1="${y(p.lo)}" y2="${
        y(p.hi)
      }" stroke="${color}" stroke-width="1.5"/>${raw}<circle cx="${cx}" cy="${
        y(p.y)
      }" r="3.5" fill="${color}"/>`;
    }).join("");
  }).join("");
  return frame(text, x, y, series.map((s, i) => ({ name: s.name, color: colorOf(s, i) })), body);
}
