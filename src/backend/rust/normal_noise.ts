/**
 * Normal noise with Box-Muller's transcendental half shared out over the
 * kernel threads: the caller draws the 32-bit uniforms in order (the stream's
 * state moves exactly as {@link Rng.fillNormal} moves it), then each thread
 * turns a range of pairs into normals with JavaScript's `Math.log`, `Math.cos`
 * and `Math.sin` ({@link boxMullerPair}, whose bits the runs keep). A pair
 * depends on its own two draws only, so the values are `fillNormal`'s on any
 * split. `DuelBoxMuller` (registered on the wasm backends by `KERNEL_FIXES`,
 * `box_muller_threads`) is that second half as a kernel: input the draws as
 * an int32 tensor (their bits), output the normals.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import type { Rng } from "../../rng.ts";
import { type Info, type KernelArgs, memoryOf, offsetOf, wasmBackendOf } from "../wasm_backend.ts";
import { boundRustKernels } from "./bound.ts";
import { type BoxMullerArgs, boxMullerPart } from "./box_muller_part.ts";

/** The kernel: input `u` (int32, two draws per pair of values); attrs `shape` (of the output), `mean`, `std`. */
export const BOX_MULLER_KERNEL = "DuelBoxMuller";

/**
 * Pairs below which the caller computes them all: a pair takes ~45 ns (a log,
 * a square root, a cosine and a sine), a hand-off to the kernel threads ~5 µs.
 */
const SPLIT_MIN_PAIRS = 512;

/** `DuelBoxMuller` on the wasm backends: the normals, split over the kernel threads when many. */
export function boxMullerKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const u = (args.inputs as Record<string, Info>).u;
  const { shape, mean, std } = args.attrs as { shape: number[]; mean: number; std: number };
  const n = tf.util.sizeFromShape(shape), pairs = Math.ceil(n / 2);
  if (u.dtype !== "int32" || tf.util.sizeFromShape(u.shape) !== 2 * pairs) {
    throw new Error(`${BOX_MULLER_KERNEL}: needs ${2 * pairs} int32 draws for ${n} values`);
  }
  const out = backend.makeOutput([...shape], "float32");
  const part: BoxMullerArgs = [offsetOf(backend, u), offsetOf(backend, out), n, mean, std];
  const threads = boundRustKernels(backend).threads;
  if (threads && threads.threads > 1 && pairs >= SPLIT_MIN_PAIRS) {
    const parts = threads.threads;
    const bounds = Array.from({ length: parts + 1 }, (_, p) => Math.round((pairs * p) / parts));
    threads.run("box_muller", part, bounds);
  } else {
    boxMullerPart(memoryOf(backend).buffer, ...part, 0, 0, pairs);
  }
  return [out];
}

/**
 * A tensor of `shape` of independent N(mean, std²) draws from `rng`: the
 * values and the stream's next state of `rng.fillNormal` on as many floats,
 * through {@link BOX_MULLER_KERNEL} where the active backend has it, else
 * `fillNormal` itself.
 *
 * Inside Duel it is used as `normalNoise(rng, [batch, noise.dim])` for a batch of noise z.
 */
export function normalNoise(rng: Rng, shape: readonly number[], mean = 0, std = 1): tf.Tensor {
  const n = tf.util.sizeFromShape([...shape]);
  if (tf.getKernel(BOX_MULLER_KERNEL, tf.getBackend()) === undefined) {
    return tf.tensor(rng.fillNormal(new Float32Array(n), mean, std), [...shape]);
  }
  const draws = rng.fillU32(new Uint32Array(2 * Math.ceil(n / 2)));
  const u = tf.tensor1d(new Int32Array(draws.buffer), "int32");
  const attrs = { shape: [...shape], mean, std } as unknown as tf.NamedAttrMap;
  const [z] = tf.engine().runKernel(BOX_MULLER_KERNEL, { u }, attrs) as tf.Tensor[];
  u.dispose();
  return z;
}
