/**
 * Kernels that stream through memory (activations and their gradients, a bias
 * per channel, batch norm's output from its statistics) split over the kernel
 * threads by their items: each has a part export (`*_part` in
 * `abi_elementwise.ts`) computing items `lo..hi` as the whole call computes
 * them, so the bits never depend on the split. {@link runStreamed} runs the
 * whole call on the calling thread when the call is small, on one thread, or
 * where the kernels have no threads (a plain memory).
 * @module
 */
import type { WasmBackend } from "../wasm_backend.ts";
import type { ElementwiseAbi } from "./abi_elementwise.ts";
import { boundRustKernels } from "./bound.ts";
import { planItems } from "./split.ts";

/** A part export of {@link ElementwiseAbi}. */
export type StreamPart = Extract<keyof ElementwiseAbi, `${string}_part`>;

/**
 * Estimated ns per item on one thread (AMD EPYC with AVX-512F, the whole calls of
 * `bench/stream_kernels.ts` over their items): what decides whether a call is
 * worth splitting ({@link planItems}); and how part bounds align (elements: a
 * cache line of floats, so no line is written by two threads; rows: any).
 */
export const STREAM_PARTS: Readonly<Record<StreamPart, { nsEach: number; align: number }>> = {
  relu_f32_part: { nsEach: 0.15, align: 16 },
  relu_grad_f32_part: { nsEach: 0.2, align: 16 },
  leaky_relu_f32_part: { nsEach: 0.19, align: 16 },
  leaky_relu_grad_f32_part: { nsEach: 0.2, align: 16 },
  tanh_f32_part: { nsEach: 7.4, align: 16 },
  // Rows: ns per float, times a row's floats (`runStreamed`'s `perItem`).
  bias_add_f32_part: { nsEach: 0.18, align: 1 },
  batch_norm_apply_f32_part: { nsEach: 0.15, align: 1 },
  batch_norm_grad_apply_f32_part: { nsEach: 0.25, align: 1 },
};

/**
 * Whether {@link runStreamed} splits large calls (default on). Benchmarks turn
 * it off to time the same kernels on the calling thread alone (same bits).
 */
export const streamSplit: { on: boolean } = { on: true };

/**
 * Runs `part(...args, work, lo, hi)` over `items` items split across the
 * backend's kernel threads when that pays ({@link STREAM_PARTS}; `perItem`
 * floats make one item), after `before()` on the calling thread where given
 * (a first half the parts need), else `whole()` on the calling thread.
 *
 * Inside Duel it is used as
 * `runStreamed(backend, "relu_f32_part", [x, out], len, () => kernels.relu_f32(x, out, len));`.
 */
export function runStreamed(
  backend: WasmBackend,
  part: StreamPart,
  args: readonly number[],
  items: number,
  whole: () => void,
  perItem = 1,
  before?: () => void,
): void {
  const { threads } = boundRustKernels(backend);
  const { nsEach, align } = STREAM_PARTS[part];
  const bounds = threads && streamSplit.on &&
    planItems(items, nsEach * perItem, threads.threads, align);
  if (!bounds) return whole();
  before?.();
  threads.run(part, args, bounds);
}
