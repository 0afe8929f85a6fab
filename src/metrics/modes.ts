/**
 * Mode metrics (VEEGAN / PacGAN protocol, REFERENCE.md §5): assign each
 * sample to its nearest mode; a sample is high quality when it lies within
 * 3 standard deviations of that mode (`threshold`); a mode is captured
 * with at least `minSamples` (PacGAN's code: 1) high-quality samples.
 * @module
 */
import type { Mode } from "../data/source.ts";

/** The mode metrics of one set of samples. */
export interface ModeMetrics {
  /** Modes with at least `minSamples` (default 1) high-quality samples. */
  readonly modes: number;
  /** Share of samples that are high quality, in [0, 1]. */
  readonly hq: number;
  /**
   * KL(p || uniform) in nats, p the histogram of the high-quality samples
   * over the modes; 0 when they spread evenly, log(modes) when none is HQ.
   */
  readonly reverse_kl: number;
}

/**
 * Computes {@link ModeMetrics}. Distances are measured in units of each
 * mode's per-axis standard deviation (for isotropic modes, Euclidean
 * distance over std), for assignment and for the 3-std test alike.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { modeMetrics } from "../../mod.ts";
 * const modes = [{ centre: [0, 0], std: [0.1, 0.1] }, { centre: [1, 0], std: [0.1, 0.1] }];
 * const m = modeMetrics(new Float32Array([0, 0.05, 1, 0, 5, 5]), modes);
 * assert.ok(m.modes === 2 && Math.abs(m.hq - 2 / 3) < 1e-12);
 * ```
 */
export function modeMetrics(
  samples: Float32Array,
  modes: readonly Mode[],
  threshold = 3,
  minSamples = 1,
): ModeMetrics {
  const dim = modes[0].centre.length;
  const n = samples.length / dim;
  const counts = new Array<number>(modes.length).fill(0);
  for (let i = 0; i < n; i++) {
    let best = -1, bestDist = Infinity;
    modes.forEach((mode, k) => {
      let d = 0;
      for (let j = 0; j < dim; j++) {
        d += ((samples[i * dim + j] - mode.centre[j]) / mode.std[j]) ** 2;
      }
      if (d < bestDist) [best, bestDist] = [k, d];
    });
    if (Math.sqrt(bestDist) <= threshold) counts[best]++;
  }
  const hq = counts.reduce((a, b) => a + b, 0);
  const m = modes.length;
  const reverseKl = hq === 0
    ? Math.log(m)
    : counts.reduce((s, c) => (c ? s + (c / hq) * Math.log((c / hq) * m) : s), 0);
  const modesCaptured = counts.filter((c) => c > 0 && c >= minSamples).length;
  return { modes: modesCaptured, hq: n ? hq / n : 0, reverse_kl: reverseKl };
}
