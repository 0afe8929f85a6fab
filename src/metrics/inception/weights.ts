/**
 * The FID Inception weights file: read as it is (pytorch-fid's
 * `pt_inception-2015-12-05-6726825d.pth`, either torch.save format), hashed
 * (SHA-256 of the file), and checked against the network's layout before
 * anything is built. Every failure is one {@link UserError} line that names
 * the file and what is wrong.
 * @module
 */
import { createHash } from "node:crypto";
import { UserError } from "../../errors.ts";
import { PthError } from "../pickle.ts";
import { indexPth, type PthEntry } from "../torch_pth.ts";
import { expectedTensors } from "./layout.ts";

/**
 * The name of the weights file pytorch-fid downloads (its release `fid_weights`), which
 * `loadInception` reads as it is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FID_WEIGHTS_FILE } from "../../../mod.ts";
 * assert.match(FID_WEIGHTS_FILE, /\.pth$/);
 * ```
 */
export const FID_WEIGHTS_FILE = "pt_inception-2015-12-05-6726825d.pth";

/** A checked weights file: its hash and its tensors (values read on demand). */
export interface InceptionWeights {
  /** SHA-256 (hex) of the file's bytes. */
  readonly sha256: string;
  /** The state dict's tensors by key. */
  readonly tensors: ReadonlyMap<string, PthEntry>;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();
const shapeText = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Reads, hashes and checks `path` (see the module doc). */
export async function readInceptionWeights(path: string): Promise<InceptionWeights> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Deno.errors.IsADirectory
      ? "is a folder, not a file"
      : `cannot read it (${oneLine(e instanceof Error ? e.message : String(e))})`;
    throw new UserError(
      `${path}: Inception weights: ${why} (valid: pytorch-fid's ${FID_WEIGHTS_FILE})`,
    );
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  let tensors: Map<string, PthEntry>;
  try {
    tensors = indexPth(bytes);
  } catch (e) {
    if (!(e instanceof PthError)) throw e;
    throw new UserError(
      `${path}: Inception weights: not a readable PyTorch checkpoint: ${oneLine(e.message)} ` +
        `(valid: pytorch-fid's ${FID_WEIGHTS_FILE}, a torch.save state dict)`,
    );
  }
  for (const [key, shape] of expectedTensors()) {
    const t = tensors.get(key);
    if (!t) {
      throw new UserError(
        `${path}: Inception weights: key ${key} missing (expected shape ${shapeText(shape)}; ` +
          `valid: pytorch-fid's FIDInceptionV3 state dict, ${FID_WEIGHTS_FILE})`,
      );
    }
    if (t.shape.length !== shape.length || t.shape.some((n, i) => n !== shape[i])) {
      throw new UserError(
        `${path}: Inception weights: ${key} has shape ${shapeText(t.shape)} ` +
          `(expected ${shapeText(shape)})`,
      );
    }
  }
  return { sha256, tensors };
}

/**
 * Checks an Inception weights file without building the network: it exists,
 * is a PyTorch checkpoint, and holds every tensor the FID features need with
 * its shape. Returns its SHA-256; throws a one-line {@link UserError} naming
 * the file and the first thing wrong (the first missing or misshapen key with
 * the shape it should have).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkInceptionWeights, UserError } from "../../../mod.ts";
 * await assert.rejects(
 *   checkInceptionWeights("no/such/pt_inception.pth"),
 *   (e) => e instanceof UserError && e.message.startsWith("no/such/pt_inception.pth: "),
 * );
 * ```
 */
export async function checkInceptionWeights(path: string): Promise<{ sha256: string }> {
  const { sha256 } = await readInceptionWeights(path);
  return { sha256 };
}
