/**
 * The KDE divergences (eval/kde_kl, eval/kde_js) on the README run's inputs:
 * 2,500 ring8 samples against 2,500 jittered ones, 100 x 100 cells. Times the
 * first version (tests/_kde_reference.ts: each sample's products added cell by
 * cell) and the blocked one (src/metrics/kde.ts: sums on the Rust kernel
 * `kde_sums_f64`; and with its JavaScript fallback, as where the kernels are
 * not loaded) side by side in one process, rounds interleaved, so a busy
 * neighbour slows all alike; checks that all give the same bits; and times the
 * kernel values alone (the 2 x 2,500 x 200 calls of Math.exp that any exact
 * version makes, less the cut ones), the floor of this design.
 *
 *   deno run --allow-sys=loadavg bench/kde_bench.ts [--rounds 15]
 *
 * The README run computes the KDE 78 times (13 evaluations, each on the
 * measured draw and 5 fresh ones for the standard error).
 * @module
 */
import { parseArgs } from "node:util";
import { ring8 } from "../src/data/toy.ts";
import { loadRustKernels } from "../src/backend/rust/loader.ts";
import { kdeDivergences } from "../src/metrics/kde.ts";
import { gridDensity } from "../src/metrics/kde_density.ts";
import { Rng } from "../src/rng.ts";
import { density, kdeDivergencesReference } from "../tests/_kde_reference.ts";
import { median } from "./_stats.ts";

const { values } = parseArgs({ args: Deno.args, options: { rounds: { type: "string" } } });
const ROUNDS = Number(values.rounds ?? 15);
await loadRustKernels();

const draw = (seed: number, noise: number) => {
  const x = ring8().sample(2500, Rng.derive(seed, "ring8"));
  const eps = Rng.derive(seed, "jitter").fillNormal(new Float32Array(x.length));
  return x.map((v, i) => v + noise * eps[i]);
};
const inputs = Array.from({ length: 4 }, (_, i) => [draw(2 * i, 0), draw(2 * i + 1, 0.05)]);

// One grid and bandwidth for the density-only variants (the KDE's own for the first input).
const xs = Array.from({ length: 100 }, (_, i) => -2.2 + (4.4 * (i + 0.5)) / 100), ys = xs;
const h = 0.27;
/** The two densities of a KDE, the sums in JavaScript or on the Rust kernel. */
const densities = (rust: boolean) => (real: Float32Array, fake: Float32Array) => [
  gridDensity(real, xs, ys, h, rust),
  gridDensity(fake, xs, ys, h, rust),
];

/** Only the kernel values, as the blocked version computes them. */
function expsOnly(real: Float32Array, fake: Float32Array): number {
  let sink = 0;
  for (const samples of [real, fake]) {
    for (let s = 0; s < samples.length / 2; s++) {
      const px = samples[2 * s], py = samples[2 * s + 1];
      for (let i = 0; i < xs.length; i++) {
        const t = -0.5 * ((xs[i] - px) / h) ** 2;
        sink += t < -28 ? 0 : Math.exp(t);
      }
      for (let j = 0; j < ys.length; j++) sink += Math.exp(-0.5 * ((ys[j] - py) / h) ** 2);
    }
  }
  return sink;
}

const variants: [string, (real: Float32Array, fake: Float32Array) => unknown][] = [
  ["KDE, first version", kdeDivergencesReference],
  ["KDE, blocked + Rust sums", kdeDivergences],
  [
    "2 densities, first version",
    (real, fake) => [density(real, xs, ys, h), density(fake, xs, ys, h)],
  ],
  ["2 densities, Rust sums", densities(true)],
  ["2 densities, JS sums", densities(false)],
  ["Math.exp calls alone", expsOnly],
];
for (const [real, fake] of inputs) {
  const [a, b] = [kdeDivergencesReference(real, fake), kdeDivergences(real, fake)];
  if (!Object.is(a.kl, b.kl) || !Object.is(a.js, b.js)) {
    throw new Error(`bits differ: ${JSON.stringify([a, b])}`);
  }
  const want = density(real, xs, ys, h);
  for (const rust of [true, false]) {
    if (!gridDensity(real, xs, ys, h, rust).every((v, i) => Object.is(v, want[i]))) {
      throw new Error(`densities differ (rust ${rust})`);
    }
  }
}
const times = variants.map(() => [] as number[]);
for (let r = 0; r < ROUNDS; r++) {
  for (let v = 0; v < variants.length; v++) {
    const [real, fake] = inputs[r % inputs.length];
    const t = performance.now();
    variants[v][1](real, fake);
    times[v].push(performance.now() - t);
  }
}
const base = (v: number) => median(times[v < 2 ? 0 : 2]);
console.log(`load average ${Deno.loadavg().map((l) => l.toFixed(1)).join(" ")}, ${ROUNDS} rounds`);
for (let v = 0; v < variants.length; v++) {
  const m = median(times[v]), best = Math.min(...times[v]);
  console.log(
    `${variants[v][0].padEnd(28)} median ${m.toFixed(1)} ms, best ${best.toFixed(1)} ms, ` +
      `${(base(v) / m).toFixed(2)}x faster than the first version`,
  );
}
