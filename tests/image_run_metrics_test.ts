/**
 * Image-folder runs of any size and channel count (issue 18): every applicable metric at each
 * evaluation without listing any, the protocol in the manifest and report.html, Inception's
 * family when `eval.inception` names weights, and a bad weights file refused before anything
 * is written.
 */
import assert from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import { parseExperiment } from "../src/config/load.ts";
import { UserError } from "../src/errors.ts";
import { EXTRACTOR_LOADERS, type ExtractorLoaders } from "../src/metrics/extractor_choice.ts";
import { PROXY_EXTRACTOR } from "../src/metrics/proxy_features.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { runInceptionPath } from "../src/runs/feature_spaces.ts";
import { rgbPicture, writeShapeFolder } from "./_images.ts";

const PROXY_KEYS = [
  "proxy_fd",
  "proxy_kid",
  "proxy_kid_se",
  "proxy_precision",
  "proxy_recall",
  "proxy_density",
  "proxy_coverage",
  "swd",
].map((k) => `eval/${k}`);

function experiment(root: string, [h, w, c]: number[], extra = ""): string {
  return `name: img
seed: 1
data: { name: images, path: ${
    JSON.stringify(`${root}/pics`)
  }, size: [${h}, ${w}], channels: ${c}, held_out: 6 }
noise: { dim: 4 }
generator:
  layers:
    - { type: dense, units: ${h * w * c} }
    - { type: tanh }
    - { type: reshape, shape: [${h}, ${w}, ${c}] }
discriminator:
  layers:
    - { type: flatten }
    - { type: dense, units: 1 }
train: { steps: 2, batch_size: 4, checkpoint_every: 2 }
eval: { every: 1, samples: 8${extra} }
output: { root: ${JSON.stringify(`${root}/runs`)} }
`;
}

async function evalRows(dir: string): Promise<Record<string, number>[]> {
  return (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  ).filter((r) => Object.keys(r).some((k) => k.startsWith("eval/")));
}

for (const shape of [[16, 16, 3], [48, 48, 1]]) {
  Deno.test(`a ${shape.join("x")} folder run records the weight-free metrics at each evaluation, unlisted`, async () => {
    const root = await Deno.makeTempDir({ prefix: "duel_imgrun_" });
    await Deno.mkdir(`${root}/pics`);
    for (let k = 0; k < 14; k++) {
      await Deno.writeFile(
        `${root}/pics/p${k}.png`,
        encodePng({ width: 16, height: 16, data: rgbPicture(k, 16, 16), channels: 3 }),
      );
    }
    const summary = await runExperiment(
      parseExperiment(experiment(root, shape), { loadData: true }),
      { statsCache: `${root}/cache` },
    );
    const rows = await evalRows(summary.run_dir);
    assert.deepEqual(rows.map((r) => r.step), [0, 1, 2]);
    const level = `eval/swd_${shape[0]}`;
    for (const row of rows) {
      for (const key of [...PROXY_KEYS, level]) assert.ok(Number.isFinite(row[key]), key);
      assert.equal(row["eval/fid"], undefined);
      assert.equal(row["eval/frechet_distance"], undefined);
    }
    const manifest = JSON.parse(await Deno.readTextFile(`${summary.run_dir}/manifest.json`));
    assert.equal(manifest.feature_protocols.length, 1);
    const p = manifest.feature_protocols[0];
    assert.deepEqual(
      [p.extractor, p.split, p.n_reference, p.n_generated, p.from_step, p.comparable_with_papers],
      ["proxy_randconv_v1", "held_out", 6, 8, 0, false],
    );
    assert.equal(p.weights_sha256, PROXY_EXTRACTOR.weightsHash);
    assert.ok((await Deno.stat(`${root}/cache/feature_stats`)).isDirectory);
    const html = await Deno.readTextFile(`${summary.run_dir}/report.html`);
    assert.match(html, /<ul id="protocol"><li>eval\/proxy_\*, eval\/swd/);
    assert.match(html, /not comparable with papers \(proxy features\)/);
    for (const key of [...PROXY_KEYS, level]) assert.ok(html.includes(key), key);
    await Deno.remove(root, { recursive: true });
  });
}

Deno.test("with eval.inception the run adds eval/fid and eval/inception_*, protocol comparable", async () => {
  const root = await Deno.makeTempDir({ prefix: "duel_imgrun_" });
  await writeShapeFolder(`${root}/pics`, 14, [12, 12]);
  const stub = { ...PROXY_EXTRACTOR, name: "stub_inception", weightsHash: "cd".repeat(32) };
  const loaders: ExtractorLoaders = {
    ...EXTRACTOR_LOADERS,
    inception: {
      check: () => Promise.resolve({ sha256: stub.weightsHash }),
      load: () => Promise.resolve(stub),
    },
  };
  const yaml = experiment(root, [12, 12, 1], ", inception: weights.pth");
  const summary = await runExperiment(parseExperiment(yaml, { loadData: true }), {
    extractorLoaders: loaders,
    statsCache: null,
  });
  const rows = await evalRows(summary.run_dir);
  for (const row of rows) {
    for (const k of ["fid", "inception_kid", "inception_kid_se", "inception_coverage"]) {
      assert.ok(Number.isFinite(row[`eval/${k}`]), k);
    }
    // The stub is the proxy under another name: the same numbers in both families.
    assert.equal(row["eval/fid"], row["eval/proxy_fd"]);
  }
  const manifest = JSON.parse(await Deno.readTextFile(`${summary.run_dir}/manifest.json`));
  assert.deepEqual(
    manifest.feature_protocols.map((p: { extractor: string; comparable_with_papers: boolean }) => [
      p.extractor,
      p.comparable_with_papers,
    ]),
    [["proxy_randconv_v1", false], ["stub_inception", true]],
  );
  await Deno.remove(root, { recursive: true });
});

Deno.test("a bad eval.inception file stops the run before anything is written", async () => {
  const root = await Deno.makeTempDir({ prefix: "duel_imgrun_" });
  await writeShapeFolder(`${root}/pics`, 14, [12, 12]);
  const refusing: ExtractorLoaders = {
    ...EXTRACTOR_LOADERS,
    inception: {
      check: (p) =>
        Promise.reject(new UserError(`${p}: not a PyTorch checkpoint (valid: the .pth)`)),
      load: () => Promise.reject(new Error("never reached")),
    },
  };
  const yaml = experiment(root, [12, 12, 1], ", inception: bad.pth");
  const loaded = parseExperiment(yaml, { loadData: true });
  await assert.rejects(
    runExperiment(loaded, { extractorLoaders: refusing }),
    (e: Error) => e instanceof UserError && /^bad\.pth: not a PyTorch checkpoint/.test(e.message),
  );
  // The real loaders: a file that is not there, the same one line naming it.
  await assert.rejects(
    runExperiment(loaded),
    (e: Error) =>
      e instanceof UserError && /^bad\.pth: Inception weights: no such file/.test(e.message),
  );
  assert.equal(await Deno.stat(`${root}/runs`).then(() => true, () => false), false);
  await Deno.remove(root, { recursive: true });
});

Deno.test("DUEL_INCEPTION names the weights of image runs without eval.inception, not of others", () => {
  const image = parseExperiment(experiment("/tmp", [12, 12, 1], ""));
  const withKey = parseExperiment(experiment("/tmp", [12, 12, 1], ", inception: key.pth"));
  const ring = parseExperiment(`name: r
data: { name: ring8 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
`);
  // The environment as runInceptionPath reads it by default, passed in: no other test sees it.
  const seen = [image, withKey, ring].map((l) => runInceptionPath(l.config, () => "env.pth"));
  assert.deepEqual(seen, ["env.pth", "key.pth", undefined]);
});

Deno.test("eval.inception: absent leaves the config hash alone; on vector data it is a load error", () => {
  const ring = `name: r
data: { name: ring8 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
`;
  const plain = parseExperiment(ring);
  assert.doesNotMatch(plain.resolvedYaml, /inception/);
  assert.throws(
    () => parseExperiment(ring, { overrides: ["eval.inception=w.pth"] }),
    /eval\.inception: Inception features measure images .* but ring8 has 2/,
  );
});
