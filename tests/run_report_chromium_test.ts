/**
 * The ring8 run's report in headless Chromium: the heatmap has many colours,
 * arrows and samples are drawn, the loss curves are there, the time-lapse
 * slider moves, and the page requests nothing from the network
 * (tests/browser/report_check.ts holds the checks).
 */
import assert from "node:assert/strict";
import { loadExperiment } from "../src/config/load.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { browserCheck, CHROMIUM, CHROMIUM_REQUIRED } from "./_chromium.ts";

Deno.test({
  name: "the ring8 report in Chromium: heatmap colours, arrows, samples, loss curves, no network",
  ignore: !CHROMIUM && !CHROMIUM_REQUIRED,
  async fn() {
    assert.ok(CHROMIUM, "Chromium is required (apt-get install -y chromium)");
    const root = await Deno.makeTempDir();
    const loaded = await loadExperiment("experiments/ring8.yaml", [
      "train.steps=400",
      "eval.every=200",
      `output.root=${root}`,
    ]);
    const { run_dir } = await runExperiment(loaded);
    const { code, output } = await browserCheck("report_check.ts", [run_dir]);
    assert.equal(code, 0, output);
    assert.match(output, /report ok/);
  },
});
