/**
 * Every convolution of one DCGAN training step (experiments/bench/dcgan-mnist.yaml), by
 * shape: records the Conv2D / Conv2DBackpropInput / Conv2DBackpropFilter calls of a step,
 * then times each distinct call on the Rust kernel and on the XNNPACK-based alternative,
 * on 1 and 2 threads, interleaved round-robin in one process (load from other jobs hits
 * every variant alike), next to a 512³ matmul on the Rust kernel. Prints, per call, the
 * median ms, GFLOP/s, and the time it costs per step (median × calls per step), and the
 * Rust kernel's median process CPU time per call: on a shared machine a busy second core
 * gives no speed-up, but CPU time on 2 threads over 1 is the work a split adds.
 *
 *     deno run --allow-read --allow-write --allow-env --allow-sys=cpus \
 *       bench/conv_shapes_bench.ts [rounds=15] [threads=1,2]
 */
import * as tf from "@tensorflow/tfjs-core";
import process from "node:process";
import { setBuiltinThreads, useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { type ConvChoice, useConv, useMatmul } from "./_kernel_choice.ts";
import { median } from "./_stats.ts";
import { countArg, countListArg } from "./_args.ts";

// tfjs's built-in kernels on every thread too, for the side-by-side (see setBuiltinThreads).
setBuiltinThreads("all");

const rounds = countArg(0, "rounds", 15);
const threadCounts = countListArg(1, "threads", [1, 2], 8);
const KERNELS = ["Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter"] as const;
type Kernel = typeof KERNELS[number];

/** One recorded call: kernel, input shapes and attributes (enough to replay it). */
interface Call {
  kernel: Kernel;
  shapes: Record<string, number[]>;
  attrs: Record<string, unknown>;
  count: number;
}

/** Which layer and pass a call is, from its shapes (the DCGAN's four conv layers). */
function label(c: Call): string {
  const w = c.kernel === "Conv2DBackpropFilter" ? c.attrs.filterShape as number[] : c.shapes.filter;
  const cin = w[2];
  const layer = cin === 1 ? "D conv1 / G convT2" : "D conv2 / G convT1";
  const pass = {
    Conv2D: cin === 1 ? "D conv1 fwd" : "D conv2 fwd",
    Conv2DBackpropInput: cin === 1 ? "G convT2 fwd (D conv1 dx)" : "G convT1 fwd / D conv2 dx",
    Conv2DBackpropFilter: cin === 1 ? "D conv1 / G convT2 dW" : "D conv2 / G convT1 dW",
  }[c.kernel];
  return `${pass} [${layer}]`;
}

/** Multiply-adds of a call (the forward conv's). */
function macs(c: Call): number {
  const info = forwardInfo(c);
  return info.batchSize * info.outHeight * info.outWidth * info.filterHeight * info.filterWidth *
    info.inChannels * info.outChannels;
}

function forwardInfo(c: Call): tf.backend_util.Conv2DInfo {
  const x = (c.kernel === "Conv2DBackpropInput" ? c.attrs.inputShape : c.shapes.x) as number[];
  const w =
    (c.kernel === "Conv2DBackpropFilter" ? c.attrs.filterShape : c.shapes.filter) as number[];
  return tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    w as [number, number, number, number],
    c.attrs.strides as [number, number],
    (c.attrs.dilations as [number, number] | undefined) ?? 1,
    c.attrs.pad as "same",
    c.attrs.dimRoundingMode as "floor" | undefined,
  );
}

// 1. Record the conv calls of one step (after two warm-up steps), wrapping the wasm kernels.
const { config } = await loadExperiment(
  new URL("../experiments/bench/dcgan-mnist.yaml", import.meta.url).pathname,
);
await useBackend("wasm", 1);
useConv("rust");
useMatmul("rust");
const steps = Trainer.create(config).run();
await steps.next();
await steps.next();
const calls = new Map<string, Call>();
const originals = KERNELS.map((k) => tf.getKernel(k, "wasm")!);
for (const orig of originals) {
  tf.unregisterKernel(orig.kernelName, "wasm");
  tf.registerKernel({
    ...orig,
    kernelFunc: (args) => {
      const shapes = Object.fromEntries(
        Object.entries(args.inputs).map(([k, t]) => [k, [...(t as tf.TensorInfo).shape]]),
      );
      const attrs = { ...args.attrs } as Record<string, unknown>;
      const key = JSON.stringify([orig.kernelName, shapes, attrs]);
      const known = calls.get(key);
      if (known) known.count++;
      else calls.set(key, { kernel: orig.kernelName as Kernel, shapes, attrs, count: 1 });
      return orig.kernelFunc(args);
    },
  });
}
await steps.next();
for (const orig of originals) {
  tf.unregisterKernel(orig.kernelName, "wasm");
  tf.registerKernel(orig);
}

// 2. Time each call per (conv choice, threads), round-robin.
type Variant = { choice: ConvChoice; threads: number };
const variants: Variant[] = threadCounts.flatMap((threads) =>
  (["xnnpack", "rust"] as ConvChoice[]).map((choice) => ({ choice, threads }))
);
const list = [...calls.values()];
const inputs = new Map<number, tf.Tensor[][]>();
for (const threads of threadCounts) {
  await useBackend("wasm", threads);
  inputs.set(
    threads,
    list.map((c) =>
      Object.values(c.shapes).map((s, i) => tf.randomNormal(s, 0, 1, "float32", i + 1))
    ),
  );
}
const times = new Map<string, number[]>();
const cpuTimes = new Map<string, number[]>();
const time = (key: string, f: () => void) => {
  const [start, cpu] = [performance.now(), process.cpuUsage()];
  f();
  const t = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  if (!times.has(key)) [times.set(key, []), cpuTimes.set(key, [])];
  times.get(key)!.push(t);
  cpuTimes.get(key)!.push((user + system) / 1000);
};
const MATMUL = 512;
for (let r = 0; r < rounds + 2; r++) {
  for (const v of variants) {
    await useBackend("wasm", v.threads);
    useConv(v.choice);
    useMatmul("rust");
    list.forEach((c, i) => {
      const ts = inputs.get(v.threads)![i];
      const named = Object.fromEntries(Object.keys(c.shapes).map((k, j) => [k, ts[j]]));
      const run = () => {
        const out = tf.engine().runKernel(
          c.kernel,
          named as tf.NamedTensorMap,
          c.attrs as tf.NamedAttrMap,
        ) as tf.Tensor;
        // No read-back: wasm kernels (their threads too) finish before runKernel returns, and a
        // read of a fresh multi-MB array costs 0.4-12 ms here (first-touch page faults in this VM),
        // whatever the kernel: it swamped the small calls.
        out.dispose();
      };
      if (r < 2) run();
      else time(`${i} ${v.choice} ${v.threads}`, run);
    });
    if (v.choice === "rust") {
      const [a, b] = [tf.ones([MATMUL, MATMUL]), tf.ones([MATMUL, MATMUL])];
      const run = () => tf.tidy(() => tf.matMul(a, b)).dispose();
      if (r < 2) run();
      else time(`matmul ${v.threads}`, run);
      tf.dispose([a, b]);
    }
  }
}
const medianOf = (key: string, of = times) => median(of.get(key)!);
const gflops = (macs: number, ms: number) => (2 * macs / ms / 1e6).toFixed(1);

console.log(
  `DCGAN conv calls of one step, ${rounds} interleaved rounds (median ms; GFLOP/s; ms per step)`,
);
for (const threads of threadCounts) {
  const mm = medianOf(`matmul ${threads}`);
  console.log(
    `\n${threads} thread(s): matmul ${MATMUL}³ (Rust) ${mm.toFixed(1)} ms, ${
      gflops(MATMUL ** 3, mm)
    } GFLOP/s`,
  );
  const total = { xnnpack: 0, rust: 0 };
  list.forEach((c, i) => {
    const info = forwardInfo(c);
    const geometry = `x ${info.inShape.join("x")} W ${info.filterHeight}x${info.filterWidth}x` +
      `${info.inChannels}x${info.outChannels} y ${info.outShape.join("x")} s${info.strideHeight}`;
    const parts = (["xnnpack", "rust"] as const).map((choice) => {
      const ms = medianOf(`${i} ${choice} ${threads}`);
      total[choice] += ms * c.count;
      return `${choice} ${ms.toFixed(2)} ms ${gflops(macs(c), ms).padStart(5)} GF/s`;
    });
    console.log(
      `  ${c.kernel.padEnd(20)} ${label(c).padEnd(46)} ${geometry} ×${c.count}\n` +
        `      ${parts.join("  |  ")}  |  rust/xnnpack ${
          (medianOf(`${i} rust ${threads}`) / medianOf(`${i} xnnpack ${threads}`)).toFixed(2)
        }  rust per step ${(medianOf(`${i} rust ${threads}`) * c.count).toFixed(1)} ms, cpu ${
          medianOf(`${i} rust ${threads}`, cpuTimes).toFixed(2)
        } ms per call`,
    );
  });
  console.log(
    `  total per step: xnnpack ${total.xnnpack.toFixed(1)} ms, rust ${total.rust.toFixed(1)} ms`,
  );
}
