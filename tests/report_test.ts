import assert from "node:assert/strict";
import { decode } from "fast-png";
import { Rng } from "../src/rng.ts";
import { renderHtml, renderMarkdown } from "../src/report/render.ts";
import { trialsFromRun, writeReport } from "../src/report/sources.ts";
import { bootstrapDifference, bootstrapMean, mean, quantile, std } from "../src/report/stats.ts";
import { type ReportTrial, summarize } from "../src/report/summarize.ts";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

Deno.test("bootstrap intervals of the mean cover the true mean about 95% of the time", () => {
  const rng = Rng.derive(1, "test/coverage");
  let covered = 0;
  const trials = 300;
  for (let t = 0; t < trials; t++) {
    const xs = [...rng.fillNormal(new Float64Array(20), 3, 2)];
    const ci = bootstrapMean(xs, rng, { resamples: 2000 });
    if (ci.lo <= 3 && 3 <= ci.hi) covered++;
  }
  // The percentile bootstrap undercovers a little at n = 20 (about 93%).
  assert.ok(covered / trials > 0.88 && covered / trials < 0.98, `${covered}/${trials}`);
});

Deno.test("bootstrap results repeat with the same stream and widen with spread", () => {
  const xs = [1, 4, 2, 8, 5, 7];
  const a = bootstrapMean(xs, Rng.derive(0, "x")), b = bootstrapMean(xs, Rng.derive(0, "x"));
  assert.deepEqual(a, b);
  const wide = bootstrapMean(xs.map((x) => 10 * x), Rng.derive(0, "x"));
  assert.ok(Math.abs((wide.hi - wide.lo) - 10 * (a.hi - a.lo)) < 1e-9);
  assert.deepEqual(bootstrapMean([2, 2, 2], Rng.derive(0, "x")), { lo: 2, hi: 2 });
  assert.ok(Number.isNaN(mean([])) && std([5]) === 0 && quantile([3, 1, 2], 1) === 3);
});

Deno.test("a difference is significant only when the seeds support it", () => {
  const rng = Rng.derive(0, "test/diff");
  const d = bootstrapDifference([0.9, 0.92, 0.88, 0.91, 0.9], [0.5, 0.55, 0.45, 0.52, 0.5], rng);
  assert.ok(d.significant && d.ci.lo > 0.3 && Math.abs(d.diff - 0.398) < 1e-9);
  const noisy = bootstrapDifference([0.1, 0.9, 0.5, 0.7, 0.2], [0.3, 0.8, 0.4, 0.6, 0.1], rng);
  assert.ok(!noisy.significant && noisy.ci.lo < 0 && noisy.ci.hi > 0);
});

/** Trials of three objectives: lower `eval/kde_js` is better. */
function fakeTrials(): ReportTrial[] {
  const out: ReportTrial[] = [];
  const objectives = {
    hinge: [0.10, 0.12, 0.11],
    least_squares: [0.11, 0.13, 0.12],
    minimax: [0.5, 0.6, 0.55],
  };
  let index = 0;
  for (const [c, [objective, values]] of Object.entries(objectives).entries()) {
    for (const [seed, v] of values.entries()) {
      out.push({
        index: index++,
        configuration: c,
        seed,
        objective,
        settings: [["train.steps", 100], ["objective.name", objective]],
        final: { "eval/kde_js": v, "eval/modes": 8 - c, "eval/mu": 0.5 },
        curve: [{ step: 0, "eval/kde_js": 0.7 }, { step: 100, "eval/kde_js": v }],
      });
    }
  }
  out.push({
    index: index++,
    configuration: 2,
    seed: 3,
    objective: "minimax",
    settings: [["train.steps", 100], ["objective.name", "minimax"]],
    curve: [],
    error: "NaN loss at step 12",
  });
  return out;
}

Deno.test("summaries rank by the metric's direction, mark ties and keep failures", () => {
  const data = summarize("demo", fakeTrials(), { rankBy: "eval/kde_js" });
  assert.deepEqual(data.metrics, ["eval/kde_js", "eval/modes"]); // eval/mu has no direction
  assert.deepEqual(data.objectives.map((r) => r.summary.objective), [
    "hinge",
    "least_squares",
    "minimax",
  ]);
  assert.equal(data.objectives[1].vsFirst!.significant, false); // 0.12 vs 0.11 over 3 seeds
  assert.equal(data.objectives[2].vsFirst!.significant, true);
  assert.deepEqual(data.swept, ["objective.name"]);
  assert.equal(data.fixed, "train.steps=100");
  assert.equal(data.configurations[0].label, "objective.name=hinge");
  assert.deepEqual(data.counts, { total: 10, done: 9, unfinished: 1 });
  assert.deepEqual(data.failures, [{ index: 9, seed: 3, error: "NaN loss at step 12" }]);
  const curve = data.configurations[2].curves["eval/kde_js"];
  assert.deepEqual(curve.map((p) => p.step), [0, 100]);
  assert.equal(curve[1].median, 0.55);
  assert.equal(data.configurations[1].stats["eval/kde_js"].mean, 0.12);
  const md = renderMarkdown(data);
  assert.match(
    md,
    /\| 2 \| least_squares \| objective\.name=least_squares \| 3 \| 0\.12 ± 0\.01 \|.* n\.s\. \|/,
  );
  assert.match(md, /\| 9 \| 3 \| NaN loss at step 12 \|/);
  assert.throws(
    () => summarize("demo", fakeTrials(), { rankBy: "eval/mu" }),
    /cannot rank by eval\/mu: which way is better is unknown \(valid: eval\/kde_js, eval\/modes\)/,
  );
  assert.throws(
    () => summarize("demo", fakeTrials(), { metrics: ["eval/fid"] }),
    /no finished trial has eval\/fid \(valid: eval\/kde_js, eval\/modes, eval\/mu\)/,
  );
});

Deno.test("diverged seeds are counted, not hidden; a key only some points set is not 'fixed'", () => {
  const trials = fakeTrials().filter((t) => !t.error).map((t) => {
    if (t.objective !== "minimax") return t;
    // minimax diverged on every seed; least_squares also sets a regulariser.
    return { ...t, final: { ...t.final, "eval/kde_js": NaN } };
  }).map((t) =>
    t.objective === "least_squares"
      ? { ...t, settings: [...t.settings, ["regularizers", [{ name: "r1" }]] as [string, unknown]] }
      : t
  );
  trials[0] = { ...trials[0], final: { ...trials[0].final, "eval/kde_js": Infinity } };
  const data = summarize("demo", trials, { rankBy: "eval/kde_js" });
  const hinge = data.configurations[0].stats["eval/kde_js"];
  assert.deepEqual([hinge.n, hinge.missing], [2, 1]);
  assert.deepEqual(data.swept, ["objective.name", "regularizers"]);
  assert.match(data.configurations[1].label, /regularizers=\[\{"name":"r1"\}\]/);
  assert.deepEqual(data.objectives.map((r) => r.summary.objective), ["hinge", "least_squares"]);
  const md = renderMarkdown(data);
  assert.match(md, /\| – \| minimax \| objective\.name=minimax \| 0 \| – \(3 of 3 not finite\) \|/);
  assert.match(md, /0\.115 ± 0\.00707 \(1 of 3 not finite\)/);
  const one = summarize("one seed", trials.filter((t) => t.seed === 1), { rankBy: "eval/kde_js" });
  assert.match(renderMarkdown(one), /n<2, not tested/);
});

Deno.test("the image metrics' protocol: each line once, and how many trials hold a line not all do", () => {
  const finished = fakeTrials().filter((t) => t.final);
  const common = "proxy_*: proxy_randconv_v1 (256-d), resize none; reference: 100 held-out images";
  const trials = finished.map((t, i) => ({
    ...t,
    protocol: i === 0 ? [common, "fid: inception_v3_fid (2048-d, weights sha256 ab12…)"] : [common],
  }));
  const data = summarize("sweep", trials);
  assert.deepEqual(data.protocol, [
    common,
    `fid: inception_v3_fid (2048-d, weights sha256 ab12…) (1 of ${finished.length} trials)`,
  ]);
  assert.match(renderMarkdown(data), /## Image metrics' protocol\n\n- proxy_\*: proxy_randconv_v1/);
  assert.match(renderHtml(data), /<ul id="protocol"><li>proxy_\*: proxy_randconv_v1/);
  const none = summarize("sweep", finished);
  assert.deepEqual(none.protocol, []);
  assert.doesNotMatch(renderMarkdown(none), /protocol/);
});

Deno.test("a single run folder gets the same report", async () => {
  const dir = await Deno.makeTempDir();
  const run = `${dir}/run`;
  await Deno.writeTextFile(`${dir}/tiny.yaml`, tinyExperiment(`${dir}/runs`));
  const out = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "experiment", "--quiet", `${dir}/tiny.yaml`, "--run-dir", run],
    cwd: ROOT,
    stdout: "null",
    stderr: "piped",
  });
  const status = await out.output();
  assert.equal(status.code, 0, new TextDecoder().decode(status.stderr));
  const report = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "report", run, "--quiet"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(report.code, 0, new TextDecoder().decode(report.stderr));
  const md = await Deno.readTextFile(`${run}/report.md`);
  assert.match(md, /^# run\n\n1 of 1 trials finished, 1 configuration; ranked by KDE JSD/);
  const [trial] = await trialsFromRun(run);
  assert.deepEqual(trial.curve.map((r) => r.step), [0, 20, 40, 60]);
  assert.ok(await Deno.stat(`${run}/curve-eval-modes.svg`));
});

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
  .find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });
const REQUIRED = Deno.env.get("DUEL_REQUIRE_CHROMIUM") === "1";

Deno.test({
  name: "the HTML report shows its charts in headless Chromium with no network",
  ignore: !CHROMIUM && !REQUIRED, // .ci/run installs Chromium and sets DUEL_REQUIRE_CHROMIUM=1
  async fn() {
    assert.ok(CHROMIUM, "Chromium is required (apt-get install -y chromium)");
    const dir = await Deno.makeTempDir();
    const data = summarize("screenshot", fakeTrials());
    await writeReport(dir, data);
    const html = await Deno.readTextFile(`${dir}/report.html`);
    assert.equal(html, renderHtml(data));
    assert.doesNotMatch(html, /<script|<link|@import|url\(|(src|href)=/i);
    const shot = `${dir}/shot.png`;
    const out = await new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--proxy-server=127.0.0.1:9", // any network request would fail
        `--user-data-dir=${dir}/profile`,
        "--window-size=1200,1800",
        `--screenshot=${shot}`,
        `file://${dir}/report.html`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const png = decode(await Deno.readFile(shot));
    const channels = png.channels;
    let coloured = 0, dark = 0;
    for (let i = 0; i < png.width * png.height; i++) {
      const [r, g, b] = [0, 1, 2].map((k) => png.data[i * channels + k]);
      // The first palette colour (#0072B2) as drawn by a chart.
      if (r < 60 && g > 80 && g < 150 && b > 150) coloured++;
      if (r + g + b < 200) dark++;
    }
    assert.ok(dark > 2000, `only ${dark} dark pixels: the page looks blank`);
    assert.ok(coloured > 300, `only ${coloured} chart-coloured pixels: no charts drawn`);
  },
});
