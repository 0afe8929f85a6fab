/**
 * Each dense-chain kernel call of a training step, timed in the step and
 * alone: a trainer's steps with `DuelDenseChain` and `DuelDenseChainGrad`
 * wrapped (each call's time, keyed by the pass and its shapes: rows, layers,
 * stacked batches, weighed layers; its inputs copied once), then each call
 * replayed by itself on copies of those inputs, with fresh outputs each time
 * (freed after), rounds of steps and of replays alternated in one process so
 * that load from other jobs hits both alike. A weights call is replayed after
 * a fresh `dz` call of its own (untimed). Prints the host's SIMD features and
 * per call the median µs in the step and alone, their ratio, and the GFLOP/s
 * in the step (`PRODUCT_MACS` of `bench/peer/step_flops.ts`).
 *
 *     deno run -A bench/chain_calls.ts [toy2d|ring8] [threads=1] [rounds=6] [steps per round=100]
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { Trainer } from "../src/train/trainer.ts";
import { parseCpuInfo } from "./peer/e2e.ts";
import { WORKLOADS } from "./peer/duel_step.ts";
import { PRODUCT_MACS } from "./peer/step_flops.ts";
import { median } from "./_stats.ts";
import { argumentError, countArg } from "./_args.ts";

const workload = Deno.args[0] ?? "toy2d";
const threads = countArg(1, "threads", 1, 8);
const rounds = countArg(2, "rounds", 6), perRound = countArg(3, "steps per round", 100);
const file = WORKLOADS[workload];
if (!file || workload === "dcgan_mnist") {
  argumentError(0, "workload", `"${workload}", expected toy2d or ring8`);
}
const NAMES = ["DuelDenseChain", "DuelDenseChainGrad"] as const;
await useBackend("wasm", threads);
const backend = tf.backend() as unknown as { readSync(id: unknown): Float32Array };

type Args = { inputs: Record<string, tf.TensorInfo>; attrs: tf.NamedAttrMap; backend: unknown };
/** A call's inputs as data (to make fresh tensors from) and its attrs. */
interface Saved {
  readonly name: string;
  readonly inputs: Record<string, { shape: number[]; data: Float32Array }>;
  readonly attrs: tf.NamedAttrMap;
  readonly macs: number;
}
const saved = new Map<string, Saved>();
const inStep = new Map<string, number[]>(), alone = new Map<string, number[]>();
const funcs = new Map<string, tf.KernelFunc>();
let timing = false;

const keyOf = (name: string, args: Args) => {
  const a = args.attrs as { outputs?: unknown; acts: number[]; sets?: number; weighed?: number };
  const pass = name === "DuelDenseChain" ? "forward" : a.outputs ? "weights" : "dz";
  return `${pass}, ${args.inputs.x.shape[0]} rows, ${a.acts.length} layers` +
    `${(a.sets ?? 1) > 1 ? `, ${a.sets} stacked` : ""}` +
    `${a.weighed !== undefined ? `, first ${a.weighed} weighed` : ""}`;
};

for (const name of NAMES) {
  const kernel = tf.getKernel(name, tf.getBackend())!;
  funcs.set(name, kernel.kernelFunc);
  tf.unregisterKernel(kernel.kernelName, kernel.backendName);
  tf.registerKernel({
    ...kernel,
    kernelFunc: (args) => {
      if (!timing) return kernel.kernelFunc(args);
      const start = performance.now();
      const out = kernel.kernelFunc(args);
      const ms = performance.now() - start;
      const call = args as unknown as Args;
      const key = keyOf(name, call);
      if (!inStep.has(key)) inStep.set(key, []);
      inStep.get(key)!.push(ms);
      if (!saved.has(key)) {
        const inputs = Object.fromEntries(
          Object.entries(call.inputs).map(([n, t]) => [n, {
            shape: [...t.shape],
            data: backend.readSync(t.dataId).slice(),
          }]),
        );
        const macs = PRODUCT_MACS[name](call.inputs as never, call.attrs, []);
        saved.set(key, { name, inputs, attrs: { ...call.attrs }, macs });
      }
      return out;
    },
  });
}

/** `s`'s call on fresh copies of its inputs, `times` over; returns each call's ms. */
function replay(s: Saved, times: number): number[] {
  const inputs = Object.fromEntries(
    Object.entries(s.inputs).map(([n, t]) => [n, tf.tensor(t.data, t.shape)]),
  );
  const call = (name: string, attrs: tf.NamedAttrMap) =>
    funcs.get(name)!({ inputs, attrs, backend: tf.backend() }) as tf.TensorInfo[];
  const free = (outs: tf.TensorInfo[]) => outs.forEach((o) => tf.backend().disposeData(o.dataId));
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    if (s.attrs.outputs) {
      const { outputs: _, ...dzAttrs } = s.attrs;
      const outs = call(s.name, dzAttrs);
      const start = performance.now();
      call(s.name, { ...s.attrs, outputs: outs } as unknown as tf.NamedAttrMap);
      ms.push(performance.now() - start);
      free(outs);
    } else {
      const start = performance.now();
      const outs = call(s.name, s.attrs);
      ms.push(performance.now() - start);
      free(outs);
    }
  }
  tf.dispose(Object.values(inputs));
  return ms;
}

const total = 100 + rounds * perRound;
const { config } = await loadExperiment(new URL(`./../${file}`, import.meta.url).pathname, [
  `backend.threads=${threads}`,
  `train.steps=${total}`,
]);
const trainer = Trainer.create(config);
const steps = trainer.run();
for (let i = 0; i < 100; i++) await steps.next(); // warm-up
for (let r = 0; r < rounds; r++) {
  timing = true;
  for (let i = 0; i < perRound; i++) await steps.next();
  timing = false;
  for (const [key, s] of saved) {
    if (!alone.has(key)) alone.set(key, []);
    alone.get(key)!.push(...replay(s, 20).slice(5));
  }
}
const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(
  `host: ${cpu.model}; ${cpu.simd}; ${workload} on ${threads} thread(s), ${rounds} rounds of ` +
    `${perRound} steps and 15 replays of each call`,
);
console.log(
  "| call | calls a step | in the step (µs) | alone (µs) | in step / alone | GFLOP/s in the step |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [key, s] of saved) {
  const [a, b] = [median(inStep.get(key)!), median(alone.get(key)!)];
  const perStep = inStep.get(key)!.length / (rounds * perRound);
  console.log(
    `| ${key} | ${perStep.toFixed(1)} | ${(a * 1000).toFixed(0)} | ${(b * 1000).toFixed(0)} | ` +
      `${(a / b).toFixed(2)} | ${((2 * s.macs) / (a * 1e6)).toFixed(1)} |`,
  );
}
trainer.dispose();
Deno.exit(0); // the threaded backend keeps workers alive
