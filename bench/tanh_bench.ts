/**
 * `Tanh` on the wasm backend: tfjs-wasm's built-in (musl's scalar `tanhf`)
 * against Duel's Rust kernel (`tanh_rust`: the same function on four lanes,
 * same bits), on the DCGAN generator's output batch `[64, 28, 28, 1]` and an
 * evaluation's `[2000, 28, 28, 1]`, rounds interleaved in one process. Prints
 * the host's SIMD features and each side's median and minimum µs per call.
 *
 *     deno run -A bench/tanh_bench.ts [rounds=12]
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { parseCpuInfo } from "./peer/e2e.ts";
import { median } from "./_stats.ts";
import { countArg } from "./_args.ts";

const rounds = countArg(0, "rounds", 12);
await useBackend("wasm", 1);
const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(`host: ${cpu.model}; ${cpu.simd}; 1 thread`);
console.log(
  "| shape | built-in µs (min) | Rust µs (min) | built-in / Rust |\n| --- | --- | --- | --- |",
);
for (const shape of [[64, 28, 28, 1], [2000, 28, 28, 1]]) {
  const x = tf.randomNormal(shape);
  const calls = shape[0] > 100 ? 3 : 50;
  const times: Record<"builtin" | "rust", number[]> = { builtin: [], rust: [] };
  for (let r = 0; r < rounds + 2; r++) {
    for (const side of ["builtin", "rust"] as const) {
      setKernelFix("tanh_rust", side === "rust");
      const start = performance.now();
      for (let i = 0; i < calls; i++) tf.tanh(x).dispose();
      if (r >= 2) times[side].push(((performance.now() - start) / calls) * 1000);
    }
  }
  setKernelFix("tanh_rust", true);
  const cell = (t: number[]) => `${median(t).toFixed(0)} (${Math.min(...t).toFixed(0)})`;
  const ratio = median(times.builtin) / median(times.rust);
  console.log(
    `| ${shape.join("×")} | ${cell(times.builtin)} | ${cell(times.rust)} | ${ratio.toFixed(1)} |`,
  );
  x.dispose();
}
Deno.exit(0);
