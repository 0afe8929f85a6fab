/**
 * The host side of a webgpu run: evaluation, views and checkpoints read
 * tensors synchronously, which Deno's WebGPU cannot (it reads back only
 * asynchronously). So around them the trainer's tensors are read back once,
 * asynchronously, and the work runs on the wasm backend; training goes back
 * to webgpu afterwards (tfjs moves each tensor on first use).
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { type Tensor, tfjs } from "../tensor.ts";
import { useBackend, webgpuHostThreads } from "./tfjs.ts";
import { HOST_BACKEND, settle } from "./webgpu.ts";

/** Undoes {@link enterHost}: the backend that was active before is active again. */
export type LeaveHost = () => Promise<void>;

/**
 * On webgpu: reads `tensors` back (asynchronously), makes the wasm backend
 * active and returns how to go back; elsewhere it does nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { enterHost, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * const leave = await enterHost([]);
 * assert.equal((await useBackend("cpu")).backend, "cpu"); // only webgpu moves to the host
 * await leave();
 * ```
 */
export async function enterHost(tensors: readonly Tensor[]): Promise<LeaveHost> {
  const from = tf.getBackend();
  if (from !== "webgpu") return () => Promise.resolve();
  await settle(tensors.map(tfjs));
  await useBackend(HOST_BACKEND, webgpuHostThreads());
  return async () => {
    await tf.setBackend(from);
  };
}
