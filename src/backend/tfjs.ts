/**
 * tfjs set-up: the backend table and gradient registration, in one place.
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "./gradients.ts";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { KERNEL_FIXES, type KernelFixName, setKernelFix } from "./kernels.ts";

/** The backends Duel can train on. */
export const BACKENDS = {
  wasm: "tfjs-backend-wasm (WebAssembly with SIMD), the default",
  cpu: "tfjs-backend-cpu (plain JavaScript), the reference and baseline",
} as const;

/** A backend name from {@link BACKENDS}. */
export type BackendName = keyof typeof BACKENDS;

let fixesInstalled = false;

/** What the manifest records about the backend. */
export interface BackendInfo {
  /** The active tfjs backend. */
  readonly backend: string;
  /** tfjs-core's version. */
  readonly tfjs: string;
  /** Threads the backend computes with. */
  readonly threads: number;
  /** Kernel replacements in force (see `KERNEL_FIXES`). */
  readonly kernels: readonly string[];
}

/**
 * Makes `name` the active tfjs backend (idempotent) and returns what the
 * manifest records about it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { useBackend } from "./tfjs.ts";
 * const info = await useBackend("cpu");
 * assert.ok(info.backend === "cpu");
 * ```
 */
export async function useBackend(
  name: BackendName,
): Promise<BackendInfo> {
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`backend ${name}: tfjs could not initialise it`);
  }
  await tf.ready();
  // tfjs-backend-cpu advertises tfjs-node on first use when it sees Node; Duel runs on Deno.
  if (name === "cpu") (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  if (name === "wasm" && !fixesInstalled) {
    for (const fix of Object.keys(KERNEL_FIXES) as KernelFixName[]) setKernelFix(fix, true);
    fixesInstalled = true;
  }
  const kernels = name === "wasm" ? Object.keys(KERNEL_FIXES) : [];
  return { backend: tf.getBackend(), tfjs: tf.version_core, threads: 1, kernels };
}
