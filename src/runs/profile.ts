/**
 * Time per tfjs kernel over a few training steps (`--profile`), so the next
 * bottleneck is visible.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import type { Trainer } from "../train/trainer.ts";

/** Time spent in one kernel over the profiled steps. */
export interface KernelTime {
  /** The tfjs kernel name, e.g. `BatchMatMul`. */
  readonly kernel: string;
  /** Calls over all profiled steps. */
  readonly calls: number;
  /** Milliseconds per training step. */
  readonly msPerStep: number;
  /** Share of the kernels' total time, in [0, 1]. */
  readonly share: number;
}

/** The result of {@link profileSteps}. */
export interface StepProfile {
  /** Kernels, slowest first. */
  readonly kernels: readonly KernelTime[];
  /** Wall milliseconds per step while profiling (profiling adds overhead). */
  readonly wallMsPerStep: number;
  /** Milliseconds per step inside kernels (the rest is tfjs's and Duel's own work). */
  readonly kernelMsPerStep: number;
}

/** Calls and milliseconds per kernel name, from {@link timeKernels}. */
export type KernelTimes = Map<string, { calls: number; ms: number }>;

/**
 * Runs `f` with every kernel of the active backend timed by itself, and
 * returns calls and milliseconds per kernel name. Each registered kernel
 * function is wrapped for the duration (and restored after, even when `f`
 * throws); a kernel's time excludes kernels it runs through tfjs inside it,
 * which are counted under their own names. `tf.profile` instead times the
 * engine's whole closure around a kernel (output tensors, the gradient tape's
 * saved copies), which put a toy2d `Add` at 30-45 µs when the op takes 15 µs.
 * Kernels compute synchronously on the wasm and cpu backends, so wall time
 * around the call is the kernel's time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import * as tf from "npm:@tensorflow/tfjs-core@4.22.0";
 * import { timeKernels, useBackend } from "../../mod.ts";
 * await useBackend("wasm");
 * const times = await timeKernels(() => {
 *   tf.tidy(() => tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])));
 * });
 * assert.equal(times.get("BatchMatMul")?.calls, 1);
 * ```
 */
export async function timeKernels(f: () => unknown): Promise<KernelTimes> {
  const times: KernelTimes = new Map();
  // Time of the kernels called inside each kernel now running (innermost last).
  const inner: number[] = [];
  const timed = (config: tf.KernelConfig): tf.KernelConfig => ({
    ...config,
    kernelFunc: (args) => {
      inner.push(0);
      const start = performance.now();
      try {
        return config.kernelFunc(args);
      } finally {
        const total = performance.now() - start;
        const nested = inner.pop()!;
        if (inner.length > 0) inner[inner.length - 1] += total;
        const entry = times.get(config.kernelName) ?? { calls: 0, ms: 0 };
        times.set(config.kernelName, { calls: entry.calls + 1, ms: entry.ms + total - nested });
      }
    },
  });
  await withWrappedKernels(timed, f);
  return times;
}

/**
 * Runs `f` with every kernel of the active backend replaced by `wrap(kernel)`,
 * and puts the originals back after, even when `f` throws: the mechanism under
 * {@link timeKernels} and the benchmarks' flop meter (bench/peer/step_flops.ts).
 */
export async function withWrappedKernels(
  wrap: (config: tf.KernelConfig) => tf.KernelConfig,
  f: () => unknown,
): Promise<void> {
  const backend = tf.getBackend();
  const originals = tf.getKernelsForBackend(backend);
  const swap = (configs: readonly tf.KernelConfig[]) => {
    for (const config of configs) {
      tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(config);
    }
  };
  swap(originals.map(wrap));
  try {
    await f();
  } finally {
    swap(originals);
  }
}

/**
 * Runs `steps` more training steps with every kernel timed by itself
 * ({@link timeKernels}) and sums kernel times by kernel name. Timing adds a
 * little to every call, so the wall time per step is a little pessimistic;
 * what it does not explain is tfjs's own work between kernels (the gradient
 * tape, tensor bookkeeping) and Duel's.
 *
 * @example
 * ```ts
 * import { parseExperiment, profileSteps, Trainer, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * const { config } = parseExperiment(`name: tiny
 * data: { name: ring8 }
 * train: { steps: 2, batch_size: 8 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * `);
 * const trainer = Trainer.create(config);
 * const { kernels } = await profileSteps(trainer, 2);
 * console.log(kernels[0].kernel, kernels[0].share);
 * trainer.dispose();
 * ```
 */
export async function profileSteps(trainer: Trainer, steps: number): Promise<StepProfile> {
  const start = performance.now();
  const byName = await timeKernels(async () => {
    for await (const _ of trainer.run(trainer.step + steps));
  });
  const wallMsPerStep = (performance.now() - start) / steps;
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0) || 1;
  const kernels = [...byName].map(([kernel, e]) => ({
    kernel,
    calls: e.calls,
    msPerStep: e.ms / steps,
    share: e.ms / total,
  })).sort((a, b) => b.msPerStep - a.msPerStep);
  return { kernels, wallMsPerStep, kernelMsPerStep: total / steps };
}

/** Renders a profile as a Markdown table (the top `limit` kernels). */
export function profileTable(profile: StepProfile, limit = 15): string {
  const rows = profile.kernels.slice(0, limit).map((k) =>
    `| ${k.kernel} | ${k.calls} | ${k.msPerStep.toFixed(3)} | ${(100 * k.share).toFixed(1)}% |`
  );
  const outside = profile.wallMsPerStep - profile.kernelMsPerStep;
  return [
    `wall time per step while profiling: ${profile.wallMsPerStep.toFixed(2)} ms, in kernels ` +
    `${profile.kernelMsPerStep.toFixed(2)} ms, outside them (tfjs's tape and bookkeeping, ` +
    `Duel's loop) ${outside.toFixed(2)} ms`,
    "",
    "| kernel | calls | ms per step | share |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
