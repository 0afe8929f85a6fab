/**
 * Duel's side of the kernel comparison: each kernel of `kernel_shapes.ts`
 * through tfjs on the wasm backend, with tfjs-wasm's built-in kernels, Duel's
 * plain Rust kernels and their fused multiply-add twins, rounds interleaved
 * in one process (so load from other jobs hits all three alike). Prints one
 * JSON line per (kernel, implementation) like `torch_kernels.py`.
 *
 *   deno run -A bench/peer/duel_kernels.ts --threads 1 [--max-seconds 3] [--kernels a,b]
 *
 * The built-in Conv2DBackpropFilter does not exist in tfjs-backend-wasm: there
 * "built-in" is Duel's XNNPACK-based replacement.
 * @module
 */
import { parseArgs } from "node:util";
import * as tf from "@tensorflow/tfjs-core";
import { setBuiltinThreads, useBackend } from "../../src/backend/tfjs.ts";
import { fixAvailable } from "../../src/backend/kernels.ts";
import { Rng } from "../../src/rng.ts";
import { type ConvChoice, type MatmulChoice, useConv, useMatmul } from "../_kernel_choice.ts";
import { convOut, KERNEL_SHAPES, kernelFlops, type KernelShape } from "./kernel_shapes.ts";
import { median } from "../_stats.ts";

// tfjs's built-in kernels on every thread too, for the side-by-side (see setBuiltinThreads).
setBuiltinThreads("all");

/** The implementations compared: which matmul and conv kernels each turns on. */
export const DUEL_IMPLS: Record<string, { matmul: MatmulChoice; conv: ConvChoice }> = {
  builtin: { matmul: "builtin", conv: "builtin" },
  rust: { matmul: "rust", conv: "rust" },
  rust_fma: { matmul: "rust_fma", conv: "rust_fma" },
};

/** A call of `shape` on fresh seeded operands (kept for the whole run). */
function prepare(shape: KernelShape): () => tf.Tensor {
  const rng = Rng.derive(0, "bench/kernels");
  const normal = (dims: number[]) => {
    const x = new Float32Array(dims.reduce((a, b) => a * b, 1));
    return tf.tensor(rng.fillNormal(x), dims);
  };
  if (shape.op === "matmul") {
    const { m, k, n, transposeA, transposeB } = shape;
    const [a, b] = [normal(transposeA ? [k, m] : [m, k]), normal(transposeB ? [n, k] : [k, n])];
    return () => tf.matMul(a, b, transposeA, transposeB);
  }
  const [n, h, w, cin] = shape.x;
  const [oh, ow] = [
    convOut(h, shape.k, shape.s, shape.pad),
    convOut(w, shape.k, shape.s, shape.pad),
  ];
  const x = normal([n, h, w, cin]), filter = normal([shape.k, shape.k, cin, shape.cout]);
  const dy = normal([n, oh, ow, shape.cout]);
  const pad = shape.pad as unknown as "valid"; // an explicit pad, as conv layers pass it
  const attrs = { strides: [shape.s, shape.s], pad, dataFormat: "NHWC", dilations: [1, 1] };
  const run = (name: string, inputs: tf.NamedTensorMap, extra: Record<string, unknown>) => () =>
    tf.engine().runKernel(name, inputs, { ...attrs, ...extra } as never) as tf.Tensor;
  if (shape.op === "conv2d") return run("Conv2D", { x, filter }, {});
  if (shape.op === "conv2d_input") {
    return run("Conv2DBackpropInput", { dy, filter }, { inputShape: x.shape });
  }
  return run("Conv2DBackpropFilter", { x, dy }, { filterShape: filter.shape });
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      threads: { type: "string", default: "1" },
      "max-seconds": { type: "string", default: "3" },
      kernels: { type: "string", default: Object.keys(KERNEL_SHAPES).join(",") },
    },
  });
  const threads = Number(values.threads), limit = Number(values["max-seconds"]) * 1000;
  const names = values.kernels.split(",");
  const unknown = names.find((k) => !(k in KERNEL_SHAPES));
  if (unknown) {
    console.error(`duel_kernels: unknown kernel ${unknown} (valid: ${Object.keys(KERNEL_SHAPES)})`);
    Deno.exit(2);
  }
  await useBackend("wasm", threads);
  const impls = Object.keys(DUEL_IMPLS).filter((i) =>
    i !== "rust_fma" || fixAvailable("matmul_rust_fma")
  );
  for (const name of names) {
    const call = prepare(KERNEL_SHAPES[name]);
    const times = new Map(impls.map((i) => [i, [] as number[]]));
    const spent = new Map(impls.map((i) => [i, 0]));
    // Rounds over the implementations; one stops after 30 calls or `limit` ms (at least 3 calls).
    for (let round = 0; round < 33; round++) {
      for (const impl of impls) {
        const ms = times.get(impl)!;
        if (round >= 6 && (ms.length >= 30 || spent.get(impl)! > limit)) continue;
        useMatmul(DUEL_IMPLS[impl].matmul);
        useConv(DUEL_IMPLS[impl].conv);
        // The wasm backends compute synchronously (the kernel threads too); reading the output
        // back would time tfjs's copy (~10 ms for 1.6 MB here), not the kernel.
        const t = performance.now();
        const out = call();
        const dt = performance.now() - t;
        out.dispose();
        if (round >= 3) ms.push(dt); // three warm-up calls
        spent.set(impl, spent.get(impl)! + dt);
      }
    }
    for (const impl of impls) {
      const middle = median(times.get(impl)!);
      console.log(JSON.stringify({
        impl: "duel",
        variant: impl,
        kernel: name,
        threads,
        median_ms: Math.round(middle * 1e4) / 1e4,
        gflops: Math.round(kernelFlops(KERNEL_SHAPES[name]) / middle / 1e3) / 1e3,
        calls: times.get(impl)!.length,
      }));
    }
  }
}
