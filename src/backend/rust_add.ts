/**
 * `Add` of float32 tensors of one shape, or of a tensor and a vector along its
 * last axis (a dense or conv layer's bias, either operand), on the Rust kernel
 * (kernels/src/add.rs): one f32 add per element, the built-in's bits, without
 * tfjs-wasm's broadcasting loop (~1.7 ns per element; same shapes ~1.2 ns).
 * Other broadcasts go to the built-in (`add_rust` in `KERNEL_FIXES`).
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { kernelsOn, offsetOf, wasmBackendOf } from "./wasm_backend.ts";

type KernelFunc = tf.KernelConfig["kernelFunc"];
type Info = tf.TensorInfo;

/** The export this file uses (kernels/src/lib.rs). */
interface AddKernels {
  add_f32(a: number, b: number, out: number, rows: number, cols: number, bRows: number): void;
}

/** How the kernel computes `a + b`: `rows × cols` of `first` plus `second` (1 or `rows` rows). */
export interface AddPlan {
  /** Which input is the `rows × cols` one. */
  readonly first: "a" | "b";
  readonly rows: number;
  readonly cols: number;
  /** 1: the other input has every row too; 0: one row of `cols`, added to each. */
  readonly bRows: 0 | 1;
  /** The output's shape (the broadcast shape). */
  readonly shape: number[];
}

const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
/** `shape` without leading 1s. */
const trim = (shape: readonly number[]) => shape.slice(shape.findIndex((d) => d !== 1) >>> 0);

/**
 * The kernel's plan for `a + b` by shape, or `undefined` for the broadcasts it
 * does not cover (the built-in runs them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { addPlan } from "./rust_add.ts";
 * assert.deepEqual(addPlan([64, 7, 7, 128], [128]), {
 *   first: "a", rows: 64 * 49, cols: 128, bRows: 0, shape: [64, 7, 7, 128],
 * });
 * assert.equal(addPlan([2, 3], [2, 3])?.bRows, 1);
 * assert.equal(addPlan([128], [256, 128])?.first, "b");
 * assert.equal(addPlan([4, 3], [4, 1]), undefined); // a column: the built-in
 * ```
 */
export function addPlan(a: readonly number[], b: readonly number[]): AddPlan | undefined {
  let shape: number[];
  try {
    shape = tf.backend_util.assertAndGetBroadcastShape([...a], [...b]);
  } catch {
    return undefined;
  }
  const n = size(shape);
  if (size(a) === n && size(b) === n) {
    return { first: "a", rows: 1, cols: n, bRows: 1, shape };
  }
  for (const [big, vec, first] of [[a, b, "a"], [b, a, "b"]] as const) {
    const cols = big[big.length - 1];
    const v = trim(vec);
    if (
      size(big) === n && cols > 0 && (v.length === 0 ? cols === 1 : v.length === 1 && v[0] === cols)
    ) {
      return { first, rows: n / cols, cols, bRows: 0, shape };
    }
  }
  return undefined;
}

/**
 * `Add` on the Rust kernel for float32 tensors of one shape or with a bias
 * along the last axis (the built-in otherwise).
 *
 * @example
 * ```ts ignore
 * tf.registerKernel({ kernelName: "Add", backendName: "wasm", kernelFunc: rustAdd(builtin) });
 * ```
 */
export function rustAdd(builtin?: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: Info; b: Info };
    const plan = a.dtype === "float32" && b.dtype === "float32"
      ? addPlan(a.shape, b.shape)
      : undefined;
    if (!plan) return builtin!(args);
    const backend = wasmBackendOf(args);
    const out = backend.makeOutput(plan.shape, "float32");
    if (plan.rows * plan.cols > 0) {
      const [x, y] = plan.first === "a" ? [a, b] : [b, a];
      const at = (t: Info) => offsetOf(backend, t);
      kernelsOn<AddKernels>(backend).add_f32(
        at(x),
        at(y),
        at(out),
        plan.rows,
        plan.cols,
        plan.bRows,
      );
    }
    return out;
  };
}
