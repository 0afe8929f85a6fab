/**
 * The streaming kernels (`src/backend/rust/parts.ts`: activations, their
 * gradients, a bias per channel, batch norm) on the DCGAN's shapes, on two
 * threads: each call split over the kernel threads and whole on the calling
 * thread, alternated round by round in one process, and tfjs-wasm's own `Add`
 * for the bias. Prints the median and fastest time per call (µs) and the host.
 * `STREAM_PARTS`' ns per item are these whole calls' times over their items.
 *
 *     deno run -A bench/stream_kernels.ts [rounds=30] [calls per round=10]
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import { batchNorm, batchNormGrad } from "../src/backend/rust/batch_norm.ts";
import { streamSplit } from "../src/backend/rust/parts.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { countArg } from "./_args.ts";
import { median } from "./_stats.ts";
import { markdownTable } from "./_table.ts";
import { parseCpuInfo } from "./peer/e2e.ts";

const rounds = countArg(0, "rounds", 30), calls = countArg(1, "calls per round", 10);
await useBackend("wasm", 2);
const big = tf.randomNormal([64, 14, 14, 64], 0, 1, "float32", 1);
const mid = tf.randomNormal([64, 7, 7, 128], 0, 1, "float32", 2);
const img = tf.randomNormal([64, 28, 28, 1], 0, 1, "float32", 3);
const [b, gamma, beta] = [4, 5, 6].map((seed) => tf.randomNormal([64], 0, 1, "float32", seed));
const b128 = tf.randomNormal([128], 0, 1, "float32", 7);
const norm = () => {
  const r = batchNorm(big, gamma, beta, 1e-5);
  const g = batchNormGrad(big, big, gamma, r.mean, r.variance, 1e-5);
  return [r.y, r.mean, r.variance, g.dx, g.dgamma, g.dbeta];
};
const CASES: [string, () => tf.Tensor | tf.Tensor[]][] = [
  ["relu [64,14,14,64]", () => tf.relu(big)],
  ["leaky relu [64,14,14,64]", () => tf.leakyRelu(big, 0.2)],
  ["leaky relu [64,7,7,128]", () => tf.leakyRelu(mid, 0.2)],
  ["tanh [64,28,28,1]", () => tf.tanh(img)],
  ["bias add [64,14,14,64] + [64]", () => tf.add(big, b)],
  ["bias add [64,7,7,128] + [128]", () => tf.add(mid, b128)],
  ["relu gradient [64,14,14,64]", () => tf.grad((t: tf.Tensor) => tf.relu(t))(big, big)],
  ["batch norm and its gradient [64,14,14,64]", norm],
];
const SIDES = ["split", "whole", "tfjs-wasm"] as const;
type Side = typeof SIDES[number];
/** Sets a side up; false where it does not apply to the case. */
const use = (side: Side, name: string) => {
  streamSplit.on = side === "split";
  setKernelFix("bias_add_rust", side !== "tfjs-wasm");
  return side !== "tfjs-wasm" || name.startsWith("bias");
};
const rows: string[][] = [];
for (const [name, f] of CASES) {
  const us = new Map<Side, number[]>(SIDES.map((s) => [s, []]));
  for (let r = 0; r < rounds + 2; r++) {
    for (const side of SIDES) {
      if (!use(side, name)) continue;
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) tf.dispose(f());
      if (r >= 2) us.get(side)!.push(((performance.now() - t0) / calls) * 1000);
    }
  }
  const cell = (side: Side) => {
    const t = us.get(side)!;
    return t.length ? `${median(t).toFixed(0)} (${Math.min(...t).toFixed(0)})` : "–";
  };
  rows.push([name, ...SIDES.map(cell)]);
}
use("split", "");
const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(`host: ${cpu.model}; ${cpu.simd}; 2 threads, ${rounds} rounds x ${calls} calls`);
console.log(markdownTable(["µs per call, median (fastest)", ...SIDES], rows));
