import assert from "node:assert/strict";
import { kdeDivergences, type KdeOptions } from "../src/metrics/kde.ts";
import { gridDensity } from "../src/metrics/kde_density.ts";
import { ring8 } from "../src/data/toy.ts";
import { Rng } from "../src/rng.ts";
import { density, kdeDivergencesReference } from "./_kde_reference.ts";
import { loadRustKernels, rustKernelsLoaded } from "../src/backend/rust/loader.ts";

const gaussian = (seed: number, n: number, shiftX = 0) => {
  const x = Rng.derive(seed, "kde").fillNormal(new Float32Array(2 * n));
  for (let i = 0; i < n; i++) x[2 * i] += shiftX;
  return x;
};

Deno.test("KDE divergences of two samples of one distribution are near 0", () => {
  const { kl, js } = kdeDivergences(gaussian(1, 3000), gaussian(2, 3000));
  assert.ok(kl < 0.02 && js < 0.005, `kl ${kl} js ${js}`);
});

Deno.test("KDE KL between N(0, I) and N((1, 0), I) matches the smoothed closed form d^2 / (2 (1 + h^2))", () => {
  const n = 4000, h = 0.25;
  const { kl, js } = kdeDivergences(gaussian(3, n), gaussian(4, n, 1), {
    bandwidth: h,
    cells: 120,
  });
  const want = 1 / (2 * (1 + h * h));
  assert.ok(Math.abs(kl - want) < 0.05, `kl ${kl} vs ${want}`);
  assert.ok(js > 0.05 && js < Math.LN2, `js ${js}`);
});

Deno.test("KDE JS of disjoint samples approaches log 2", () => {
  const { js } = kdeDivergences(gaussian(5, 1000), gaussian(6, 1000, 40), { bandwidth: 0.3 });
  assert.ok(Math.abs(js - Math.LN2) < 1e-3, `js ${js}`);
});

// Bit for bit against the first version (tests/_kde_reference.ts): the blocked density adds each
// cell's products in the same order, leaves cut samples out and pads tiles with zeros; its sums
// run on the Rust kernel (once loaded, as in a run) or in JavaScript.

await loadRustKernels();
const PATHS = [true, false];

/** Samples of a kind: `[n, 2]`, seeded. */
const SETS: Record<string, (n: number, seed: number) => Float32Array> = {
  normal: (n, seed) => gaussian(seed, n),
  ring8: (n, seed) => ring8().sample(n, Rng.derive(seed, "ring8")),
  // Clusters 40 bandwidths apart and more: most kernel values fall below the 1e-12 cut.
  far: (n, seed) => {
    const x = gaussian(seed, n);
    const r = Rng.derive(seed, "far");
    for (let i = 0; i < n; i++) {
      x[2 * i] = x[2 * i] * 0.01 + 40 * r.int(5);
      x[2 * i + 1] = x[2 * i + 1] * 0.01 - 60 * r.int(3);
    }
    return x;
  },
  identical: (n) => new Float32Array(2 * n).fill(0.5),
  // Few distinct values, so samples sit exactly on each other and on grid points.
  lattice: (n, seed) => {
    const r = Rng.derive(seed, "lattice");
    return Float32Array.from({ length: 2 * n }, () => r.int(4) / 2);
  },
};

const same = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
  }
};

const axisGrid = (cells: number, lo: number, hi: number) =>
  Array.from({ length: cells }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / cells);

Deno.test("the blocked KDE density equals the sample-by-sample one bit for bit", () => {
  const grids: [number, number][] = [[1, 1], [3, 5], [7, 2], [100, 100], [33, 17]];
  let seed = 0;
  for (const [kind, make] of Object.entries(SETS)) {
    for (const n of [0, 1, 2, 127, 128, 129, 300]) {
      const samples = make(n, ++seed);
      for (const [nx, ny] of grids) {
        for (const h of [0.3, 0.02, 4]) {
          const xs = axisGrid(nx, -3, 3), ys = axisGrid(ny, -130, 3);
          same(
            gridDensity(samples, xs, ys, h),
            density(samples, xs, ys, h),
            `${kind} n ${n} ${nx}x${ny} h ${h}`,
          );
        }
      }
    }
  }
});

Deno.test("the blocked KDE density equals the sample-by-sample one on non-finite input", () => {
  // Grid points a Float32Array holds exactly, so that a sample can sit on one.
  const xs = axisGrid(3, -1.5, 1.5), ys = axisGrid(5, -2.5, 2.5);
  const base = gaussian(40, 150);
  const cases: [string, Float32Array, number][] = [
    ["h 0", base, 0],
    ["h -0.3", base, -0.3],
    ["h NaN", base, NaN],
    ["h Infinity", base, Infinity],
    ["odd length", base.slice(0, 299), 0.3],
    ["on a grid point, h 0", new Float32Array([xs[2], ys[1], 9, 9]), 0],
    ["on a grid point, h 0, cut", new Float32Array([9, ys[1], xs[0], 9]), 0],
  ];
  for (const bad of [NaN, Infinity, -Infinity, 1e30]) {
    for (const at of [0, 1, 150, 299]) {
      const x = base.slice();
      x[at] = bad;
      cases.push([`${bad} at ${at}`, x, 0.3]);
      // Far on x so that every x-value of the sample is cut, with the bad value on y.
      const far = base.slice();
      far[at - (at % 2)] = 1e3;
      far[at - (at % 2) + 1] = bad;
      cases.push([`${bad} on y of a cut sample ${at}`, far, 0.3]);
    }
  }
  for (const [what, samples, h] of cases) {
    for (const rust of PATHS) {
      same(
        gridDensity(samples, xs, ys, h, rust),
        density(samples, xs, ys, h),
        `${what} rust ${rust}`,
      );
    }
  }
});

Deno.test("KDE divergences equal the first version's bit for bit (on the Rust kernel)", () => {
  assert.ok(rustKernelsLoaded());
  const pairs: [string, Float32Array, Float32Array, KdeOptions][] = [
    ["ring8 2500", ring8Like(1, 2500, 0), ring8Like(2, 2500, 0.05), {}],
    ["normal, 120 cells", gaussian(3, 700), gaussian(4, 500, 1), { cells: 120 }],
    ["disjoint", gaussian(5, 300), gaussian(6, 300, 40), { bandwidth: 0.3 }],
    ["far", SETS.far(400, 7), SETS.far(300, 8), {}],
    ["identical sets", SETS.lattice(200, 9), SETS.lattice(200, 9), { cells: 37 }],
    ["identical samples (h 0)", SETS.identical(100, 0), gaussian(10, 100), {}],
    ["one sample each", gaussian(11, 1), gaussian(12, 1), { bandwidth: 0.5 }],
    ["NaN", gaussian(13, 50), Float32Array.from(gaussian(14, 50), (v, i) => i === 7 ? NaN : v), {}],
    [
      "Infinity",
      Float32Array.from(gaussian(15, 50), (v, i) => i === 4 ? Infinity : v),
      gaussian(16, 50),
      {},
    ],
  ];
  for (const [what, real, fake, options] of pairs) {
    const got = kdeDivergences(real, fake, options),
      want = kdeDivergencesReference(real, fake, options);
    assert.ok(
      Object.is(got.kl, want.kl) && Object.is(got.js, want.js),
      `${what}: ${JSON.stringify([got, want])}`,
    );
  }
});

/** Ring8's samples, jittered by `noise` as a generator's are. */
function ring8Like(seed: number, n: number, noise: number): Float32Array {
  const x = ring8().sample(n, Rng.derive(seed, "ring8"));
  const eps = Rng.derive(seed, "jitter").fillNormal(new Float32Array(2 * n));
  return x.map((v, i) => v + noise * eps[i]);
}
