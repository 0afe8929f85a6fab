/**
 * Reading a training step's numbers back to the host.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";

/** A number to read: a tensor's first value, or `[tensor, i]` for its `i`-th. */
export type ScalarRead = tf.Tensor | readonly [tf.Tensor, number] | undefined;

/**
 * Reads numbers back (each entry's tensor's first value, or the value at the index it
 * names) and frees the tensors (each once, however many entries read it).
 * Asynchronous, because Deno's WebGPU reads back only so; on wasm and cpu it
 * reads with `dataSync`. Absent entries stay absent.
 */
export async function readScalars<K extends string>(
  ts: Record<K, ScalarRead>,
): Promise<Record<K, number>> {
  const out = {} as Record<K, number>;
  // Only webgpu needs the promise: elsewhere a synchronous read spares a promise per number.
  const sync = tf.getBackend() !== "webgpu";
  const read = new Map<tf.Tensor, ArrayLike<number>>();
  for (const key of Object.keys(ts) as K[]) {
    const entry = ts[key];
    if (!entry) continue;
    const [t, i] = entry instanceof tf.Tensor ? [entry, 0] : entry;
    let values = read.get(t);
    if (!values) read.set(t, values = (sync ? t.dataSync() : await t.data()) as ArrayLike<number>);
    out[key] = values[i];
  }
  tf.dispose([...read.keys()]);
  return out;
}
