/**
 * The weight-free image metrics: SWD on Laplacian-pyramid patches (closed-form and known-value
 * checks), KID/FD/PRDC in the proxy feature space, and an image-folder run of an odd size with
 * RGB pictures that records every one of them at each evaluation and draws them in its report.
 */
import assert from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import { parseExperiment } from "../src/config/load.ts";
import { kid } from "../src/metrics/kid.ts";
import { OPT_IN_METRICS } from "../src/metrics/metric_table.ts";
import { PROXY_EXTRACTOR } from "../src/metrics/proxy_features.ts";
import { featureContext, featureReference } from "../src/metrics/proxy_metrics.ts";
import { laplacianPyramid, slicedWasserstein, swd, swdLevels } from "../src/metrics/swd.ts";
import { Rng } from "../src/rng.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { rgbPicture, shapePicture } from "./_images.ts";
import { tinyExperiment } from "./_fixtures.ts";

/** `n` grey shape pictures `[h, w, 1]` in [-1, 1], from pictures `from..from+n-1`. */
function shapes(n: number, h: number, w: number, from = 0): Float32Array {
  const out = new Float32Array(n * h * w);
  for (let k = 0; k < n; k++) {
    out.set(Array.from(shapePicture(from + k, h, w), (v) => v / 127.5 - 1), k * h * w);
  }
  return out;
}

Deno.test("sliced Wasserstein: 0 on identical sets, E|u·v| = |v| Γ(d/2)/(√π Γ((d+1)/2)) under a shift", () => {
  const d = 3, n = 400, v = [0.6, -0.8, 0]; // |v| = 1
  const a = Rng.derive(1, "sw").fillNormal(new Float32Array(n * d));
  assert.equal(slicedWasserstein(a, a, d), 0);
  const b = a.map((x, i) => x + v[i % d]);
  // For d = 3, E|u_1| over the unit sphere is 1/2.
  const got = slicedWasserstein(a, b, d, 4000);
  assert.ok(Math.abs(got - 0.5) < 0.02, `${got}`);
});

Deno.test("Laplacian pyramid: levels down to 16 px, the finest one the detail (not the image)", () => {
  assert.deepEqual([swdLevels(64, 64), swdLevels(28, 28), swdLevels(8, 8), swdLevels(64, 40)], [
    3,
    1,
    1,
    2,
  ]);
  const image = Rng.derive(0, "pyr").fillNormal(new Float32Array(32 * 32 * 3));
  const levels = laplacianPyramid(image, [32, 32, 3]);
  assert.deepEqual(levels.map((l) => [l.h, l.w, l.c]), [[32, 32, 3], [16, 16, 3]]);
  // Level 0 is the image minus the upsampled coarse level.
  assert.ok(levels[0].x.some((v, i) => Math.abs(v - image[i]) > 1e-3), "detail differs from image");
});

Deno.test("SWD: identical sets give 0 per level; it grows as more of one set is replaced by noise", () => {
  const real = shapes(40, 32, 32);
  const same = swd(real, real, [32, 32, 1]);
  assert.deepEqual(same, { value: 0, levels: { "16": 0, "32": 0 } });
  const noise = Rng.derive(0, "noise").fillNormal(new Float32Array(real.length)).map(Math.tanh);
  const size = 32 * 32;
  let last = 0;
  for (const replaced of [0, 10, 20, 40]) {
    const fake = real.slice();
    fake.set(noise.subarray(0, replaced * size));
    const r = swd(real, fake, [32, 32, 1]);
    assert.ok(replaced === 0 ? r.value === 0 : r.value > last, `${replaced}: ${r.value}`);
    last = r.value;
  }
  // Another sample of the same pictures is far closer than noise.
  const other = swd(real, shapes(40, 32, 32, 100), [32, 32, 1]).value;
  assert.ok(other > 0 && other < last / 3, `${other} vs ${last}`);
});

Deno.test("proxy features: fixed weights, any size and channel count, grey equals its RGB repeat", () => {
  assert.equal(PROXY_EXTRACTOR.name, "proxy_randconv_v1");
  assert.equal(PROXY_EXTRACTOR.dim, 112);
  const grey = shapes(3, 20, 12);
  const rgb = new Float32Array(grey.length * 3).map((_, i) => grey[Math.floor(i / 3)]);
  const a = PROXY_EXTRACTOR.features(grey, [20, 12, 1]);
  assert.deepEqual(a, PROXY_EXTRACTOR.features(rgb, [20, 12, 3]));
  assert.ok(a.every(Number.isFinite) && a.some((v) => v > 0));
  assert.throws(() => PROXY_EXTRACTOR.features(grey, [20, 12, 2]), /need \[n, h, w, 1\|3\] images/);
});

Deno.test("proxy KID: unbiased on pairs of samples of one distribution, large across two", () => {
  // 24 pairs of independent samples of one distribution (shape pictures): the estimates average
  // to 0 within their standard error of the mean (a biased MMD² would sit above 0).
  const values: number[] = [];
  const ref0 = featureReference(shapes(30, 16, 16), [16, 16, 1], "train");
  for (let p = 0; p < 24; p++) {
    const a = PROXY_EXTRACTOR.features(shapes(30, 16, 16, 1000 + 60 * p), [16, 16, 1]);
    const b = PROXY_EXTRACTOR.features(shapes(30, 16, 16, 1030 + 60 * p), [16, 16, 1]);
    values.push(kid(a, b, PROXY_EXTRACTOR.dim).value);
  }
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const sem = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1)) /
    Math.sqrt(values.length);
  assert.ok(Math.abs(mean) < 3 * sem, `${mean} ± ${sem}`);
  const noise = Rng.derive(0, "n").fillNormal(new Float32Array(30 * 256)).map(Math.tanh);
  const far = kid(ref0.features, featureContext(ref0, noise).features(), ref0.extractor.dim);
  assert.ok(far.value > 10 * far.se && far.value > 20 * sem, `${far.value} ± ${far.se}`);
  const self = featureContext(ref0, ref0.images);
  const same = kid(ref0.features, self.features(), ref0.extractor.dim).value;
  assert.ok(same <= 0 && -same < far.value / 20, `identical sets: ${same}`);
  assert.deepEqual([self.prdc().precision, self.prdc().recall, self.prdc().coverage], [1, 1, 1]);
});

Deno.test("eval.metrics: the proxy metrics and swd are opt-in, need image data, and say why on ring8", () => {
  for (const name of ["proxy_fd", "proxy_kid", "proxy_precision", "swd"]) {
    assert.ok(OPT_IN_METRICS.includes(name as never), name);
  }
  assert.throws(
    () => parseExperiment(tinyExperiment("/tmp/unused"), { overrides: ["eval.metrics=[swd]"] }),
    /eval\.metrics: swd measure images \(any size, 1 or 3 channels\) but ring8 has 2.*image data/,
  );
});

const PROXY_METRICS = [
  "proxy_fd",
  "proxy_kid",
  "proxy_precision",
  "proxy_recall",
  "proxy_density",
  "proxy_coverage",
  "swd",
];

Deno.test({
  name:
    "an RGB image-folder run of an odd size records every weight-free metric at each evaluation",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "duel_proxy_run_" });
    await Deno.mkdir(`${root}/pics`);
    for (let k = 0; k < 14; k++) {
      const data = rgbPicture(k, 20, 18);
      await Deno.writeFile(
        `${root}/pics/p${k}.png`,
        encodePng({ width: 18, height: 20, data, channels: 3 }),
      );
    }
    const yaml = `name: rgb
seed: 3
data: { name: images, path: ${
      JSON.stringify(`${root}/pics`)
    }, size: [20, 18], channels: 3, held_out: 6 }
noise: { dim: 4 }
generator:
  layers:
    - { type: dense, units: 16 }
    - { type: relu }
    - { type: dense, units: 1080 }
    - { type: tanh }
    - { type: reshape, shape: [20, 18, 3] }
discriminator:
  layers:
    - { type: flatten }
    - { type: dense, units: 16 }
    - { type: leaky_relu }
    - { type: dense, units: 1 }
train: { steps: 4, batch_size: 4, checkpoint_every: 4 }
eval: { every: 2, samples: 8, metrics: [${PROXY_METRICS.join(", ")}] }
output: { root: ${JSON.stringify(root)} }
`;
    const summary = await runExperiment(parseExperiment(yaml, { loadData: true }));
    const rows = (await Deno.readTextFile(`${summary.run_dir}/metrics.jsonl`)).trim().split("\n")
      .map((l) => JSON.parse(l)).filter((r) => Object.keys(r).some((k) => k.startsWith("eval/")));
    assert.deepEqual(rows.map((r) => r.step), [0, 2, 4]);
    const want = [...PROXY_METRICS.slice(0, 2), "proxy_kid_se", ...PROXY_METRICS.slice(2), "swd_20"]
      .map((k) => `eval/${k}`);
    for (const row of rows) {
      for (const key of want) assert.ok(Number.isFinite(row[key]), `${row.step}: ${key}`);
    }
    const html = await Deno.readTextFile(`${summary.run_dir}/report.html`);
    for (const key of want) assert.ok(html.includes(key), key);
    await Deno.remove(root, { recursive: true });
  },
});
