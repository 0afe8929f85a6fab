/**
 * The KDE divergences as first written (src/metrics/kde.ts before its blocked
 * density), kept verbatim as the reference that the fast version must equal to
 * the last bit: tests/kde_test.ts compares them and bench/kde_bench.ts times them.
 * @module
 */
import type { KdeDivergences, KdeOptions } from "../src/metrics/kde.ts";

/** The reference density: each sample's kernel values added cell by cell, in sample order. */
export function density(
  samples: Float32Array,
  xs: readonly number[],
  ys: readonly number[],
  h: number,
): Float64Array {
  const out = new Float64Array(xs.length * ys.length);
  const n = samples.length / 2;
  const gx = new Float64Array(xs.length), gy = new Float64Array(ys.length);
  for (let s = 0; s < n; s++) {
    const [px, py] = [samples[2 * s], samples[2 * s + 1]];
    for (let i = 0; i < xs.length; i++) gx[i] = Math.exp(-0.5 * ((xs[i] - px) / h) ** 2);
    for (let j = 0; j < ys.length; j++) gy[j] = Math.exp(-0.5 * ((ys[j] - py) / h) ** 2);
    for (let i = 0; i < xs.length; i++) {
      if (gx[i] < 1e-12) continue;
      for (let j = 0; j < ys.length; j++) out[i * ys.length + j] += gx[i] * gy[j];
    }
  }
  const total = out.reduce((a, b) => a + b, 0);
  // A floor keeps log ratios finite where one set has no mass at all.
  return out.map((v) => v / total + 1e-12);
}

/** The reference `kdeDivergences`, on {@link density}. */
export function kdeDivergencesReference(
  real: Float32Array,
  fake: Float32Array,
  options: KdeOptions = {},
): KdeDivergences {
  const cells = options.cells ?? 100;
  const n = real.length / 2;
  const axis = (k: number) => {
    const values = [...real.filter((_, i) => i % 2 === k), ...fake.filter((_, i) => i % 2 === k)];
    const mean = real.filter((_, i) => i % 2 === k).reduce((s, v) => s + v, 0) / n;
    const std = Math.sqrt(
      real.filter((_, i) => i % 2 === k).reduce((s, v) => s + (v - mean) ** 2, 0) / n,
    );
    return { lo: Math.min(...values), hi: Math.max(...values), std };
  };
  const [ax, ay] = [axis(0), axis(1)];
  const h = options.bandwidth ?? Math.pow(n, -1 / 6) * Math.min(ax.std, ay.std);
  const grid = (a: { lo: number; hi: number }) =>
    Array.from(
      { length: cells },
      (_, i) => a.lo - 3 * h + ((a.hi - a.lo + 6 * h) * (i + 0.5)) / cells,
    );
  const [xs, ys] = [grid(ax), grid(ay)];
  const p = density(real, xs, ys, h), q = density(fake, xs, ys, h);
  let kl = 0, js = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    kl += p[i] * Math.log(p[i] / q[i]);
    js += 0.5 * p[i] * Math.log(p[i] / m) + 0.5 * q[i] * Math.log(q[i] / m);
  }
  return { kl, js };
}
