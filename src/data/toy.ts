/**
 * Toy data sets, following the authors' recipes (REFERENCE.md §4).
 * @module
 */
import type { Rng } from "../rng.ts";
import type { DataSource } from "./source.ts";

/** One Gaussian component of a mixture (diagonal covariance). */
export interface Component {
  /** Relative weight (weights need not sum to 1). */
  readonly weight: number;
  /** Mean, one value per axis. */
  readonly mean: readonly number[];
  /** Standard deviation, one value per axis. */
  readonly std: readonly number[];
}

/**
 * A mixture of diagonal Gaussians; its components are its modes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mixture, Rng } from "../../mod.ts";
 * const m = mixture([{ weight: 1, mean: [0], std: [1] }, { weight: 3, mean: [4], std: [0.5] }]);
 * assert.ok(m.sample(10, Rng.derive(0, "data")).length === 10);
 * ```
 */
export function mixture(components: readonly Component[]): DataSource {
  const dim = components[0].mean.length;
  const total = components.reduce((s, c) => s + c.weight, 0);
  const cumulative = components.map((_, i) =>
    components.slice(0, i + 1).reduce((s, c) => s + c.weight, 0) / total
  );
  const eps = new Float64Array(dim);
  return {
    shape: [dim],
    modes: components.map((c) => ({ centre: c.mean, std: c.std })),
    components,
    sample(n, rng) {
      const out = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) {
        const u = rng.uniform();
        const k = Math.max(0, cumulative.findIndex((c) => u < c));
        const c = components[k];
        rng.fillNormal(eps);
        for (let j = 0; j < dim; j++) out[i * dim + j] = c.mean[j] + c.std[j] * eps[j];
      }
      return out;
    },
  };
}

/** Equal-weight isotropic components at `centres`, all scaled by `1/scale`. */
function scaledModes(centres: number[][], std: number, scale: number): DataSource {
  return mixture(centres.map((c) => ({
    weight: 1,
    mean: c.map((v) => v / scale),
    std: c.map(() => std / scale),
  })));
}

/** `ring8` (WGAN-GP code): 8 modes at radius 2, std 0.02, all divided by 1.414. */
export function ring8(): DataSource {
  const s = Math.SQRT1_2;
  const centres = [[1, 0], [-1, 0], [0, 1], [0, -1], [s, s], [s, -s], [-s, s], [-s, -s]];
  return scaledModes(centres.map(([x, y]) => [2 * x, 2 * y]), 0.02, 1.414);
}

/** `grid25` (WGAN-GP code): modes at (2x, 2y), x, y in -2..2, std 0.05, divided by 2.828. */
export function grid25(): DataSource {
  const centres: number[][] = [];
  for (let x = -2; x <= 2; x++) for (let y = -2; y <= 2; y++) centres.push([2 * x, 2 * y]);
  return scaledModes(centres, 0.05, 2.828);
}

/** The geometries of `ring8` and `grid25`: the WGAN-GP code's (default) or PacGAN's. */
export type ToyGeometry = "wgan_gp" | "pacgan";

/**
 * `ring8` with PacGAN's geometry (Lin et al. 2018, their code): 8 modes on the
 * unit circle at angles 2 pi k / 8, std 0.01.
 */
export function ring8Pacgan(): DataSource {
  const centres = Array.from({ length: 8 }, (_, k) => {
    const a = (2 * Math.PI * k) / 8;
    return [Math.cos(a), Math.sin(a)];
  });
  return scaledModes(centres, 0.01, 1);
}

/** `grid25` with PacGAN's geometry: modes at {-4, -2, 0, 2, 4}^2, std 0.05. */
export function grid25Pacgan(): DataSource {
  const centres: number[][] = [];
  for (let x = -2; x <= 2; x++) for (let y = -2; y <= 2; y++) centres.push([2 * x, 2 * y]);
  return scaledModes(centres, 0.05, 1);
}

/** `swissroll`: scikit-learn's swiss roll (noise 0.25), columns (0, 2), divided by 7.5. */
export function swissroll(): DataSource {
  const noise = new Float64Array(2);
  return {
    shape: [2],
    sample(n: number, rng: Rng) {
      const out = new Float32Array(n * 2);
      for (let i = 0; i < n; i++) {
        const t = 1.5 * Math.PI * (1 + 2 * rng.uniform());
        rng.uniform(); // the roll's height axis, dropped, kept for the recipe's draw order
        rng.fillNormal(noise, 0, 0.25);
        out[2 * i] = (t * Math.cos(t) + noise[0]) / 7.5;
        out[2 * i + 1] = (t * Math.sin(t) + noise[1]) / 7.5;
      }
      return out;
    },
  };
}
