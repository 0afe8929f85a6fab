import assert from "node:assert/strict";
import * as tf from "../src/deps/tfjs_core.ts";
import { buildNetwork, Rng, useBackend } from "../mod.ts";
import { EVAL_MODE } from "../src/nn/layer_kind.ts";
import { tfjs } from "../src/tensor.ts";

// Outside training and without a gradient tape, a network frees each layer's input and internals
// as it goes (src/nn/chains.ts): the same operations in the same order, so the same bits, and
// only the output left behind.

/** Convolutions with batch norms (eval statistics of the batch, and running ones), a dense chain. */
const conv = (filters: number, stride: number) => ({
  type: "conv2d" as const,
  filters,
  kernel: [3],
  stride: [stride],
  padding: 1,
  bias: true,
  spectral_norm: false,
});
const norm = (evalStats: string) => ({
  type: "batch_norm" as const,
  momentum: 0.1,
  epsilon: 1e-5,
  eval_stats: evalStats,
});
const LAYERS = [
  conv(4, 2),
  norm("batch"),
  { type: "leaky_relu", alpha: 0.2 },
  conv(6, 1),
  norm("running"),
  { type: "relu" },
  { type: "flatten" },
  { type: "dense", units: 8, spectral_norm: false },
  { type: "relu" },
  { type: "dense", units: 3, spectral_norm: false },
] as const;

for (const backend of ["wasm", "cpu"] as const) {
  Deno.test(`a network in eval mode leaves only its output and gives the taped bits (${backend})`, async () => {
    await useBackend(backend);
    const net = buildNetwork(LAYERS, [8, 8, 2], Rng.derive(3, "lean"));
    const x = tf.tensor(Rng.derive(4, "lean/x").fillNormal(new Float32Array(5 * 8 * 8 * 2)), [
      5,
      8,
      8,
      2,
    ]);
    const before = tf.memory().numTensors;
    using _ = { [Symbol.dispose]: () => x.dispose() };
    let left = -1;
    const lean = tf.tidy(() => {
      const y = tfjs(net.apply(x, EVAL_MODE));
      left = tf.memory().numTensors - before;
      return y.dataSync().slice();
    });
    assert.equal(left, 1, "only the output is alive inside the caller's scope");
    assert.equal(tf.memory().numTensors, before);
    // With the tape on (a gradient is being taken) every intermediate is kept, as tfjs needs.
    let taped: Float32Array | undefined;
    let kept = -1;
    tf.tidy(() => {
      tf.grad((input: tf.Tensor) => {
        const y = tfjs(net.apply(input, EVAL_MODE));
        kept = tf.memory().numTensors - before;
        taped = y.dataSync().slice() as Float32Array;
        return tf.sum(y);
      })(x);
    });
    assert.ok(kept > 5, `the taped call keeps its intermediates (${kept} tensors)`);
    assert.ok(lean.every((v, i) => Object.is(v, taped![i])), "same bits with and without the tape");
  });
}
