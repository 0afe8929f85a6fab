import assert from "node:assert/strict";
import { byCode, phases } from "../bench/run_profile.ts";

Deno.test("run profile: a sample goes to the outermost phase on its stack, idle to the one before", () => {
  const node = (id: number, functionName: string, url: string, children: number[] = []) => ({
    id,
    callFrame: { functionName, url },
    children,
  });
  const profile = {
    nodes: [
      node(1, "(root)", "", [2, 6, 7]),
      node(2, "train", "file:///x/src/runs/train_loop.ts", [3, 5]),
      node(3, "evaluate", "file:///x/src/metrics/evaluate.ts", [4]),
      node(4, "#criticStep", "file:///x/src/train/trainer.ts"), // inside an evaluation
      node(5, "#generatorStep", "file:///x/src/train/trainer.ts"),
      node(6, "(idle)", ""),
      node(7, "main", "file:///x/bench/run_profile.ts"),
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [4, 5, 6, 6, 7],
    timeDeltas: [1000, 2000, 500, 500, 3000],
  };
  const ms = phases(profile);
  assert.deepEqual(Object.fromEntries(ms), {
    "eval: metrics / other": 1,
    "step: generator": 2,
    "step: generator, (idle)": 1,
    "other: module load, summary, exit": 3,
  });
});

Deno.test("run profile by code: WebAssembly goes to its module's caller, Duel's kernels by file", () => {
  const node = (id: number, functionName: string, url: string, children: number[] = []) => ({
    id,
    callFrame: { functionName, url },
    children,
  });
  const tfjs = "file:///c/npm/registry.npmjs.org/@tensorflow/tfjs-core/4.22.0/dist/tf-core.node.js";
  const wasmJs =
    "file:///c/npm/registry.npmjs.org/@tensorflow/tfjs-backend-wasm/4.22.0/dist/tf-backend-wasm.node.js";
  const profile = {
    nodes: [
      node(1, "(root)", "", [2, 9, 10]),
      node(2, "runKernel", tfjs, [3, 6, 8]),
      node(3, "runChain", "file:///x/src/backend/rust/dense_chain.ts", [11, 12]),
      node(12, "waitChange", "file:///x/src/backend/rust/kernel_threads.ts"), // a spin
      node(11, "js-to-wasm", "", [4]), // V8's stub: no script
      node(4, "wasm-function[77]", "wasm://wasm/001067ba", [5]), // an export calling its body
      node(5, "wasm-function[78]", "wasm://wasm/001067ba"),
      node(6, "kernelFunc", wasmJs, [7]),
      node(7, "wasm-function[14]", "wasm://wasm/0019ea4a"), // XNNPACK
      node(8, "adamKernel", "file:///x/src/train/optimizers.ts"),
      node(9, "(garbage collector)", ""),
      node(10, "main", "file:///x/bench/run_profile.ts"),
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [5, 5, 4, 7, 2, 6, 8, 9, 10, 12],
    timeDeltas: [1000, 1000, 500, 250, 125, 125, 2000, 3000, 4000, 1500],
  };
  assert.deepEqual(Object.fromEntries(byCode(profile)), {
    "Duel's Rust kernels": 2.5,
    "Duel's Rust kernels / dense_chain.ts": 2.5,
    "tfjs-wasm's kernels (XNNPACK, C++)": 0.25,
    "tfjs-core (engine, tape, ops; JS)": 0.125,
    "tfjs-backend-wasm (JS)": 0.125,
    "Duel's TypeScript": 6,
    "Duel's kernel threads, waiting for parts": 1.5,
    "(garbage collector)": 3,
  });
});
