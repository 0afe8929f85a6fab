/**
 * Helpers of the webgpu tests: whether an adapter exists (the tests skip,
 * with a message, only when it does not), values of a computation on a
 * backend, and the float32 comparison.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { type BackendName, useBackend } from "../src/backend/tfjs.ts";
import { requestGpuAdapter } from "../src/backend/webgpu.ts";

/** True when navigator.gpu gives no adapter: then, and only then, the webgpu tests skip. */
export const NO_GPU = (await requestGpuAdapter().catch(() => null)) === null;
if (NO_GPU) console.error("webgpu tests skipped: navigator.gpu.requestAdapter() gave no adapter");

/** Every tensor `fn` returns, as host arrays, computed on `backend`. */
export async function valuesOn(
  backend: BackendName,
  fn: () => tf.Tensor[],
): Promise<Float32Array[]> {
  await useBackend(backend);
  const outs = tf.tidy(fn);
  const values: Float32Array[] = [];
  for (const t of outs) values.push(await t.data() as Float32Array);
  tf.dispose(outs);
  return values;
}

/** The largest |got - want| over the largest |want| (at least 1): float32 agreement of two arrays. */
export function relativeError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length);
  let scale = 1, worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst / scale;
}

/** Asserts every array of `got` agrees with `want` to `tol` ({@link relativeError}). */
export function assertAgree(
  got: readonly Float32Array[],
  want: readonly Float32Array[],
  tol: number,
  what: string,
): number {
  assert.equal(got.length, want.length, what);
  let worst = 0;
  got.forEach((g, i) => {
    const e = relativeError(g, want[i]);
    assert.ok(e <= tol, `${what} [output ${i}]: relative error ${e} > ${tol}`);
    worst = Math.max(worst, e);
  });
  return worst;
}
