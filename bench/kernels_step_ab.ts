/**
 * Two builds of Duel's kernels module side by side on whole training steps
 * (`_step_ab.ts`: the toy2d step and the README's ring8 step, one thread, one
 * trainer per build, steps interleaved round-robin in one process so that host
 * load hits both alike): before each step, the kernels bound to the wasm
 * backend are switched to that build's instance on the backend's memory. The
 * same bits are expected, and the comparison says whether the two trainers'
 * step metrics were equal. One thread only: the kernel threads of a threaded
 * backend instantiate the committed module for themselves. Each build is bound as
 * `bound.ts` binds the committed one (a build with the plain-memory twins of
 * `SPLAT_TWINS` runs them).
 *
 *     git show HEAD~1:kernels/duel_kernels.wasm > /tmp/before.wasm
 *     deno run -A bench/kernels_step_ab.ts /tmp/before.wasm [rounds=300] [repeats=3]
 *
 * Prints, as `_step_ab.ts` does, the host's SIMD features and per repeat and
 * workload each build's minimum and median step, and after / before ratios.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { boundRustKernels } from "../src/backend/rust/bound.ts";
import { onPlainMemory, SPLAT_TWINS } from "../src/backend/rust/gemm.ts";
import { memoryOf, type WasmBackend } from "../src/backend/wasm_backend.ts";
import { argumentError, countArg } from "./_args.ts";
import { compareSteps, type StepSetting } from "./_step_ab.ts";

const before = Deno.args[0];
if (!before) argumentError(0, "before.wasm", "missing: the kernels module to compare with");
const bytes = await Deno.readFile(before).catch((e) => argumentError(0, "before.wasm", e.message));
const rounds = countArg(1, "rounds", 300), repeats = countArg(2, "repeats", 3);

/** Per backend, its bound kernels (the committed build) and the older build on its memory. */
const builds = new WeakMap<object, { before: unknown; after: unknown }>();

const use = (name: "before" | "after"): StepSetting => ({
  name,
  enter: () => {
    const backend = tf.backend();
    const bound = boundRustKernels(backend) as { kernels: unknown };
    let pair = builds.get(backend);
    if (!pair) {
      const memory = memoryOf(backend as unknown as WasmBackend);
      const old = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
        .exports as unknown as RustKernels;
      // An older build is bound as the committed one would bind it: with its plain-memory twins
      // where it has them (and the memory is plain).
      const twins = Object.values(SPLAT_TWINS).every((name) => name in old);
      const plain = !(memory.buffer instanceof SharedArrayBuffer);
      pair = { before: twins && plain ? onPlainMemory(old) : old, after: bound.kernels };
      builds.set(backend, pair);
    }
    bound.kernels = pair[name];
  },
});

await compareSteps([use("before"), use("after")], { rounds, repeats, threads: [1], warmUp: 20 });
