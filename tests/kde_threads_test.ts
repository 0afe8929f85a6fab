import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { rustKernelThreads } from "../src/backend/rust/bound.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { ring8 } from "../src/data/toy.ts";
import { kdeDivergences } from "../src/metrics/kde.ts";
import { gridDensity } from "../src/metrics/kde_density.ts";
import { Rng } from "../src/rng.ts";
import { density, kdeDivergencesReference } from "./_kde_reference.ts";

// The KDE on the threaded wasm backend: its kernel values (JavaScript parts) and grid sums
// (kde_sums_f64 by rows) shared out to the kernel threads, against the sample-by-sample loop.

const axisGrid = (cells: number, lo: number, hi: number) =>
  Array.from({ length: cells }, (_, i) => lo + ((hi - lo) * (i + 0.5)) / cells);

const ring8Like = (seed: number, n: number, noise: number) => {
  const x = ring8().sample(n, Rng.derive(seed, "ring8"));
  const eps = Rng.derive(seed, "jitter").fillNormal(new Float32Array(x.length));
  return x.map((v, i) => v + noise * eps[i]);
};

const same = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
  }
};

Deno.test({
  name: "the KDE on the kernel threads equals the sample-by-sample loop bit for bit",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await useBackend("wasm", 2);
    try {
      assert.equal(tf.getBackend(), "wasm-threaded");
      const ran = () => rustKernelThreads(tf.backend())?.partsRun().reduce((a, b) => a + b) ?? 0;
      const before = ran();
      const xs = axisGrid(100, -2.4, 2.4), ys = axisGrid(97, -2.3, 2.5);
      const far = ring8Like(3, 1500, 0.02).map((v, i) => (i % 7 === 0 ? v + 40 : v));
      const withNaN = ring8Like(4, 1200, 0.02).map((v, i) => (i === 1001 ? NaN : v));
      const cutNaN = ring8Like(5, 1200, 0.02).map((v, i) => i === 600 ? 1e3 : i === 601 ? NaN : v);
      const cases: [string, Float32Array][] = [
        ["ring8 2500", ring8Like(1, 2500, 0.05)],
        ["3000 (two chunks)", ring8Like(2, 3000, 0.3)],
        ["far, mostly cut", far],
        ["NaN on y", withNaN],
        ["NaN on y of a cut sample", cutNaN],
        ["odd length", ring8Like(6, 700, 0.1).slice(0, 1399)],
        ["one sample", ring8Like(7, 1, 0)],
      ];
      for (const [what, samples] of cases) {
        for (const h of [0.27, 0.05]) {
          same(gridDensity(samples, xs, ys, h), density(samples, xs, ys, h), `${what} h ${h}`);
        }
      }
      const [real, fake] = [ring8Like(8, 2500, 0), ring8Like(9, 2500, 0.05)];
      const got = kdeDivergences(real, fake), want = kdeDivergencesReference(real, fake);
      assert.ok(Object.is(got.kl, want.kl) && Object.is(got.js, want.js), JSON.stringify(got));
      // Shared out: jobs of several parts ran (a job of one part is not counted).
      assert.ok(ran() - before >= 20, `parts run: ${ran() - before}`);
    } finally {
      await useBackend("wasm");
    }
  },
});
