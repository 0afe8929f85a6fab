/**
 * Batch normalisation over leading axes (channels last) as one Rust kernel
 * each way (kernels/src/batch_norm.rs): `DuelBatchNorm` (forward: `y`, the
 * batch mean and biased variance, in the bits of tfjs's composite
 * `moments` + `sub` + `mul` + `add`) and `DuelBatchNormGrad` (the closed-form
 * gradient), instead of ~6 tfjs kernels forward and ~15 backward over the
 * whole tensor (measured: ~35 of ~250 ms in a 2-thread DCGAN step).
 *
 * {@link batchNorm} is the op the layer calls: the kernel where the active
 * backend has it (`batch_norm_rust` in `KERNEL_FIXES`), tfjs's composite
 * otherwise. Its gradient (registered in `gradients.ts`) is the Rust kernel
 * when nothing records it, and the same closed form in tfjs ops, which
 * recomputes the statistics from `x`, while a tape is on: gradient penalties
 * differentiate through the critic's gradient, so that one must be
 * differentiable itself. The statistics outputs carry no gradient (they feed
 * the running averages only). On the threaded build large calls compute
 * their statistics on the calling thread, then their output by rows over the
 * kernel threads (`parts.ts`); the bits never depend on the split.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import {
  type Info,
  type KernelArgs,
  offsetOf,
  type WasmBackend,
  wasmBackendOf,
} from "../wasm_backend.ts";
import { kernelsOn } from "./loader.ts";
import { runStreamed } from "./parts.ts";

/** The forward kernel: inputs `x`, `gamma`, `beta`; attr `epsilon`; outputs `y`, `mean`, `variance`. */
export const BATCH_NORM_KERNEL = "DuelBatchNorm";
/** The gradient kernel: inputs `dy`, `x`, `mean`, `variance`, `gamma`; outputs `dx`, `dgamma`, `dbeta`. */
export const BATCH_NORM_GRAD_KERNEL = "DuelBatchNormGrad";

/** Counts up to which every integer is an f32 (the mean divides by the count in f32). */
const EXACT_COUNT = 2 ** 24;

/** `rows × cols` of a channels-last tensor, checked for the kernels. */
function rowsAndCols(kernel: string, x: Info, floats: Info[]): [number, number] {
  const cols = x.shape[x.shape.length - 1] ?? 0;
  const rows = cols === 0 ? 0 : tf.util.sizeFromShape(x.shape) / cols;
  const ok = x.shape.length >= 2 && rows <= EXACT_COUNT &&
    [x, ...floats].every((t) => t.dtype === "float32");
  if (!ok) throw new Error(`${kernel}: needs float32 tensors of rank >= 2, got ${x.shape}`);
  return [rows, cols];
}

/** Runs `fn` with `floats` floats of scratch memory from the backend's allocator. */
function withScratch(backend: WasmBackend, floats: number, fn: (at: number) => void): void {
  const at = backend.wasm._malloc(Math.max(floats, 1) * 4);
  try {
    fn(at);
  } finally {
    backend.wasm._free(at);
  }
}

/** `DuelBatchNorm` on the Rust kernel. */
export function batchNormKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const { x, gamma, beta } = args.inputs as { x: Info; gamma: Info; beta: Info };
  const { epsilon } = args.attrs as { epsilon: number };
  const [rows, cols] = rowsAndCols(BATCH_NORM_KERNEL, x, [gamma, beta]);
  const y = backend.makeOutput([...x.shape], "float32");
  const mean = backend.makeOutput([cols], "float32");
  const variance = backend.makeOutput([cols], "float32");
  withScratch(backend, cols, (scratch) => {
    const at = (t: Info) => offsetOf(backend, t);
    const k = kernelsOn(backend);
    const [px, pg, pb, py, pm, pv] = [x, gamma, beta, y, mean, variance].map(at);
    // Whole, or the statistics (every row, in order) here and the output by rows in parts.
    runStreamed(
      backend,
      "batch_norm_apply_f32_part",
      [px, pm, scratch, pb, py, cols],
      rows,
      () => k.batch_norm_f32(px, pg, pb, py, pm, pv, scratch, rows, cols, epsilon),
      cols,
      () => k.batch_norm_stats_f32(px, pg, pm, pv, scratch, rows, cols, epsilon),
    );
  });
  return [y, mean, variance];
}

/** `DuelBatchNormGrad` on the Rust kernel. */
export function batchNormGradKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const { dy, x, mean, variance, gamma } = args.inputs as Record<string, Info>;
  const { epsilon } = args.attrs as { epsilon: number };
  const [rows, cols] = rowsAndCols(BATCH_NORM_GRAD_KERNEL, x, [dy, mean, variance, gamma]);
  const dx = backend.makeOutput([...x.shape], "float32");
  const dgamma = backend.makeOutput([cols], "float32");
  const dbeta = backend.makeOutput([cols], "float32");
  withScratch(backend, 4 * cols, (scratch) => {
    const at = (t: Info) => offsetOf(backend, t);
    const k = kernelsOn(backend);
    const [pdy, px, pm, pv, pg, pdx, pdg, pdb] = [dy, x, mean, variance, gamma, dx, dgamma, dbeta]
      .map(at);
    // Whole, or the sums (every row, in order) here and dx by rows in parts.
    runStreamed(
      backend,
      "batch_norm_grad_apply_f32_part",
      [pdy, px, pm, scratch, pdx, cols],
      rows,
      () => k.batch_norm_grad_f32(pdy, px, pm, pv, pg, pdx, pdg, pdb, scratch, rows, cols, epsilon),
      cols,
      () => k.batch_norm_grad_sums_f32(pdy, px, pm, pv, pg, pdg, pdb, scratch, rows, cols, epsilon),
    );
  });
  return [dx, dgamma, dbeta];
}

/** Batch norm's output and the batch statistics it used. */
export interface BatchNormResult {
  /** `(x - mean) · gamma / sqrt(variance + epsilon) + beta`. */
  readonly y: tf.Tensor;
  /** Per channel (last axis) mean over every other axis. */
  readonly mean: tf.Tensor1D;
  /** Per channel biased variance. */
  readonly variance: tf.Tensor1D;
}

const leadingAxes = (x: tf.Tensor) => Array.from({ length: x.rank - 1 }, (_, i) => i);
const hasKernel = (name: string) => tf.getKernel(name, tf.getBackend()) !== undefined;

/**
 * Batch normalisation of `x` (channels last) with its own batch statistics:
 * one Rust kernel where the active backend has {@link BATCH_NORM_KERNEL}, else
 * tfjs's composite (`moments`, then `(x - mean) · (rsqrt(variance + epsilon) ·
 * gamma) + beta`), with the same bits.
 */
export function batchNorm(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
): BatchNormResult {
  if (x.dtype === "float32" && x.rank >= 2 && hasKernel(BATCH_NORM_KERNEL)) {
    const attrs = { epsilon } as unknown as tf.NamedAttrMap;
    const [y, mean, variance] = tf.engine().runKernel(
      BATCH_NORM_KERNEL,
      { x, gamma, beta },
      attrs,
    ) as tf.Tensor[];
    return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  }
  const { mean, variance } = tf.moments(x, leadingAxes(x));
  const scale = tf.mul(tf.rsqrt(tf.add(variance, epsilon)), gamma);
  const y = tf.add(tf.mul(tf.sub(x, mean), scale), beta);
  return { y, mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/**
 * The gradient of {@link batchNorm}'s `y` with respect to `x`, `gamma` and
 * `beta`, given `dy` and the forward's statistics: the Rust kernel
 * {@link BATCH_NORM_GRAD_KERNEL} when the backend has it and no tape records
 * this computation; else the closed form in tfjs ops with the statistics
 * recomputed from `x`, so that a gradient penalty can differentiate it again.
 */
export function batchNormGrad(
  dy: tf.Tensor,
  x: tf.Tensor,
  gamma: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  epsilon: number,
): { dx: tf.Tensor; dgamma: tf.Tensor; dbeta: tf.Tensor } {
  const fused = dy.dtype === "float32" && x.dtype === "float32" && x.rank >= 2 &&
    !tf.engine().isTapeOn() && hasKernel(BATCH_NORM_GRAD_KERNEL);
  if (fused) {
    const attrs = { epsilon } as unknown as tf.NamedAttrMap;
    const inputs = { dy, x, mean, variance, gamma };
    const [dx, dgamma, dbeta] = tf.engine().runKernel(
      BATCH_NORM_GRAD_KERNEL,
      inputs,
      attrs,
    ) as tf.Tensor[];
    return { dx, dgamma, dbeta };
  }
  return tf.tidy(() => {
    const axes = leadingAxes(x);
    const n = x.size / x.shape[x.rank - 1];
    const stats = tf.moments(x, axes);
    const inv = tf.rsqrt(tf.add(stats.variance, epsilon));
    const xhat = tf.mul(tf.sub(x, stats.mean), inv);
    const dbeta = tf.sum(dy, axes);
    const dgamma = tf.sum(tf.mul(dy, xhat), axes);
    const centred = tf.sub(tf.sub(dy, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n)));
    return { dx: tf.mul(centred, tf.mul(gamma, inv)), dgamma, dbeta };
  });
}
