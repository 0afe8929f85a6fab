import assert from "node:assert/strict";
import { decodeCheckpoint, encodeCheckpoint } from "../src/train/checkpoint.ts";

const ckpt = {
  configHash: "f".repeat(64),
  elapsed: 12.5,
  state: {
    step: 40,
    rng: {
      data: [1, 2, 3, 4] as const,
      noise: [4294967295, 0, 7, 9] as const,
      penalty: [5, 6, 7, 8] as const,
      dropout: [9, 10, 11, 12] as const,
    },
    tensors: [
      {
        name: "generator/0.dense.kernel",
        shape: [2, 3],
        data: new Float32Array([1, -2, 3.5, 1e-30, -0, NaN]),
      },
      { name: "optimizer.generator/t", shape: [], data: new Float32Array([40]) },
      { name: "empty", shape: [0], data: new Float32Array(0) },
    ],
  },
};

Deno.test("checkpoints round-trip bit for bit", () => {
  const back = decodeCheckpoint(encodeCheckpoint(ckpt));
  assert.equal(back.configHash, ckpt.configHash);
  assert.equal(back.elapsed, 12.5);
  assert.equal(back.state.step, 40);
  assert.deepEqual(back.state.rng, ckpt.state.rng);
  back.state.tensors.forEach((t, i) => {
    const want = ckpt.state.tensors[i];
    assert.equal(t.name, want.name);
    assert.deepEqual(t.shape, want.shape);
    assert.deepEqual(new Uint8Array(t.data.buffer), new Uint8Array(want.data.buffer));
  });
});

Deno.test("a truncated or foreign file is refused with a clear error", () => {
  const bytes = encodeCheckpoint(ckpt);
  assert.throws(
    () => decodeCheckpoint(bytes.subarray(0, bytes.length - 4)),
    /truncated Duel checkpoint/,
  );
  assert.throws(
    () => decodeCheckpoint(new TextEncoder().encode("hello\n")),
    /not a Duel checkpoint/,
  );
});
