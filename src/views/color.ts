/**
 * Colours for views: a perceptually uniform sequential map (viridis) for
 * heatmaps and the players' colours, shared by the SVG and raster renderers.
 * @module
 */

/** Viridis at nine evenly spaced stops, as RGB. */
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** Colours of the things a view draws, as RGB. */
export const INK = {
  real: [90, 90, 90],
  fake: [213, 94, 0],
  arrow: [255, 255, 255],
  mode: [0, 114, 178],
  exact: [0, 0, 0],
  critic: [0, 158, 115],
} as const satisfies Record<string, readonly [number, number, number]>;

/**
 * The viridis colour at `t` in [0, 1] (clamped; NaN gives grey), as RGB.
 */
export function viridis(t: number): [number, number, number] {
  if (Number.isNaN(t)) return [128, 128, 128];
  const u = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(u)), f = u - i;
  const [a, b] = [VIRIDIS[i], VIRIDIS[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

/**
 * An RGB triple as `#rrggbb`.
 */
export const hex = (rgb: readonly number[]): string =>
  "#" + rgb.map((v) => v.toString(16).padStart(2, "0")).join("");

/**
 * The finite range of `values` as `[lo, hi]` with `lo < hi` (a flat or empty
 * set is widened), for a colour scale.
 */
export function finiteRange(values: ArrayLike<number>): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

/**
 * Escapes text for SVG and HTML.
 */
export const esc = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A number in at most three significant digits (exponent form when far from 1).
 */
export const short = (v: number): string =>
  !Number.isFinite(v)
    ? String(v)
    : (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3))
    ? v.toExponential(1)
    : String(+v.toPrecision(3));
