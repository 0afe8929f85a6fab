/**
 * `Add` of a bias per channel (`x` of shape `[..., c]` plus `b` of shape
 * `[c]`: every conv layer's bias) on Duel's Rust kernel (kernels/src/bias.rs),
 * instead of tfjs-wasm's broadcasting loop (~0.28 ms on a `[64, 14, 14, 64]`
 * batch, five of them in a DCGAN step; this kernel ~0.14 ms on one thread),
 * split over the kernel threads by rows on the threaded build. Each element is the one f32 addition `x + b` either way,
 * so the bits are the built-in's (`bias_add_rust` in `KERNEL_FIXES`); every
 * other `Add` goes to the built-in.
 * @module
 */
import { type Info, type KernelFunc, offsetOf, wasmBackendOf } from "../wasm_backend.ts";
import { kernelsOn } from "./loader.ts";
import { runStreamed } from "./parts.ts";

/** Whether `Add(a, b)` is a float32 `[..., c] + [c]` (rank 2 or more, `c > 0`). */
export function isBiasAdd(a: Info, b: Info): boolean {
  const c = a.shape[a.shape.length - 1];
  return a.dtype === "float32" && b.dtype === "float32" && a.shape.length >= 2 &&
    b.shape.length === 1 && b.shape[0] === c && c > 0;
}

/**
 * `Add` on the Rust kernel where it adds a bias per channel (the built-in
 * otherwise).
 *
 * Inside Duel it is used as `tf.registerKernel({ kernelName: "Add", backendName: "wasm",
 * kernelFunc: rustBiasAdd(builtin) });`.
 */
export function rustBiasAdd(builtin?: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    if (!isBiasAdd(a, b)) return builtin!(args);
    const backend = wasmBackendOf(args);
    const out = backend.makeOutput([...a.shape], "float32");
    const cols = b.shape[0];
    const rows = a.shape.reduce((n, d) => n * d, 1) / cols;
    if (rows > 0) {
      const [x, bias, o] = [a, b, out].map((t) => offsetOf(backend, t));
      runStreamed(
        backend,
        "bias_add_f32_part",
        [x, bias, o, cols],
        rows,
        () => kernelsOn(backend).bias_add_f32(x, bias, o, rows, cols),
        cols,
      );
    }
    return out;
  };
}
