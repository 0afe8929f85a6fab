/**
 * Measures the MNIST metrics classifier and the image metrics on real
 * digits, and times each metric for 2,000 "generated" images (training
 * digits stand in for a perfect generator). Not a `deno bench` file: run
 *
 *     deno run --allow-read --allow-write --allow-env --allow-sys=cpus bench/image_metrics_report.ts [--fresh]
 *
 * `--fresh` trains the classifier in a temporary cache folder (to time
 * training); otherwise the usual cache is used (trained on first use).
 *
 * Measured with the CNN (wasm, one thread, `nice -n 19` on a loaded 2-core machine): training
 * 156 s (20 epochs), held-out accuracy 98.0%; classifier score 9.68 (held-out), 1.000 (one
 * repeated digit), 9.83 (2,000 train digits), 1.55 (noise); FD vs held-out 17.3 (all train
 * digits), 20.3 (2,000 train digits), 3223 (uniform noise), 4981 (one repeated digit). Per
 * metric for 2,000 generated images: FD 0.58 s, classifier score 0.54 s (each includes its
 * classifier pass, ~0.5 s), the shared k-NN pass for precision/recall/density/coverage 0.6 s,
 * parzen_ll 1.6 s; reference 0.5 s once. (The MLP it replaced: 47 s, 97.1%, score 9.21, FD 4.0.)
 * @module
 */
import { useBackend } from "../src/backend/tfjs.ts";
import { cachedMnistClassifier } from "../src/metrics/classifier_cache.ts";
import { classifierScore } from "../src/metrics/classifier_score.ts";
import { frechetDistanceOf } from "../src/metrics/frechet.ts";
import {
  computeImageMetrics,
  IMAGE_METRICS,
  imageMetricContext,
  type ImageMetricName,
  imageReference,
} from "../src/metrics/image_metrics.ts";
import { mnistSplit } from "../src/metrics/mnist_digits.ts";
import { parzenEstimate } from "../src/metrics/parzen.ts";
import { Rng } from "../src/rng.ts";

await useBackend("wasm");
const fresh = Deno.args.includes("--fresh");
const dir = fresh ? await Deno.makeTempDir() : undefined;
const { train, heldOut } = mnistSplit();
const { classifier, source, seconds, path } = await cachedMnistClassifier(train, {
  ...(dir ? { dir } : {}),
  onEpoch: (e, loss) => console.log(`  epoch ${e + 1}: loss ${loss.toFixed(4)}`),
});
console.log(`classifier: ${source} in ${seconds.toFixed(1)} s (${path ?? "not cached"})`);
console.log(`held-out accuracy: ${(100 * classifier.accuracy(heldOut)).toFixed(1)}%`);

const rows = (x: Float32Array, n: number) => x.subarray(0, n * 784);
const repeated = new Float32Array(1000 * 784);
for (let i = 0; i < 1000; i++) repeated.set(rows(heldOut.images, 1), i * 784);
const noise = Rng.derive(0, "report/noise").fillUniform(new Float32Array(2000 * 784), -1, 1);
// Training digits in a fixed random order (the split keeps the package's digit-by-digit order).
const order = Array.from({ length: train.n }, (_, i) => i);
const rng = Rng.derive(0, "report/order");
for (let i = order.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [order[i], order[j]] = [order[j], order[i]];
}
const trainShuffled = new Float32Array(train.images.length);
order.forEach((src, k) =>
  trainShuffled.set(train.images.subarray(src * 784, src * 784 + 784), k * 784)
);
const fake = rows(trainShuffled, 2000);

const score = (x: Float32Array) => classifierScore(classifier.probabilities(x), 10).toFixed(3);
console.log(
  `classifier score: held-out ${score(heldOut.images)}, one repeated digit ${score(repeated)}`,
);
const features = (x: Float32Array) => classifier.features(x);
const fd = (x: Float32Array) =>
  frechetDistanceOf(features(heldOut.images), features(x), 128).toFixed(3);
console.log(
  `FD vs held-out: train digits (all 9,000) ${fd(train.images)}, 2,000 train digits ${fd(fake)}, ` +
    `uniform noise ${fd(noise)}, one repeated digit ${fd(repeated)}`,
);

const unit = (x: Float32Array) => x.map((v) => (v + 1) / 2);
let t = performance.now();
const parzen = parzenEstimate(
  unit(train.images),
  unit(rows(heldOut.images, 500)),
  unit(heldOut.images.subarray(500 * 784)),
  784,
);
console.log(
  `Parzen, 9,000 train digits as kernels, 500 held-out to choose sigma, 500 scored: ` +
    `${parzen.mean.toFixed(1)} +/- ${parzen.stderr.toFixed(1)} (sigma ${
      parzen.sigma.toFixed(3)
    }, ` +
    `${((performance.now() - t) / 1000).toFixed(1)} s)`,
);

t = performance.now();
const reference = imageReference(heldOut.images, [28, 28, 1], classifier);
console.log(`reference (1,000 held-out digits): ${(performance.now() - t).toFixed(0)} ms`);
const names = Object.keys(IMAGE_METRICS) as ImageMetricName[];
for (
  const [label, generated] of [["2,000 train digits", fake], ["2,000 noise images", noise]] as const
) {
  const ctx = imageMetricContext(reference, generated);
  const line: string[] = [];
  for (const name of names) {
    t = performance.now();
    const value = computeImageMetrics([name], ctx)[name];
    line.push(`${name} ${value.toFixed(3)} (${(performance.now() - t).toFixed(0)} ms)`);
  }
  console.log(`${label}: ${line.join(", ")}`);
}
if (dir) await Deno.remove(dir, { recursive: true });
