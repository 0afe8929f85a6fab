/**
 * `deno task fid` (issue 18, part 5): two image sets compared with every metric that applies,
 * the protocol printed; a statistics file as the reference; bad input in one line, exit 2.
 */
import assert from "node:assert/strict";
import { encode as encodePng } from "fast-png";
import denoJson from "../deno.json" with { type: "json" };
import { runCommand } from "../src/cli/command.ts";
import { fidCommand } from "../src/cli/fid.ts";
import { facePicture } from "../src/data/faces.ts";
import { EXTRACTOR_LOADERS, type ExtractorLoaders } from "../src/metrics/extractor_choice.ts";
import { PROXY_EXTRACTOR } from "../src/metrics/proxy_features.ts";
import { UserError } from "../src/errors.ts";
import { ROOT } from "./_fixtures.ts";
import { writeShapeFolder } from "./_images.ts";

async function faceFolder(dir: string, count: number, seed: number, side = 24): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (let k = 0; k < count; k++) {
    const data = facePicture(k, seed, side, side);
    await Deno.writeFile(
      `${dir}/f${k}.png`,
      encodePng({ width: side, height: side, data, channels: 3 }),
    );
  }
}

/** Runs the command in this process; returns the exit code and what it printed. */
async function fid(args: string[], loaders?: ExtractorLoaders) {
  const out: string[] = [], err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (s: string) => out.push(String(s));
  console.error = (s: string) => err.push(String(s));
  try {
    const code = await runCommand(fidCommand(loaders), args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

const root = await Deno.makeTempDir({ prefix: "duel_fid_" });
Deno.env.set("DUEL_CACHE_DIR", `${root}/cache`);
await faceFolder(`${root}/a`, 12, 1);
await faceFolder(`${root}/b`, 12, 2);

Deno.test("fid: two folders, every metric with the protocol; the reference's statistics file next time", async () => {
  const r = await fid([`${root}/a`, `${root}/b`, "--json"]);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out);
  for (const key of ["proxy_fd", "proxy_kid", "proxy_kid_se", "proxy_precision", "proxy_recall"]) {
    assert.ok(Number.isFinite(json.metrics[key]), key);
  }
  assert.ok(Number.isFinite(json.metrics.swd) && Number.isFinite(json.metrics.swd_24));
  assert.ok(json.metrics.proxy_fd > 0);
  assert.equal(json.protocol.extractor, "proxy_randconv_v1");
  assert.equal(json.protocol.weights_sha256, PROXY_EXTRACTOR.weightsHash);
  assert.deepEqual([json.protocol.n_generated, json.protocol.n_reference], [12, 12]);
  assert.deepEqual([json.protocol.split, json.protocol.generated_split], ["folder", "folder"]);
  assert.equal(json.protocol.comparable_with_papers, false);
  const stats = json.statistics.match(/statistics (\S+\.stats)/)[1];
  // A set against itself: 0 distance; the reference from its statistics file: the same numbers.
  const self = JSON.parse((await fid([`${root}/b`, `${root}/b`, "--json"])).out);
  assert.ok(Math.abs(self.metrics.proxy_fd) < 1e-6 && self.metrics.swd === 0);
  assert.match(self.statistics, /read from the cache/);
  const fromFile = await fid([`${root}/a`, stats]);
  assert.equal(fromFile.code, 0, fromFile.err);
  assert.match(fromFile.out, /NOT comparable with papers/);
  assert.match(
    fromFile.out,
    new RegExp(`\\| proxy_fd \\| ${json.metrics.proxy_fd.toPrecision(5)} `),
  );
  assert.match(fromFile.out, /skipped: swd: the reference is a statistics file/);
  // --n caps both sets.
  const capped = JSON.parse((await fid([`${root}/a`, `${root}/b`, "--n", "8", "--json"])).out);
  assert.deepEqual([capped.protocol.n_generated, capped.protocol.n_reference], [8, 8]);
});

Deno.test("fid: sets of other sizes and channels are compared in feature space; SWD says why not", async () => {
  await writeShapeFolder(`${root}/grey`, 8, [16, 16]);
  const r = await fid([`${root}/grey`, `${root}/b`]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /skipped: swd: the sets' shapes differ \(16x16x1 and 24x24x3\)/);
});

Deno.test("fid: with Inception weights the keys are fid and inception_*, comparable with papers", async () => {
  const stub = { ...PROXY_EXTRACTOR, name: "stub_inception", weightsHash: "ab".repeat(32) };
  const loaders: ExtractorLoaders = {
    ...EXTRACTOR_LOADERS,
    inception: {
      check: () => Promise.resolve({ sha256: stub.weightsHash }),
      load: () => Promise.resolve(stub),
    },
  };
  const r = await fid([`${root}/a`, `${root}/b`, "--inception", "w.pth", "--json"], loaders);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out);
  assert.ok(Number.isFinite(json.metrics.fid) && Number.isFinite(json.metrics.inception_kid_se));
  assert.equal(json.metrics.proxy_fd, undefined);
  assert.equal(json.protocol.comparable_with_papers, true);
  // A statistics file of the proxy does not compare with Inception features.
  const proxyStats = JSON.parse((await fid([`${root}/a`, `${root}/b`, "--json"])).out).statistics
    .match(/statistics (\S+\.stats)/)[1];
  const mixed = await fid([`${root}/a`, proxyStats, "--inception", "w.pth"], loaders);
  assert.equal(mixed.code, 2);
  assert.match(
    mixed.err,
    /measured with proxy_randconv_v1 .* but this comparison uses stub_inception/,
  );
});

Deno.test("fid: bad input is one line and exit 2", async () => {
  await Deno.mkdir(`${root}/empty`);
  await faceFolder(`${root}/broken`, 7, 3);
  await Deno.writeTextFile(`${root}/broken/f3.png`, "not a picture");
  await faceFolder(`${root}/mixed`, 7, 3);
  await Deno.writeFile(
    `${root}/mixed/f9.png`,
    encodePng({ width: 8, height: 8, data: new Uint8Array(192), channels: 3 }),
  );
  await faceFolder(`${root}/few`, 3, 3);
  await Deno.writeTextFile(`${root}/junk.stats`, "junk");
  const refusing: ExtractorLoaders = {
    ...EXTRACTOR_LOADERS,
    inception: {
      check: (p) => Promise.reject(new UserError(`${p}: no such file (valid: the .pth)`)),
      load: () => Promise.reject(new Error("never reached")),
    },
  };
  const cases: [string[], RegExp, ExtractorLoaders?][] = [
    [[`${root}/nowhere`, `${root}/b`], /nowhere: no such file or folder/],
    [[`${root}/empty`, `${root}/b`], /empty: holds no PNG or JPEG files/],
    [[`${root}/broken`, `${root}/b`], /broken\/f3\.png: cannot decode it/],
    [[`${root}/mixed`, `${root}/b`], /mixed\/f9\.png is 8x8 .* but .*f0\.png is 24x24/],
    [[`${root}/few`, `${root}/b`], /few: 3 images \(valid: at least 6/],
    [[`${root}/a`, `${root}/junk.stats`], /junk\.stats: not a whole Duel statistics file/],
    [[`${root}/a`, `${root}/b`, "--inception", "gone.pth"], /^gone\.pth: no such file/, refusing],
    [
      [`${root}/a`, `${root}/b`, "--inception", "w.pth"],
      /^w\.pth: Inception weights: no such file/,
    ],
    [[`${root}/a`, `${root}/b`, "--n", "2"], /--n 2: not an integer >= 6/],
    [[`${root}/a`], /expected two image sets/],
  ];
  for (const [args, want, loaders] of cases) {
    const r = await fid(args, loaders);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err.split("\n")[0], want, r.err);
    assert.equal(r.out, "");
  }
});

Deno.test("fid: the task runs with its deno.json permissions", async () => {
  const task = (denoJson.tasks as Record<string, string>).fid.split(" ");
  const flags = task.filter((w) => w.startsWith("--allow-"));
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, `${ROOT}src/cli/fid.ts`, `${root}/a`, `${root}/b`],
    env: { DUEL_CACHE_DIR: `${root}/cache` },
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout, stderr } = await cmd.output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.match(text, /^extractor {2}proxy_randconv_v1, 112-d/m);
  assert.match(text, /\| proxy_fd \| /);
});
