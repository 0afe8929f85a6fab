/**
 * Helpers of the kernel-replacement tests: run a computation on the cpu
 * backend or on wasm with chosen replacements, and compare the results.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";

/** One convolution: input [n, h, w, cin], kernel kh x kw, stride, pad, optional dilation. */
export interface ConvCase {
  n: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: [number, number];
  s: [number, number];
  pad: "same" | "valid" | number;
  d?: [number, number];
}

/** `fn`'s values on `backend`; on wasm, `useFixes` switches the replacements under test first. */
export async function on(
  backend: "cpu" | "wasm",
  fn: () => tf.Tensor,
  useFixes: () => void,
): Promise<Float32Array> {
  await useBackend(backend);
  if (backend === "wasm") useFixes();
  const out = tf.tidy(fn);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

/** Equal lengths and every value within 1e-5 of the largest magnitude (at least 1). */
export function assertClose(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, what);
  const scale = Math.max(1, ...Array.from(want, Math.abs));
  got.forEach((v, i) =>
    assert.ok(Math.abs(v - want[i]) <= 1e-5 * scale, `${what} [${i}]: ${v} vs ${want[i]}`)
  );
}
