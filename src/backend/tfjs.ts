/**
 * tfjs set-up: the backend table and gradient registration, in one place.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's bundle registers no gradients; tfjs-layers registers all of
// tfjs-core's gradient functions as a side effect of being imported.
import "@tensorflow/tfjs-layers";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

/** The backends Duel can train on. */
export const BACKENDS = {
  wasm: "tfjs-backend-wasm (WebAssembly with SIMD), the default",
  cpu: "tfjs-backend-cpu (plain JavaScript), the reference and baseline",
} as const;

/** A backend name from {@link BACKENDS}. */
export type BackendName = keyof typeof BACKENDS;

/**
 * Makes `name` the active tfjs backend (idempotent) and returns what the
 * manifest records about it.
 *
 * @example
 * ```ts
 * import { useBackend } from "./tfjs.ts";
 * const info = await useBackend("cpu");
 * console.assert(info.backend === "cpu");
 * ```
 */
export async function useBackend(
  name: BackendName,
): Promise<{ backend: string; tfjs: string; threads: number }> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`backend ${name}: tfjs could not initialise it`);
  }
  await tf.ready();
  return { backend: tf.getBackend(), tfjs: tf.version_core, threads: 1 };
}
