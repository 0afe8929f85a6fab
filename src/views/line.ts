/**
 * The view of a 1-D run at one evaluation, as SVG: the real and generated
 * densities (and the exact ones where known) in the upper panel, the critic's
 * curve (and the optimal critic where the densities give it) in the lower.
 * @module
 */
import { esc, finiteRange, hex, INK, short } from "./color.ts";

/** One curve over the view's `xs`. */
export interface Curve {
  /** Legend entry. */
  readonly name: string;
  /** One value per x (NaN leaves a gap). */
  readonly values: ArrayLike<number>;
  /** RGB colour. */
  readonly color: readonly number[];
  /** Dashed (exact or optimal curves). */
  readonly dashed?: boolean;
}

/** Everything one 1-D view draws. */
export interface LineView {
  /** Generator steps completed. */
  readonly step: number;
  /** The x grid, ascending. */
  readonly xs: ArrayLike<number>;
  /** Density curves (real, generated, exact). */
  readonly densities: readonly Curve[];
  /** Critic curves (the critic, the optimal critic), with the quantity they show. */
  readonly critic: { readonly label: string; readonly curves: readonly Curve[] };
}

const W = 520, PH = 180, L = 52, T = 26, GAP = 44;

function panel(xs: ArrayLike<number>, curves: readonly Curve[], top: number, cls: string) {
  const [x0, x1] = finiteRange(xs);
  const [y0, y1] = finiteRange(curves.flatMap((c) => Array.from(c.values)));
  const w = W - L - 16;
  const px = (x: number) => ((x - x0) / (x1 - x0)) * w;
  const py = (y: number) => top + PH - ((y - y0) / (y1 - y0)) * PH;
  const paths = curves.map((c) => {
    let d = "", pen = false;
    for (let i = 0; i < xs.length; i++) {
      const y = c.values[i];
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? "L" : "M"}${px(xs[i]).toFixed(1)},${py(y).toFixed(1)}`;
      pen = true;
    }
    return `<path d="${d}" fill="none" stroke="${hex(c.color)}" stroke-width="1.8"${
      c.dashed ? ' stroke-dasharray="5 3"' : ""
    }/>`;
  });
  const legend = curves.map((c, i) =>
    `<text x="${w - 4}" y="${top + 14 + 14 * i}" text-anchor="end" fill="${hex(c.color)}">${
      esc(c.name)
    }</text>`
  );
  return [
    `<g class="${cls}">`,
    `<rect y="${top}" width="${w}" height="${PH}" fill="none" stroke="#444"/>`,
    `<text x="-4" y="${top + 10}" text-anchor="end">${esc(short(y1))}</text>`,
    `<text x="-4" y="${top + PH}" text-anchor="end">${esc(short(y0))}</text>`,
    ...paths,
    ...legend,
    `<text x="0" y="${top + PH + 14}">${esc(short(x0))}</text>`,
    `<text x="${w}" y="${top + PH + 14}" text-anchor="end">${esc(short(x1))}</text>`,
    "</g>",
  ].join("");
}

/**
 * The view as a standalone SVG document; groups `densities` and `critic`
 * hold one path per curve.
 */
export function lineSvg(view: LineView): string {
  const height = T + 2 * PH + GAP + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" ` +
    `viewBox="0 0 ${W} ${height}" font-family="sans-serif" font-size="11" class="view">`,
    `<text x="${L}" y="16" font-size="13">step ${view.step}: densities; below, ${
      esc(view.critic.label)
    }</text>`,
    `<g transform="translate(${L} ${T})">`,
    panel(view.xs, view.densities, 0, "densities"),
    panel(view.xs, view.critic.curves, PH + GAP, "critic"),
    "</g></svg>",
  ].join("\n");
}

/** Colours for the curves of 1-D views. */
export const CURVE_INK = {
  real: INK.real,
  exact: INK.exact,
  generated: INK.fake,
  critic: INK.critic,
  optimal: INK.mode,
} as const;
