/**
 * Matmul with a transposed operand (the shape of every dense-layer
 * gradient) on wasm: stock kernel (baseline) against the replacement.
 */
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";

await useBackend("wasm");

for (const n of [128, 256, 512]) {
  const a = tf.randomNormal([n, n], 0, 1, "float32", 1),
    b = tf.randomNormal([n, n], 0, 1, "float32", 2);
  const run = (fix: boolean, ta: boolean, tb: boolean) => (ctx: Deno.BenchContext) => {
    setKernelFix("matmul_transpose", fix);
    ctx.start();
    // Not inside tf.tidy: tidy walks a returned typed array element by element.
    const out = tf.matMul(a, b, ta, tb);
    out.dataSync();
    ctx.end();
    out.dispose();
  };
  const group = `matmul ${n}^3`;
  Deno.bench(`${group} A·B (no transpose)`, { group }, run(true, false, false));
  Deno.bench(`${group} Aᵀ·B stock`, { group, baseline: true }, run(false, true, false));
  Deno.bench(`${group} Aᵀ·B replacement`, { group }, run(true, true, false));
  Deno.bench(`${group} A·Bᵀ stock`, { group }, run(false, false, true));
  Deno.bench(`${group} A·Bᵀ replacement`, { group }, run(true, false, true));
}

// Threads: the same 512^3 product on the threaded SIMD build (bit-identical results).
{
  // Inputs per backend, made on it: a tensor used on another backend is moved first.
  const inputs = new Map<number, tf.Tensor[]>();
  const on = (threads: number) => async (ctx: Deno.BenchContext) => {
    await useBackend("wasm", threads);
    if (!inputs.has(threads)) {
      inputs.set(threads, [
        tf.randomNormal([512, 512], 0, 1, "float32", 3),
        tf.randomNormal([512, 512], 0, 1, "float32", 4),
      ]);
    }
    const [a, b] = inputs.get(threads)!;
    ctx.start();
    const out = tf.matMul(a, b);
    out.dataSync();
    ctx.end();
    out.dispose();
  };
  const group = "matmul 512^3 threads";
  Deno.bench("matmul 512^3, 1 thread", { group, baseline: true }, on(1));
  Deno.bench("matmul 512^3, 2 threads", { group }, on(2));
}
