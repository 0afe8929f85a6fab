/**
 * The checkpoint file format: a JSON header (step, RNG states, tensor table,
 * config hash) followed by the raw little-endian float32 data. Version 2
 * (written since) puts a SHA-256 of everything after it on its second line:
 *
 * ```text
 * DUELCKPT2\n
 * sha256:<64 hex digits>\n         of every byte below
 * {"step":..,"configHash":..,..}\n  the header
 * <spaces to a multiple of 4><float32 data>
 * ```
 *
 * Version 1 files (no checksum) still decode: their structure is checked,
 * their bytes cannot be.
 * @module
 */
import { createHash } from "node:crypto";
import type { TrainerState } from "./state.ts";

const MAGIC_V1 = "DUELCKPT1\n";
const MAGIC = "DUELCKPT2\n";
const SUM = "sha256:";
/** Bytes of the checksum line: `sha256:` + 64 hex digits + newline. */
const SUM_LINE = SUM.length + 64 + 1;

/** A checkpoint file that cannot be trusted; the message says why. */
export class CheckpointError extends Error {
  /** @param message why, e.g. `checksum mismatch (the file was changed or damaged)` */
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** A checkpoint as stored: the trainer state plus bookkeeping for the run. */
export interface Checkpoint {
  /** The trainer's state. */
  readonly state: TrainerState;
  /** Hash of the resolved configuration it belongs to. */
  readonly configHash: string;
  /** Wall-clock seconds of training before this checkpoint. */
  readonly elapsed: number;
  /** Set on a version 1 file read back: it has no checksum, so its bytes were not verified. */
  readonly unverified?: true;
}

/**
 * Serialises a checkpoint to bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeCheckpoint, encodeCheckpoint } from "../../mod.ts";
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
  const content = encodeContent(ckpt, MAGIC.length + SUM_LINE);
  const out = new Uint8Array(MAGIC.length + SUM_LINE + content.length);
  out.set(new TextEncoder().encode(`${MAGIC}${SUM}${sha256(content)}\n`));
  out.set(content, MAGIC.length + SUM_LINE);
  return out;
}

/** Header and data; `before` bytes precede them in the file (the data is 4-byte aligned). */
function encodeContent(ckpt: Checkpoint, before: number): Uint8Array {
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
  const head = new TextEncoder().encode(header + "\n");
  const pad = (4 - ((before + head.length) % 4)) % 4;
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

/**
 * Parses bytes written by {@link encodeCheckpoint}, verifying them: a
 * version 2 file must match its checksum byte for byte and have exactly the
 * length its header implies. Throws a {@link CheckpointError} saying why not
 * (`not a Duel checkpoint`, `truncated Duel checkpoint`, `checksum mismatch`).
 */
export function decodeCheckpoint(bytes: Uint8Array): Checkpoint {
  const text = (from: number, to: number) => new TextDecoder().decode(bytes.subarray(from, to));
  const magic = text(0, MAGIC.length);
  if (magic !== MAGIC && magic !== MAGIC_V1) {
    throw new CheckpointError("not a Duel checkpoint (bad header)");
  }
  let start = MAGIC.length;
  let sum: string | undefined;
  if (magic === MAGIC) {
    const line = text(start, start + SUM_LINE);
    if (!/^sha256:[0-9a-f]{64}\n$/.test(line)) {
      throw new CheckpointError("not a Duel checkpoint (bad checksum line)");
    }
    sum = line.slice(SUM.length, SUM.length + 64);
    start += SUM_LINE;
  }
  const end = bytes.indexOf(0x0a, start);
  if (end < 0) throw new CheckpointError("truncated Duel checkpoint (no end of header)");
  let header: {
    step: number;
    rng: TrainerState["rng"];
    configHash: string;
    elapsed: number;
    tensors: { name: string; shape: number[]; length: number }[];
  };
  try {
    header = JSON.parse(text(start, end));
  } catch {
    throw new CheckpointError("not a Duel checkpoint (header is not JSON)");
  }
  const ok = header !== null && typeof header === "object" && Number.isSafeInteger(header.step) &&
    header.step >= 0 && typeof header.configHash === "string" && Array.isArray(header.tensors) &&
    header.tensors.every((t) => Number.isSafeInteger(t?.length) && t.length >= 0);
  if (!ok) throw new CheckpointError("not a Duel checkpoint (bad header fields)");
  let offset = end + 1;
  offset += (4 - (offset % 4)) % 4;
  const floats = header.tensors.reduce((n, t) => n + t.length, 0);
  if (offset + 4 * floats > bytes.length) {
    throw new CheckpointError(
      `truncated Duel checkpoint (${bytes.length} bytes, the header implies ${
        offset + 4 * floats
      })`,
    );
  }
  if (sum !== undefined) {
    if (offset + 4 * floats !== bytes.length) {
      throw new CheckpointError(`${bytes.length - offset - 4 * floats} bytes after the data`);
    }
    if (sha256(bytes.subarray(MAGIC.length + SUM_LINE)) !== sum) {
      throw new CheckpointError("checksum mismatch (the file was changed or damaged)");
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const tensors = header.tensors.map((t) => {
    const data = new Float32Array(t.length);
    for (let i = 0; i < t.length; i++, offset += 4) data[i] = view.getFloat32(offset, true);
    return { name: t.name, shape: t.shape, data };
  });
  return {
    configHash: header.configHash,
    elapsed: header.elapsed,
    state: { step: header.step, rng: header.rng, tensors },
    ...(sum === undefined ? { unverified: true } : {}),
  };
}
