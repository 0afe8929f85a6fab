/**
 * The generator's exponential moving average on Duel's Rust kernels
 * (kernels/src/ema.rs): one tfjs kernel call, `DuelEma`, averages every
 * parameter (`avg = decay · avg + (1 - decay) · param`) instead of three tfjs
 * kernels per parameter, in the bits of the tfjs formulation. Registered on
 * the wasm backends by `KERNEL_FIXES` (`ema_rust`, so `setKernelFix` turns it
 * off); {@link updateEma} uses it where the active backend has it. New
 * averages go to fresh buffers, which the variables are then assigned, as for
 * the optimisers (`optimizers.ts`).
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import { type Info, type KernelArgs, memoryOf, offsetOf, wasmBackendOf } from "../wasm_backend.ts";
import { kernelsOn } from "./loader.ts";
import { boundRustKernels } from "./bound.ts";
import { CHUNK, ownedAlone, partBounds, pushPieces } from "./optimizers.ts";
import { inputKey } from "./input_keys.ts";

/**
 * The kernel averaging every parameter in one call: inputs `p<i>`, `a<i>`; attr `decay` (and
 * `inPlace`: the new averages written over `a<i>`, no outputs).
 */
export const EMA_KERNEL = "DuelEma";

/** `u32`s per table entry: `[param, avg, avg out, len]` (kernels/src/ema.rs `ENTRY`). */
export const EMA_TABLE_ENTRY = 4;

/** `DuelEma` on the Rust kernel: outputs the new averages, in input order (none in place). */
export function emaKernel(args: KernelArgs): Info[] {
  const backend = wasmBackendOf(args);
  const inputs = args.inputs as Record<string, Info | undefined>;
  const { decay, inPlace } = args.attrs as { decay: number; inPlace?: boolean };
  const threads = boundRustKernels(backend).threads; // large calls split over them
  const flat: number[] = [], sizes: number[] = [], outs: Info[] = [];
  for (let i = 0; inputs[inputKey("p", i)]; i++) {
    const p = inputs[inputKey("p", i)]!, a = inputs[inputKey("a", i)];
    const len = tf.util.sizeFromShape(p.shape);
    if (
      !a || a.dtype !== "float32" || p.dtype !== "float32" || tf.util.sizeFromShape(a.shape) !== len
    ) {
      throw new Error(`${EMA_KERNEL}: p${i} and a${i} must be float32 tensors of ${len} values`);
    }
    const out = inPlace ? a : backend.makeOutput([...a.shape], "float32");
    if (!inPlace) outs.push(out);
    const pointers = [offsetOf(backend, p), offsetOf(backend, a), offsetOf(backend, out)];
    pushPieces(flat, sizes, pointers, len, threads ? CHUNK : Infinity);
  }
  const table = backend.wasm._malloc(Math.max(sizes.length, 1) * EMA_TABLE_ENTRY * 4) >>> 0;
  try {
    // After every makeOutput: an allocation can grow the memory (a new buffer).
    new Uint32Array(memoryOf(backend).buffer, table, flat.length).set(flat);
    // 1 - decay in float64, then f32, as tfjs rounds the scalar of mul(1 - decay, param).
    const bounds = threads && partBounds(sizes, threads.threads);
    if (bounds) threads.run("ema_f32_part", [table, decay, 1 - decay], bounds);
    else kernelsOn(backend).ema_f32(table, sizes.length, decay, 1 - decay);
  } finally {
    backend.wasm._free(table);
  }
  return outs;
}

/**
 * `avg = decay · avg + (1 - decay) · param` for every pair, assigned to the
 * averages: one Rust kernel where the active backend has {@link EMA_KERNEL}
 * (over the averages' own buffers where each owns its buffer alone:
 * `ownedAlone`), else `add(mul(decay, avg), mul(1 - decay, param))` per
 * pair; same bits.
 */
export function updateEma(
  avgs: readonly tf.Variable[],
  params: readonly tf.Variable[],
  decay: number,
): void {
  if (avgs.length !== params.length) {
    throw new Error(`updateEma: ${avgs.length} averages for ${params.length} parameters`);
  }
  const fused = tf.getKernel(EMA_KERNEL, tf.getBackend()) !== undefined &&
    params.every((p, i) => p.dtype === "float32" && avgs[i].dtype === "float32");
  if (!fused) {
    tf.tidy(() =>
      params.forEach((p, i) => avgs[i].assign(tf.add(tf.mul(decay, avgs[i]), tf.mul(1 - decay, p))))
    );
    return;
  }
  if (params.length === 0) return;
  const inputs: Record<string, tf.Tensor> = {};
  params.forEach((p, i) => (inputs[inputKey("p", i)] = p, inputs[inputKey("a", i)] = avgs[i]));
  if (ownedAlone(avgs)) {
    // Over the averages' own buffers: the registered kernel function, outside the engine.
    const kernel = tf.getKernel(EMA_KERNEL, tf.getBackend())!.kernelFunc;
    const attrs = { decay, inPlace: true } as unknown as tf.NamedAttrMap;
    kernel({ inputs, attrs, backend: tf.engine().backend });
    return;
  }
  const attrs = { decay } as unknown as tf.NamedAttrMap;
  const outs = tf.engine().runKernel(EMA_KERNEL, inputs, attrs) as tf.Tensor[];
  outs.forEach((out, i) => {
    avgs[i].assign(out);
    out.dispose();
  });
}
