/**
 * Kernel-density estimates of KL and JS divergence for 2-D samples: both
 * sample sets are smoothed with a Gaussian kernel (Scott's bandwidth) on a
 * common grid, and the divergences are summed over the grid cells.
 * @module
 */
import { gridDensity } from "./kde_density.ts";

/** KDE-based divergence estimates, in nats. */
export interface KdeDivergences {
  /** KL(P || Q), P the real samples, Q the generated ones. */
  readonly kl: number;
  /** Jensen-Shannon divergence JSD(P, Q) (at most log 2). */
  readonly js: number;
}

/** Options for {@link kdeDivergences}. */
export interface KdeOptions {
  /** Grid cells per axis (default 100). */
  cells?: number;
  /** Kernel bandwidth; default Scott's rule on the real samples, n^(-1/6) * std per axis. */
  bandwidth?: number;
}

/**
 * KL(P || Q) and JSD(P, Q) between two 2-D sample sets (row-major `[n, 2]`).
 * The grid sums run on Duel's Rust kernels where they are loaded (as in a run)
 * and in JavaScript otherwise, with the same bits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kdeDivergences, Rng } from "../../mod.ts";
 * const a = Rng.derive(0, "a").fillNormal(new Float32Array(2000));
 * const b = Rng.derive(1, "b").fillNormal(new Float32Array(2000));
 * assert.ok(kdeDivergences(a, b).js < 0.01);
 * ```
 */
export function kdeDivergences(
  real: Float32Array,
  fake: Float32Array,
  options: KdeOptions = {},
): KdeDivergences {
  const cells = options.cells ?? 100;
  const n = real.length / 2;
  // Each axis's range over both sets and its standard deviation over the real one.
  const axis = (k: number) => {
    let lo = Infinity, hi = -Infinity, sum = 0, squares = 0;
    for (const set of [real, fake]) {
      for (let i = k; i < set.length; i += 2) lo = Math.min(lo, set[i]), hi = Math.max(hi, set[i]);
    }
    for (let i = k; i < real.length; i += 2) sum += real[i];
    const mean = sum / n;
    for (let i = k; i < real.length; i += 2) squares += (real[i] - mean) ** 2;
    return { lo, hi, std: Math.sqrt(squares / n) };
  };
  const [ax, ay] = [axis(0), axis(1)];
  const h = options.bandwidth ?? Math.pow(n, -1 / 6) * Math.min(ax.std, ay.std);
  const grid = (a: { lo: number; hi: number }) =>
    Array.from(
      { length: cells },
      (_, i) => a.lo - 3 * h + ((a.hi - a.lo + 6 * h) * (i + 0.5)) / cells,
    );
  const [xs, ys] = [grid(ax), grid(ay)];
  const p = gridDensity(real, xs, ys, h), q = gridDensity(fake, xs, ys, h);
  let kl = 0, js = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    kl += p[i] * Math.log(p[i] / q[i]);
    js += 0.5 * p[i] * Math.log(p[i] / m) + 0.5 * q[i] * Math.log(q[i] / m);
  }
  return { kl, js };
}
