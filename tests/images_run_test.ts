/**
 * A run on image data: PNG grids of samples in the run folder (one per evaluation, the final
 * one, the real images), no sample CSVs, and the data split in the manifest.
 */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { parseExperiment } from "../src/config/load.ts";
import { MNIST_CLASSIFIER_RECIPE } from "../src/metrics/mnist_classifier.ts";
import { resumeRun, runExperiment } from "../src/runs/experiment.ts";
import { RunFolder } from "../src/runs/run_folder.ts";
import { writeShapeFolder } from "./_images.ts";

Deno.env.set("DUEL_CACHE_DIR", await Deno.makeTempDir({ prefix: "duel_cache_run_" }));

/** A dense GAN on `<folder>`: 16x16 grey pictures resized to 8x8, two held out. */
function imagesExperiment(root: string, folder: string): string {
  return `name: pictures
seed: 2
data: { name: images, path: ${JSON.stringify(folder)}, size: [8, 8], channels: 1, held_out: 2 }
noise: { dim: 4 }
generator:
  layers:
    - { type: dense, units: 16 }
    - { type: relu }
    - { type: dense, units: 64 }
    - { type: tanh }
    - { type: reshape, shape: [8, 8, 1] }
discriminator:
  layers:
    - { type: flatten }
    - { type: dense, units: 16 }
    - { type: leaky_relu }
    - { type: dense, units: 1 }
train: { steps: 6, batch_size: 8, checkpoint_every: 3 }
eval: { every: 3, samples: 10 }
output: { root: ${JSON.stringify(root)} }
`;
}

Deno.test({
  name: "an image run writes PNG grids, no CSVs, and the split in the manifest",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "duel_images_run_" });
    await writeShapeFolder(`${root}/shapes`, 10);
    const loaded = parseExperiment(imagesExperiment(root, `${root}/shapes`), { loadData: true });
    const summary = await runExperiment(loaded);
    const folder = new RunFolder(summary.run_dir);
    const names = [...Deno.readDirSync(folder.samples)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "final.png",
      "real.png",
      "step-00000000.png",
      "step-00000003.png",
      "step-00000006.png",
    ]);
    // 10 samples of 8x8: a 4x3 grid with a 1 px border is 4*9+1 wide and 3*9+1 high.
    const grid = decode(await Deno.readFile(folder.picturesAt(6)));
    assert.deepEqual([grid.width, grid.height, grid.channels], [37, 28, 1]);
    assert.deepEqual(
      await Deno.readFile(folder.finalPicture),
      await Deno.readFile(folder.picturesAt(6)),
    );
    const real = decode(await Deno.readFile(folder.realPicture));
    assert.deepEqual([real.width, real.height], [8 * 9 + 1, 8 * 9 + 1]); // 64 real images
    const manifest = JSON.parse(await Deno.readTextFile(folder.manifest));
    assert.equal(manifest.data.name, "images");
    assert.equal(manifest.data.train, 8);
    assert.equal(manifest.data.held_out, 2);
    assert.match(manifest.data.split_hash, /^[0-9a-f]{64}$/);
    await Deno.remove(root, { recursive: true });
  },
});

Deno.test({
  name: "image metrics: the manifest records the classifier's key and recipe, once per classifier",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "duel_images_cls_" });
    await writeShapeFolder(`${root}/shapes`, 16);
    const yaml = imagesExperiment(root, `${root}/shapes`)
      .replace("size: [8, 8], channels: 1, held_out: 2", "size: [28, 28], channels: 1, held_out: 6")
      .replace("units: 64 }", "units: 784 }")
      .replace("shape: [8, 8, 1]", "shape: [28, 28, 1]")
      .replace("steps: 6,", "steps: 2,")
      .replace(
        "eval: { every: 3, samples: 10 }",
        "eval: { every: 2, samples: 10, metrics: [classifier_score] }",
      );
    const recipe = { ...MNIST_CLASSIFIER_RECIPE, epochs: 1 };
    const summary = await runExperiment(parseExperiment(yaml, { loadData: true }), {
      classifier: { recipe, dir: null },
    });
    assert.ok(summary.final["eval/classifier_score"] >= 1);
    const folder = new RunFolder(summary.run_dir);
    const read = async () => JSON.parse(await Deno.readTextFile(folder.manifest));
    const [first, ...rest] = (await read()).image_classifiers;
    assert.deepEqual(rest, []);
    assert.equal(first.from_step, 0);
    assert.match(first.key, /^[0-9a-f]{64}$/);
    assert.deepEqual(first.recipe, JSON.parse(JSON.stringify(recipe)));
    // Resumed after its last step: nothing to evaluate, so no classifier is even trained.
    let epochs = 0;
    const other = { ...recipe, seed: 1 };
    await resumeRun(summary.run_dir, {
      classifier: { recipe: other, dir: null, onEpoch: () => epochs++ },
    });
    assert.equal(epochs, 0);
    assert.equal((await read()).image_classifiers.length, 1);
    // The same classifier again (a resume): nothing new. Another one: appended, the old returned.
    assert.equal(await folder.recordImageClassifier({ ...first, from_step: 1 }), undefined);
    const next = { from_step: 1, key: "0".repeat(64), recipe: other };
    assert.deepEqual(await folder.recordImageClassifier(next), first);
    const manifest = await read();
    assert.deepEqual(manifest.image_classifiers.map((r: { key: string }) => r.key), [
      first.key,
      next.key,
    ]);
    assert.equal(manifest.seed, 2, "the rest of the manifest is kept");
    // No manifest (a damaged folder): no record, nothing thrown, nothing written.
    await Deno.remove(folder.manifest);
    assert.equal(await folder.recordImageClassifier(next), undefined);
    assert.ok(!(await Deno.stat(folder.manifest).then(() => true, () => false)));
    await Deno.remove(root, { recursive: true });
  },
});
