import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment, parseExperiment } from "../src/config/load.ts";
import { evaluate } from "../src/metrics/evaluate.ts";
import { METRIC_NEEDS } from "../src/metrics/metric_needs.ts";
import { type MetricKind, METRICS, OPT_IN_METRICS } from "../src/metrics/metric_table.ts";
import { METRIC_INFO, metricLabel } from "../src/report/metric_info.ts";
import { Trainer } from "../src/train/trainer.ts";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

const records = Object.entries(METRICS) as [string, MetricKind][];

Deno.test("every record is complete: a rank exactly where a direction is, ranks unique, known needs", () => {
  for (const [name, m] of records) {
    assert.equal(m.rank === undefined, m.better === undefined, name);
    assert.ok(m.label && m.doc && m.needs.length, name);
    for (const need of m.needs) assert.ok(Object.hasOwn(METRIC_NEEDS, need), `${name}: ${need}`);
  }
  const ranks = records.flatMap(([, m]) => m.rank ?? []);
  assert.equal(new Set(ranks).size, ranks.length);
  assert.deepEqual(OPT_IN_METRICS, records.filter(([, m]) => m.optIn).map(([n]) => n));
});

Deno.test("the report's labels and directions derive from the table, in the old ranking order", () => {
  // The hand-kept table this replaces (report/metric_info.ts before the metric table), then KID
  // and the weight-free image metrics, ranked after every older one.
  assert.deepEqual(Object.entries(METRIC_INFO), [
    ["eval/frechet_distance", { label: "Fréchet distance", better: "lower" }],
    ["eval/classifier_score", { label: "classifier score", better: "higher" }],
    ["eval/kde_js", { label: "KDE JSD", better: "lower" }],
    ["eval/hq", { label: "high-quality share", better: "higher" }],
    ["eval/modes", { label: "modes", better: "higher" }],
    ["eval/reverse_kl", { label: "reverse KL over modes", better: "lower" }],
    ["eval/kde_kl", { label: "KDE KL(real || fake)", better: "lower" }],
    ["eval/true_divergence", { label: "true divergence", better: "lower" }],
    ["eval/precision", { label: "precision", better: "higher" }],
    ["eval/recall", { label: "recall", better: "higher" }],
    ["eval/density", { label: "density", better: "higher" }],
    ["eval/coverage", { label: "coverage", better: "higher" }],
    ["eval/parzen_ll", { label: "Parzen log-likelihood", better: "higher" }],
    ["eval/kid", { label: "KID", better: "lower" }],
    ["eval/proxy_fd", { label: "FD (proxy features)", better: "lower" }],
    ["eval/proxy_kid", { label: "KID (proxy features)", better: "lower" }],
    ["eval/swd", { label: "SWD (x1e3)", better: "lower" }],
    ["eval/proxy_precision", { label: "precision (proxy features)", better: "higher" }],
    ["eval/proxy_recall", { label: "recall (proxy features)", better: "higher" }],
    ["eval/proxy_coverage", { label: "coverage (proxy features)", better: "higher" }],
    ["eval/fid", { label: "FID", better: "lower" }],
    ["eval/inception_kid", { label: "KID (Inception)", better: "lower" }],
    ["eval/inception_precision", { label: "precision (Inception)", better: "higher" }],
    ["eval/inception_recall", { label: "recall (Inception)", better: "higher" }],
    ["eval/inception_coverage", { label: "coverage (Inception)", better: "higher" }],
  ]);
  for (const key of ["eval/mu", "eval/sigma", "eval/divergence", "eval/kid_se", "d/loss"]) {
    assert.equal(metricLabel(key), key.replace("eval/", ""));
  }
});

Deno.test("the README's reference lists every metric of the table", async () => {
  const readme = await Deno.readTextFile(`${ROOT}README.md`);
  const lines = readme.split("\n");
  for (const [name, m] of records) {
    const row = lines.find((l) => l.startsWith(`| \`eval/${name}\` `));
    assert.ok(row?.includes(` ${m.label.replaceAll("|", "\\|")} `), name);
  }
});

await useBackend("wasm");

Deno.test("the evaluator measures what applies, in table order: a 2-D ring, a 1-D Gaussian fit", async () => {
  const ring = Trainer.create(parseExperiment(tinyExperiment("/tmp/unused")).config);
  assert.deepEqual(Object.keys(evaluate(ring).metrics), [
    "eval/modes",
    "eval/modes_se",
    "eval/hq",
    "eval/hq_se",
    "eval/reverse_kl",
    "eval/reverse_kl_se",
    "eval/kde_kl",
    "eval/kde_kl_se",
    "eval/kde_js",
    "eval/kde_js_se",
    "eval/divergence",
    "eval/divergence_se",
  ]);
  ring.dispose();
  for (const [objective, truth] of [["kl", true], ["hinge", false]] as const) {
    const { config } = await loadExperiment(`${ROOT}experiments/divergences/fit-kl.yaml`, [
      "eval.samples=300",
      `objective.name=${objective}`,
    ]);
    const fit = Trainer.create(config);
    assert.deepEqual(Object.keys(evaluate(fit).metrics), [
      "eval/modes",
      "eval/modes_se",
      "eval/hq",
      "eval/hq_se",
      "eval/reverse_kl",
      "eval/reverse_kl_se",
      ...(truth
        ? ["eval/divergence", "eval/divergence_se", "eval/mu", "eval/sigma", "eval/true_divergence"]
        : ["eval/mu", "eval/sigma"]),
    ]);
    fit.dispose();
  }
});
