import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { setKernelFix } from "../src/backend/kernels.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { Rng } from "../src/rng.ts";
import { onMemory } from "./_wasm_memory.ts";

await useBackend("wasm");

/** Bits of tfjs's `tanh` of `x` on the wasm backend, with the Rust kernel on or off (the built-in). */
function tanhBits(x: Float32Array, rust: boolean): Uint32Array {
  setKernelFix("tanh_rust", rust);
  try {
    const y = tf.tidy(() => tf.tanh(tf.tensor1d(x)).dataSync() as Float32Array);
    return new Uint32Array(y.slice().buffer);
  } finally {
    setKernelFix("tanh_rust", true);
  }
}

/** The first input where the two differ (NaN equals NaN, whatever its payload), or -1. */
function firstDifference(x: Float32Array, got: Uint32Array, want: Uint32Array): number {
  const f = new Float32Array(got.buffer), g = new Float32Array(want.buffer);
  return x.findIndex((_, i) => got[i] !== want[i] && !(Number.isNaN(f[i]) && Number.isNaN(g[i])));
}

/** `tanh_f32_ref` (musl's scalar `tanhf`) on `x`, in a memory of its own: the result's bits. */
function referenceBits(x: Float32Array): Uint32Array {
  const words = onMemory<RustKernels>(
    [x],
    (k, [px, out]) => k.tanh_f32_ref(px, out, x.length),
    x.length,
  );
  const at = 16 + x.length + 4; // the output's first word (see onMemory's layout)
  return words.slice(at, at + x.length);
}

/** The four-lane kernel (through tfjs), its scalar reference and tfjs-wasm's built-in agree on `x`. */
function assertSameBits(x: Float32Array, what: string) {
  const want = tanhBits(x, false);
  for (
    const [name, got] of [["the kernel", tanhBits(x, true)], [
      "the reference",
      referenceBits(x),
    ]] as const
  ) {
    const bad = firstDifference(x, got, want);
    assert.equal(
      bad,
      -1,
      bad < 0 ? "" : `${what}: tanh(${x[bad]}) = ${new Float32Array(got.buffer)[bad]} (${name}) ` +
        `vs ${new Float32Array(want.buffer)[bad]} (tfjs-wasm)`,
    );
  }
}

Deno.test("Tanh: the Rust port of musl's tanhf gives tfjs-wasm's bits over every region of floats", () => {
  // One bit pattern in 4,096 over all 2^32 (both signs, subnormals, infinities, NaNs), offset
  // so that the low mantissa bits vary.
  const n = 2 ** 20;
  const spread = new Uint32Array(n).map((_, i) => (i * 4096 + ((i * 2654435761) & 4095)) >>> 0);
  assertSameBits(new Float32Array(spread.buffer), "spread over all floats");
});

Deno.test("Tanh: the Rust kernel gives tfjs-wasm's bits at musl's branch thresholds and in the range that matters", () => {
  // tanhf's thresholds on |x| and, doubled, expm1f's (its argument is 2|x|).
  const thresholds = [
    0x3f0c9f54,
    0x41200000,
    0x3e82c578,
    0x00800000, // tanhf
    0x4195b844,
    0x42b17180,
    0x3eb17218,
    0x3f851592,
    0x33000000, // expm1f, on 2|x|
  ];
  const words: number[] = [0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 1];
  for (const t of thresholds) {
    for (const base of [t, t - 0x00800000]) { // the threshold, and half of it (expm1f sees 2|x|)
      for (let d = -4; d <= 4; d++) words.push(base + d, (base + d) | 0x80000000);
    }
  }
  const edges = new Float32Array(new Uint32Array(words.map((w) => w >>> 0)).buffer);
  assertSameBits(edges, "thresholds");
  const rng = Rng.derive(0, "tanh/uniform");
  const uniform = new Float32Array(2 ** 19).map(() => (rng.uniform() - 0.5) * 24);
  assertSameBits(uniform, "uniform in ±12");
  assertSameBits(rng.fillNormal(new Float32Array(2 ** 16), 0, 0.1), "normal, std 0.1");
});

Deno.test("Tanh on the Rust kernel: every shape, the empty one included", () => {
  for (const shape of [[0], [1], [7], [64, 28, 28, 1]]) {
    const size = tf.util.sizeFromShape(shape);
    assertSameBits(Rng.derive(1, `tanh/${shape}`).fillNormal(new Float32Array(size)), `${shape}`);
  }
});
