/**
 * Matmul on wasm by shape: tfjs-wasm's built-in kernel (baseline), the
 * pure-tfjs replacement, Duel's Rust kernel (plain and fused multiply-add), and the cpu
 * backend, in one run.
 * Transposed operands and batches are the shapes of dense-layer gradients.
 */
import * as tf from "@tensorflow/tfjs-core";
import { setBuiltinThreads, useBackend } from "../src/backend/tfjs.ts";
import { type MatmulChoice, useMatmul } from "./_kernel_choice.ts";

// tfjs's built-in kernels on every thread too, for the side-by-side (see setBuiltinThreads).
setBuiltinThreads("all");

/** [label, batch, m, k, n, transposeA, transposeB] */
const SHAPES: [string, number, number, number, number, boolean, boolean][] = [
  ["512³ A·B", 1, 512, 512, 512, false, false],
  ["512³ Aᵀ·B", 1, 512, 512, 512, true, false],
  ["512³ A·Bᵀ", 1, 512, 512, 512, false, true],
  ["128³ A·B", 1, 128, 128, 128, false, false],
  ["128³ Aᵀ·B", 1, 128, 128, 128, true, false],
  ["dense 256x128 dW = xᵀ·dy", 1, 128, 256, 128, true, false],
  ["dense 256x128 dx = dy·Wᵀ", 1, 256, 128, 128, false, true],
  ["batch 4 x 128³ A·Bᵀ", 4, 128, 128, 128, false, true],
];

type Impl = MatmulChoice | "cpu";
const IMPLS: [Impl, string][] = [
  ["builtin", "tfjs-wasm built-in"],
  ["tfjs", "pure-tfjs replacement"],
  ["rust", "Rust kernel"],
  ["rust_fma", "Rust kernel, fused multiply-add"],
  ["cpu", "tfjs-cpu"],
];

for (const [label, batch, m, k, n, ta, tb] of SHAPES) {
  const lead = batch > 1 ? [batch] : [];
  const aShape = [...lead, ...(ta ? [k, m] : [m, k])],
    bShape = [...lead, ...(tb ? [n, k] : [k, n])];
  // Inputs per backend, made on it: a tensor used on another backend is moved first.
  const inputs = new Map<string, tf.Tensor[]>();
  const run = (impl: Impl) => async (ctx: Deno.BenchContext) => {
    const backend = impl === "cpu" ? "cpu" : "wasm";
    await useBackend(backend);
    if (impl !== "cpu") useMatmul(impl);
    if (!inputs.has(backend)) {
      inputs.set(backend, [
        tf.randomNormal(aShape, 0, 1, "float32", 1),
        tf.randomNormal(bShape, 0, 1, "float32", 2),
      ]);
    }
    const [a, b] = inputs.get(backend)!;
    ctx.start();
    // Not inside tf.tidy: tidy walks a returned typed array element by element.
    const out = tf.matMul(a, b, ta, tb);
    ctx.end(); // wasm kernels are done on return; no read-back (see conv_shapes_bench)
    out.dispose();
  };
  for (const [impl, name] of IMPLS) {
    Deno.bench(`${label}: ${name}`, { group: label, baseline: impl === "builtin" }, run(impl));
  }
}

// Threads: the same 512^3 product on the threaded SIMD build (bit-identical results); the Rust
// kernel splits it over the backend's threads. GFLOP/s and ratios: bench/matmul_threads.ts.
{
  const inputs = new Map<number, tf.Tensor[]>();
  const on = (threads: number, choice: MatmulChoice) => async (ctx: Deno.BenchContext) => {
    await useBackend("wasm", threads);
    useMatmul(choice);
    if (!inputs.has(threads)) {
      inputs.set(threads, [
        tf.randomNormal([512, 512], 0, 1, "float32", 3),
        tf.randomNormal([512, 512], 0, 1, "float32", 4),
      ]);
    }
    const [a, b] = inputs.get(threads)!;
    ctx.start();
    const out = tf.matMul(a, b);
    ctx.end(); // wasm kernels are done on return; no read-back (see conv_shapes_bench)
    out.dispose();
  };
  const group = "matmul 512^3 threads";
  Deno.bench("512³ A·B, 1 thread, built-in", { group, baseline: true }, on(1, "builtin"));
  Deno.bench("512³ A·B, 2 threads, built-in", { group }, on(2, "builtin"));
  Deno.bench("512³ A·B, 1 thread, Rust", { group }, on(1, "rust"));
  Deno.bench("512³ A·B, 2 threads, Rust", { group }, on(2, "rust"));
  Deno.bench("512³ A·B, 1 thread, Rust fused", { group }, on(1, "rust_fma"));
  Deno.bench("512³ A·B, 2 threads, Rust fused", { group }, on(2, "rust_fma"));
}
