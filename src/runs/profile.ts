/**
 * Time per tfjs kernel over a few training steps (`--profile`), so the next
 * bottleneck is visible.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
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
}

/**
 * Runs `steps` more training steps under `tf.profile` and sums kernel times
 * by kernel name. Profiling syncs after each kernel, so absolute times are
 * pessimistic; compare shares.
 *
 * @example
 * ```ts ignore
 * const { kernels } = await profileSteps(trainer, 10);
 * console.log(kernels[0].kernel, kernels[0].share);
 * ```
 */
export async function profileSteps(trainer: Trainer, steps: number): Promise<StepProfile> {
  const start = performance.now();
  const info = await tf.profile(async () => {
    for await (const _ of trainer.run(trainer.step + steps));
  });
  const wallMsPerStep = (performance.now() - start) / steps;
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const k of info.kernels) {
    const ms = await k.kernelTimeMs;
    const time = typeof ms === "number" ? ms : (ms as { error: string }).error ? 0 : Number(ms);
    const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
    byName.set(k.name, { calls: entry.calls + 1, ms: entry.ms + time });
  }
  const total = [...byName.values()].reduce((s, e) => s + e.ms, 0) || 1;
  const kernels = [...byName].map(([kernel, e]) => ({
    kernel,
    calls: e.calls,
    msPerStep: e.ms / steps,
    share: e.ms / total,
  })).sort((a, b) => b.msPerStep - a.msPerStep);
  return { kernels, wallMsPerStep };
}

/** Renders a profile as a Markdown table (the top `limit` kernels). */
export function profileTable(profile: StepProfile, limit = 15): string {
  const rows = profile.kernels.slice(0, limit).map((k) =>
    `| ${k.kernel} | ${k.calls} | ${k.msPerStep.toFixed(3)} | ${(100 * k.share).toFixed(1)}% |`
  );
  return [
    `wall time per step while profiling: ${profile.wallMsPerStep.toFixed(2)} ms`,
    "",
    "| kernel | calls | ms per step | share |",
    "|---|---|---|---|",
    ...rows,
  ].join("\n");
}
