/**
 * The one definition of a configuration's identity: the SHA-256 of its JSON.
 * @module
 */
import { createHash } from "node:crypto";

/**
 * The SHA-256 (hex) of a configuration object as JSON, key order as given:
 * what run folders, checkpoints and sweeps identify a resolved configuration by.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configHash } from "../../mod.ts";
 * assert.match(configHash({ seed: 0 }), /^[0-9a-f]{64}$/);
 * assert.notEqual(configHash({ seed: 0 }), configHash({ seed: 1 }));
 * ```
 */
export function configHash(config: unknown): string {
  return createHash("sha256").update(JSON.stringify(config)).digest("hex");
}
