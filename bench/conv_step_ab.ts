/**
 * DCGAN training steps (experiments/bench/dcgan-mnist.yaml, or another workload) with each variant
 * of kernels, interleaved round-robin in one process so that load from other
 * jobs hits every variant alike: a variant is a conv choice (bench/_kernel_choice.ts; the
 * matmul follows it: the fused twins with `rust_fma`, the plain Rust kernels otherwise),
 * optionally with kernel replacements turned off (`+nomean`: tfjs-wasm's Mean instead of
 * `mean_rust`; `+nobn`: tfjs's batch norm composite instead of `batch_norm_rust` and
 * `batch_norm_grad_rust`; `+norelu`: tfjs-wasm's Relu instead of `relu_rust`; `+nobias`:
 * tfjs-wasm's Add instead of `bias_add_rust`; `+norelugrad`: tfjs's ReLU gradient instead of
 * `relu_grad_rust`; `+nosplit`: the streaming kernels on the calling thread alone; several:
 * `+nomean+nobn`) and, on one thread,
 * `@file.wasm`: the Rust kernels of another build of kernels/ (e.g. the main branch's,
 * `git show main:kernels/duel_kernels.wasm > /tmp/main.wasm`), instantiated on the same
 * memory, so that a kernel change is timed before/after in one process. Prints the
 * minimum and the median step per variant and their ratios to the first.
 *
 *     deno run --allow-read --allow-write --allow-env --allow-sys=cpus \
 *       bench/conv_step_ab.ts [rounds=10] [threads=1] [variant,variant,...] [experiment.yaml]
 *
 * e.g. `12 1 rust@/tmp/main.wasm+nomean,rust,xnnpack`, `12 2 rust+nobn,rust` or `16 2 rust,rust_fma`;
 * another workload: `200 1 rust,rust_fma experiments/bench/toy2d.yaml`.
 */
import * as tf from "@tensorflow/tfjs-core";
import { type KernelFixName, setKernelFix } from "../src/backend/kernels.ts";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { boundRustKernels } from "../src/backend/rust/bound.ts";
import { streamSplit } from "../src/backend/rust/parts.ts";
import { memoryOf, type WasmBackend } from "../src/backend/wasm_backend.ts";
import { setBuiltinThreads, useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { CONV_CHOICES, type ConvChoice, useConv, useMatmul } from "./_kernel_choice.ts";
import { countArg } from "./_args.ts";

const rounds = countArg(0, "rounds", 10);
const threads = countArg(1, "threads", 1, 8);
const variants = Deno.args[2]?.split(",") ?? ["rust+nomean+nobn", "rust", "xnnpack"];
/** Another workload instead of the DCGAN's, e.g. experiments/bench/toy2d.yaml. */
const workload = Deno.args[3] ??
  new URL("../experiments/bench/dcgan-mnist.yaml", import.meta.url).pathname;
/** The replacements each `+no...` suffix turns off. */
const OFF: Record<string, readonly KernelFixName[]> = {
  nomean: ["mean_rust"],
  nobn: ["batch_norm_rust", "batch_norm_grad_rust"],
  norelu: ["relu_rust"],
  nobias: ["bias_add_rust"],
  norelugrad: ["relu_grad_rust"],
  nosplit: [],
};
const parse = (v: string) => {
  const [head, ...extras] = v.split("+");
  const [choice, file] = head.split("@") as [ConvChoice, string | undefined];
  if (!(choice in CONV_CHOICES) || extras.some((e) => !(e in OFF))) {
    const valid = `${Object.keys(CONV_CHOICES)}, @file, ${Object.keys(OFF).map((e) => `+${e}`)}`;
    throw new Error(`unknown variant ${v} (valid: ${valid})`);
  }
  if (file && threads !== 1) throw new Error(`${v}: another build runs on one thread only`);
  return { choice, off: extras.flatMap((e) => OFF[e]), file };
};
// An XNNPACK variant gets tfjs's built-ins on every thread (see setBuiltinThreads); else Duel's default.
if (variants.some((v) => v.startsWith("xnnpack"))) setBuiltinThreads("all");
await useBackend("wasm", threads);
// The bound kernels of the backend (the Rust kernel functions read `.kernels` on every call).
const bound = boundRustKernels(tf.backend()) as { kernels: RustKernels };
const own = bound.kernels;
const builds = new Map<string, RustKernels>();
const use = (v: string) => {
  const { choice, off, file } = parse(v);
  useConv(choice);
  useMatmul(choice === "rust_fma" ? "rust_fma" : "rust");
  for (const fixes of Object.values(OFF)) {
    for (const fix of fixes) setKernelFix(fix, !off.includes(fix));
  }
  if (file && !builds.has(file)) {
    const memory = memoryOf(tf.backend() as unknown as WasmBackend);
    const module = new WebAssembly.Module(Deno.readFileSync(file));
    builds.set(file, new WebAssembly.Instance(module, { env: { memory } }).exports as never);
  }
  bound.kernels = file ? builds.get(file)! : own;
  streamSplit.on = !v.includes("+nosplit");
};
const { config } = await loadExperiment(
  workload,
);
const steps = new Map(variants.map((v) => {
  use(v);
  return [v, Trainer.create(config).run()] as const;
}));
const times = new Map(variants.map((v) => [v, [] as number[]]));
for (let r = 0; r < rounds + 2; r++) {
  for (const v of variants) {
    use(v);
    const start = performance.now();
    await steps.get(v)!.next();
    if (r >= 2) times.get(v)!.push(performance.now() - start); // two warm-up rounds
  }
}
const stat = (v: string) => {
  const t = times.get(v)!.toSorted((a, b) => a - b);
  return { min: t[0], median: t[t.length >> 1] };
};
const base = stat(variants[0]);
console.log(
  `${config.name} step, ${threads} thread(s), ${rounds} interleaved rounds (ms; ratio to ${
    variants[0]
  })`,
);
/** Three significant figures (whole ms for a DCGAN step, hundredths for a toy one). */
const ms = (v: number) => String(+v.toPrecision(3));
for (const v of variants) {
  const { min, median } = stat(v);
  console.log(
    `${v.padEnd(14)} min ${ms(min)} (${(min / base.min).toFixed(2)})  median ${ms(median)} (${
      (median / base.median).toFixed(2)
    })`,
  );
}
