/** Every example experiment file validates and trains for a few steps. */
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { evaluate } from "../src/metrics/evaluate.ts";
import { loadSweep } from "../src/sweep/sweep_file.ts";
import { Trainer } from "../src/train/trainer.ts";
import { ROOT } from "./_fixtures.ts";
import { writeShapeFolder } from "./_images.ts";

await useBackend("wasm");

function yamlFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].flatMap((e) =>
    e.isDirectory
      ? yamlFiles(`${dir}/${e.name}`)
      : e.name.endsWith(".yaml")
      ? [`${dir}/${e.name}`]
      : []
  );
}

const all = yamlFiles(`${ROOT}experiments`).sort();
const files = all.filter((f) => !f.includes("/sweeps/"));
const sweeps = all.filter((f) => f.includes("/sweeps/"));

for (const file of sweeps) {
  Deno.test(`${file.slice(ROOT.length)} validates every trial`, async () => {
    const { trials } = await loadSweep(file);
    assert.ok(trials.length > 0);
  });
}

Deno.test("there are example files for the toy sets, images and the benchmarks", () => {
  const names = files.map((f) => f.slice(ROOT.length));
  for (
    const want of [
      "experiments/ring8.yaml",
      "experiments/grid25-wgan-gp.yaml",
      "experiments/bench/toy2d.yaml",
      "experiments/bench/dcgan-mnist.yaml",
      "experiments/dcgan-mnist.yaml",
      "experiments/images-folder.yaml",
    ]
  ) {
    assert.ok(names.includes(want), want);
  }
});

for (const file of files) {
  const text = Deno.readTextFileSync(file);
  Deno.test(
    `${file.slice(ROOT.length)} validates, trains 3 steps and evaluates`,
    () => trainsAndEvaluates(file, text),
  );
}

async function trainsAndEvaluates(file: string, text: string): Promise<void> {
  // Image-folder examples train on a folder of generated pictures.
  const folder = /name:\s*images\b/.test(text)
    ? await Deno.makeTempDir({ prefix: "duel_example_images_" })
    : undefined;
  if (folder) await writeShapeFolder(folder, 12);
  try {
    const { config } = await loadExperiment(file, [
      "train.steps=3",
      "eval.samples=200",
      "train.batch_size=16",
      ...(folder ? [`data.path=${folder}`, "data.held_out=4"] : []),
    ]);
    const trainer = Trainer.create(config);
    let last;
    for await (const m of trainer.run()) last = m;
    assert.equal(last?.step, 3);
    assert.ok(Number.isFinite(last!["d/loss"]));
    const { metrics } = evaluate(trainer);
    assert.ok(Object.values(metrics).every(Number.isFinite), JSON.stringify(metrics));
    trainer.dispose();
  } finally {
    if (folder) await Deno.remove(folder, { recursive: true });
  }
}
