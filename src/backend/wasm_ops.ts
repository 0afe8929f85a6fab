/**
 * Calling the wasm backend's own kernels from inside a kernel replacement,
 * with every intermediate freed at the end (kernel functions run outside
 * tfjs's tensor tracking, so nothing else would free them).
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { type Info, type KernelArgs, wasmBackendOf } from "./wasm_backend.ts";

/**
 * A scratch scope: `run` calls a built-in wasm kernel and remembers its
 * output; `free` releases every remembered output except those passed to
 * `keep`.
 *
 * Inside a kernel: `const ops = new WasmOps(args)`, then `ops.run("Transpose", { x }, { perm:
 * [1, 0] })` per built-in kernel, `ops.keep(out)` for the result and `ops.free()` at the end.
 */
export class WasmOps {
  #temps: Info[] = [];
  /** @param args the arguments of the kernel call this scope serves */
  constructor(readonly args: KernelArgs) {}

  /** Runs the wasm backend's kernel `name` (not a replacement registered over it). */
  run(name: string, inputs: Record<string, Info> | Info[], attrs: Record<string, unknown>): Info {
    const kernel = tf.getKernel(name, "wasm");
    if (!kernel) throw new Error(`kernel ${name} is not registered for wasm`);
    const out = kernel.kernelFunc({
      inputs: inputs as unknown as tf.NamedTensorInfoMap,
      backend: this.args.backend,
      attrs: attrs as tf.NamedAttrMap,
    }) as Info;
    this.#temps.push(out);
    return out;
  }

  /** `x` reshaped (shares its data). */
  reshape(x: Info, shape: number[]): Info {
    return this.run("Reshape", { x }, { shape });
  }

  /** `x[begin : begin + size]`, or `x` itself when that is all of it. */
  slice(x: Info, begin: number[], size: number[]): Info {
    if (begin.every((b) => b === 0) && size.every((s, i) => s === x.shape[i])) return x;
    return this.run("Slice", { x }, { begin, size });
  }

  /** Takes `x` (made with the backend's `makeOutput`) into the scope, to be freed with it. */
  adopt(x: Info): Info {
    this.#temps.push(x);
    return x;
  }

  /** Marks `x` as the kernel's result: `free` leaves it alone. */
  keep(x: Info): Info {
    this.#temps = this.#temps.filter((t) => t !== x);
    return x;
  }

  /** Frees every intermediate not kept. */
  free(): void {
    const backend = wasmBackendOf(this.args);
    for (const t of this.#temps) backend.disposeData(t.dataId);
    this.#temps = [];
  }
}
