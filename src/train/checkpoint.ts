/**
 * The checkpoint file format: a JSON header (step, RNG states, tensor table,
 * config hash) followed by the raw little-endian float32 data.
 * @module
 */
import type { TrainerState } from "./state.ts";

const MAGIC = "DUELCKPT1\n";

/** A checkpoint as stored: the trainer state plus bookkeeping for the run. */
export interface Checkpoint {
  /** The trainer's state. */
  readonly state: TrainerState;
  /** Hash of the resolved configuration it belongs to. */
  readonly configHash: string;
  /** Wall-clock seconds of training before this checkpoint. */
  readonly elapsed: number;
}

/**
 * Serialises a checkpoint to bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeCheckpoint, encodeCheckpoint } from "./checkpoint.ts";
 * const bytes = encodeCheckpoint({
 *   configHash: "abc",
 *   elapsed: 1.5,
 *   state: { step: 3, rng: { data: [1, 2, 3, 4], noise: [5, 6, 7, 8], penalty: [1, 1, 1, 1],
 *     dropout: [2, 2, 2, 2] },
 *     tensors: [{ name: "w", shape: [2], data: new Float32Array([1, 2]) }] },
 * });
 * assert.ok(decodeCheckpoint(bytes).state.tensors[0].data[1] === 2);
 * ```
 */
export function encodeCheckpoint(ckpt: Checkpoint): Uint8Array {
  const tensors = ckpt.state.tensors.map((t) => ({
    name: t.name,
    shape: t.shape,
    length: t.data.length,
  }));
  const header = JSON.stringify({
    step: ckpt.state.step,
    rng: ckpt.state.rng,
    configHash: ckpt.configHash,
    elapsed: ckpt.elapsed,
    tensors,
  });
  const head = new TextEncoder().encode(MAGIC + header + "\n");
  const pad = (4 - (head.length % 4)) % 4;
  const floats = ckpt.state.tensors.reduce((n, t) => n + t.data.length, 0);
  const out = new Uint8Array(head.length + pad + 4 * floats);
  out.set(head);
  out.fill(0x20, head.length, head.length + pad);
  const body = new DataView(out.buffer, head.length + pad);
  let offset = 0;
  for (const t of ckpt.state.tensors) {
    for (let i = 0; i < t.data.length; i++, offset += 4) body.setFloat32(offset, t.data[i], true);
  }
  return out;
}

/** Parses bytes written by {@link encodeCheckpoint}; throws on anything else. */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  const end = bytes.indexOf(0x0a, MAGIC.length);
  if (magic !== MAGIC || end < 0) throw new Error("not a Duel checkpoint (bad header)");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length, end)));
  let offset = end + 1;
  offset += (4 - (offset % 4)) % 4;
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const tensors = (header.tensors as { name: string; shape: number[]; length: number }[]).map(
    (t) => {
      if (offset + 4 * t.length > bytes.length) throw new Error("truncated Duel checkpoint");
      const data = new Float32Array(t.length);
      for (let i = 0; i < t.length; i++, offset += 4) data[i] = view.getFloat32(offset, true);
      return { name: t.name, shape: t.shape, data };
    },
  );
  return {
    configHash: header.configHash,
    elapsed: header.elapsed,
    state: { step: header.step, rng: header.rng, tensors },
  };
}
