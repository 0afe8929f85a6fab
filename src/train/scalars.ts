/**
 * Reading a training step's numbers back to the host.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";

/**
 * Reads scalar tensors back (the first value of each) and frees them.
 * Asynchronous, because Deno's WebGPU reads back only so; on wasm and cpu it
 * reads with `dataSync`. Absent entries stay absent.
 */
export async function readScalars<K extends string>(
  ts: Record<K, tf.Tensor | undefined>,
): Promise<Record<K, number>> {
  const out = {} as Record<K, number>;
  // Only webgpu needs the promise: elsewhere a synchronous read spares a promise per number.
  const sync = tf.getBackend() !== "webgpu";
  for (const key of Object.keys(ts) as K[]) {
    const t = ts[key];
    if (t) out[key] = (sync ? t.dataSync() : await t.data())[0] as number;
  }
  tf.dispose(Object.values(ts).filter((t) => t !== undefined) as tf.Tensor[]);
  return out;
}
