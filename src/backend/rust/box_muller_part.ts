/**
 * Box-Muller's second half as a kernel-thread job part (`js_parts.ts`): draws
 * in, normals out, on a memory given as a buffer. Imports nothing but the
 * pair's arithmetic, so the kernel threads load nothing more for it.
 * @module
 */
import { boxMullerPair } from "../../rng.ts";

/** {@link boxMullerPart}'s arguments after the buffer and before the part. */
export type BoxMullerArgs = [draws: number, out: number, n: number, mean: number, std: number];

/**
 * Values `2 lo .. 2 hi` (those below `n`) of the normals at byte offset `out`
 * (float32) from the draws at `draws` (uint32, two per pair), in `buffer`.
 * A kernel-thread job part (`work` unused).
 *
 * Inside Duel it is used as `threads.run("box_muller", [draws, out, n, mean, std], bounds)`.
 */
export function boxMullerPart(
  buffer: ArrayBufferLike,
  ...args: [...BoxMullerArgs, work: number, lo: number, hi: number]
): void {
  const [draws, out, n, mean, std, , lo, hi] = args;
  const u = new Uint32Array(buffer, draws, 2 * hi);
  const values = new Float32Array(buffer, out, n);
  for (let p = lo; p < hi; p++) boxMullerPair(values, 2 * p, u[2 * p], u[2 * p + 1], mean, std);
}
