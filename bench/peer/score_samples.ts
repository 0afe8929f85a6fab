/**
 * Scores generated MNIST samples from any framework with Duel's own image
 * metrics (classifier score, Fréchet distance, precision/recall,
 * density/coverage, against the 1,000 held-out digits), and splits the
 * classifier score into its two parts: the entropy of the class marginal
 * H(y) (class balance) and the mean entropy of p(y|x) (how sure the
 * classifier is of each sample); score = exp(H(y) - E H(y|x)).
 *
 *   deno run -A bench/peer/score_samples.ts --export-train /tmp/train.f32
 *   deno run -A bench/peer/score_samples.ts /tmp/pt/r1-ema-3000.f32 ...
 *
 * Sample files: float32 `[n, 28, 28]` in [-1, 1] (what torch_dcgan_quality.py
 * writes). The classifier is the cached one experiments use (2 threads).
 * @module
 */
import { parseArgs } from "node:util";
import { useBackend } from "../../src/backend/tfjs.ts";
import { mnist } from "../../src/data/mnist.ts";
import { measureImages, prepareImageMetrics } from "../../src/metrics/image_evaluator.ts";

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { "export-train": { type: "string" } },
  allowPositionals: true,
});
const data = mnist();
if (values["export-train"]) {
  const images = data.train!.images;
  Deno.writeFileSync(
    values["export-train"],
    new Uint8Array(images.buffer, images.byteOffset, images.byteLength),
  );
  console.log(`${data.train!.n} training digits -> ${values["export-train"]}`);
}
if (positionals.length) {
  await useBackend("wasm", 2);
  const metrics = [
    "classifier_score",
    "frechet_distance",
    "precision",
    "recall",
    "density",
    "coverage",
  ] as const;
  const evaluator = (await prepareImageMetrics(metrics, data))!;
  const classifier = evaluator.reference.classifier;
  console.log(`| file | ${metrics.join(" | ")} | H(y) | E H(y\\|x) | class shares (0-9) |`);
  console.log(`|${" --- |".repeat(metrics.length + 4)}`);
  for (const file of positionals) {
    const bytes = Deno.readFileSync(file);
    const samples = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const m = measureImages(evaluator, samples);
    const p = classifier.probabilities(samples);
    const n = p.length / 10, marginal = new Float64Array(10);
    let conditional = 0;
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 10; c++) {
        const q = p[i * 10 + c];
        marginal[c] += q / n;
        if (q > 0) conditional -= q * Math.log(q) / n;
      }
    }
    const hy = -marginal.reduce((s, q) => s + (q > 0 ? q * Math.log(q) : 0), 0);
    const cells = metrics.map((k) => m[`eval/${k}`].toPrecision(4));
    const shares = Array.from(marginal, (q) => q.toFixed(2)).join(" ");
    console.log(
      `| ${file} | ${cells.join(" | ")} | ${hy.toFixed(3)} | ${
        conditional.toFixed(3)
      } | ${shares} |`,
    );
  }
}
