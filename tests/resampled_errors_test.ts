/**
 * Standard errors over fresh resamples (issue 22, "honest estimates"): every
 * resampled metric gets `eval/<name>_se`, measured on draws from streams of
 * its own per evaluation step, while `eval/<name>` keeps the fixed draw's value
 * (so adding the errors changed no earlier number); summary.json lists each
 * final estimate with its error and the bound check against the exact value.
 */
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment, parseExperiment } from "../src/config/load.ts";
import { evaluate } from "../src/metrics/evaluate.ts";
import { METRICS } from "../src/metrics/metric_table.ts";
import { resampledRun } from "../src/metrics/metric_run.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { Trainer } from "../src/train/trainer.ts";
import { boundChecks } from "../src/views/estimates.ts";
import { renderRunPage } from "../src/views/run_page.ts";
import { renderMarkdown } from "../src/report/render.ts";
import { summarize } from "../src/report/summarize.ts";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

await useBackend("wasm");

Deno.test("resampling adds an s.e. to each resampled metric and leaves every value as it was", () => {
  const plain = Trainer.create(
    parseExperiment(tinyExperiment("/tmp/unused", "")).config,
  );
  const off = Trainer.create(
    parseExperiment(
      tinyExperiment("/tmp/unused").replace(
        "eval: { every: 20, samples: 200 }",
        "eval: { every: 20, samples: 200, resamples: 0 }",
      ),
    ).config,
  );
  const [withSe, without] = [evaluate(plain).metrics, evaluate(off).metrics];
  for (const [key, value] of Object.entries(without)) assert.equal(withSe[key], value, key);
  for (const name of ["modes", "hq", "reverse_kl", "kde_kl", "kde_js", "divergence"]) {
    assert.equal(METRICS[name as "modes"].resampled, true);
    assert.equal(without[`eval/${name}_se`], undefined);
    const se = withSe[`eval/${name}_se`];
    assert.ok(Number.isFinite(se) && se >= 0, `${name}: ${se}`);
  }
  // The untrained generator's samples scatter: the KDE estimates vary between fresh draws.
  assert.ok(withSe["eval/kde_js_se"] > 0 && withSe["eval/divergence_se"] > 0);
  plain.dispose();
  off.dispose();
});

Deno.test("each resample draws fresh samples of its own, per step and per index", () => {
  const trainer = Trainer.create(parseExperiment(tinyExperiment("/tmp/unused")).config);
  const a = resampledRun(trainer, 20, 0).samples, b = resampledRun(trainer, 20, 1).samples;
  const c = resampledRun(trainer, 40, 0).samples, again = resampledRun(trainer, 20, 0).samples;
  assert.notDeepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(a, again, "seeded: the same step and index give the same draw");
  assert.notEqual(
    resampledRun(trainer, 20, 0).stream("eval/critic").uniform(),
    resampledRun(trainer, 20, 1).stream("eval/critic").uniform(),
  );
  trainer.dispose();
});

Deno.test("a bound check says below, within noise, or flags an estimate above the exact value", () => {
  const row = { "eval/divergence": 0.3, "eval/divergence_se": 0.01, "eval/true_divergence": 0.31 };
  assert.equal(boundChecks(row)[0].verdict, "below");
  assert.equal(boundChecks({ ...row, "eval/divergence": 0.325 })[0].verdict, "within noise");
  const above = boundChecks({ ...row, "eval/divergence": 0.4 })[0];
  assert.equal(above.verdict, "above");
  assert.match(above.line, /ABOVE .* by 9\.0 s\.e\./);
  assert.deepEqual(boundChecks({ "eval/divergence": 0.3 }), [], "no exact value, no check");
  const page = renderRunPage({
    title: "t",
    status: "s",
    frames: [],
    rows: [{ step: 5, ...row, "eval/divergence": 0.4 }],
    config: "",
    manifest: "",
  });
  assert.match(page, /<table id="estimates">.*eval\/divergence.*± 0\.01000/s);
  assert.match(page, /class="bound flag"/);
});

Deno.test("summary.json gives every final estimate with its standard error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const loaded = await loadExperiment(`${ROOT}experiments/divergences/fit-kl.yaml`, [
      "train.steps=20",
      "eval.every=20",
      "eval.samples=400",
      "train.checkpoint_every=20",
      `output.root=${dir}`,
    ]);
    const summary = await runExperiment(loaded, { views: false });
    const saved = JSON.parse(await Deno.readTextFile(`${summary.run_dir}/summary.json`));
    for (const key of ["eval/modes", "eval/hq", "eval/reverse_kl", "eval/divergence"]) {
      assert.equal(saved.estimates[key].value, saved.final[key], key);
      assert.equal(saved.estimates[key].se, saved.final[`${key}_se`], key);
      assert.ok(Number.isFinite(saved.estimates[key].se), key);
    }
    assert.equal(saved.estimates["eval/mu"], undefined, "an exact reading is not an estimate");
    assert.equal(saved.bounds.length, 1);
    assert.match(saved.bounds[0], /eval\/divergence = .* a lower bound on eval\/true_divergence/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a report gives each configuration's mean the s.e. of its runs' own evaluation noise", () => {
  const trial = (seed: number, se?: number) => ({
    index: seed,
    configuration: 0,
    seed,
    objective: "hinge",
    settings: [["objective.name", "hinge"]] as [string, unknown][],
    final: { "eval/modes": 7 + seed, ...(se === undefined ? {} : { "eval/modes_se": se }) },
    curve: [],
  });
  const data = summarize("demo", [trial(0, 0.3), trial(1, 0.4)]);
  assert.ok(Math.abs(data.configurations[0].stats["eval/modes"].evalSe! - 0.25) < 1e-12);
  assert.match(renderMarkdown(data), /7\.5 ± 0\.707 \(s\.e\. 0\.25\)/);
  const partial = summarize("demo", [trial(0, 0.3), trial(1)]);
  assert.equal(partial.configurations[0].stats["eval/modes"].evalSe, undefined);
});
