/**
 * The kernels of the two peer workloads, by shape: the products and
 * convolutions a toy2d or DCGAN-MNIST step spends its time in. Duel's side
 * (`duel_kernels.ts`) and PyTorch's (`torch_kernels.py`, which reads the same
 * table as JSON) time each one.
 * @module
 */

/** One kernel call: a product `op(A)·op(B)` or a convolution's pass. */
export type KernelShape =
  | {
    readonly op: "matmul";
    readonly m: number;
    readonly k: number;
    readonly n: number;
    readonly transposeA: boolean;
    readonly transposeB: boolean;
  }
  | {
    /** conv2d forward, its input gradient (conv2d_transpose's forward) or filter gradient. */
    readonly op: "conv2d" | "conv2d_input" | "conv2d_filter";
    /** x `[n, h, w, cin]` (NHWC), W `[k, k, cin, cout]`, stride `s`, padding `pad`. */
    readonly x: readonly [number, number, number, number];
    readonly cout: number;
    readonly k: number;
    readonly s: number;
    readonly pad: number;
  };

/**
 * The peer workloads' heaviest kernels, by name. Convolutions are the
 * critic's second layer (and, as its transpose, the generator's first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KERNEL_SHAPES, kernelFlops } from "./kernel_shapes.ts";
 * assert.equal(kernelFlops(KERNEL_SHAPES["matmul 512³"]), 2 * 512 ** 3);
 * ```
 */
export const KERNEL_SHAPES: Record<string, KernelShape> = {
  "matmul 512³": { op: "matmul", m: 512, k: 512, n: 512, transposeA: false, transposeB: false },
  "matmul 512³ Aᵀ·B": { op: "matmul", m: 512, k: 512, n: 512, transposeA: true, transposeB: false },
  "toy2d dense dW (256×128)ᵀ·(256×128)": {
    op: "matmul",
    m: 128,
    k: 256,
    n: 128,
    transposeA: true,
    transposeB: false,
  },
  "toy2d dense dx (256×128)·(128×128)ᵀ": {
    op: "matmul",
    m: 256,
    k: 128,
    n: 128,
    transposeA: false,
    transposeB: true,
  },
  "DCGAN dense (64×64)·(64×6272)": {
    op: "matmul",
    m: 64,
    k: 64,
    n: 6272,
    transposeA: false,
    transposeB: false,
  },
  "DCGAN conv 14²×64→7²×128": { op: "conv2d", x: [64, 14, 14, 64], cout: 128, k: 4, s: 2, pad: 1 },
  "DCGAN conv input grad (convT 7²×128→14²×64)": {
    op: "conv2d_input",
    x: [64, 14, 14, 64],
    cout: 128,
    k: 4,
    s: 2,
    pad: 1,
  },
  "DCGAN conv filter grad": {
    op: "conv2d_filter",
    x: [64, 14, 14, 64],
    cout: 128,
    k: 4,
    s: 2,
    pad: 1,
  },
};

/** Output size of a convolution axis. */
export function convOut(len: number, k: number, s: number, pad: number): number {
  return Math.floor((len + 2 * pad - k) / s) + 1;
}

/** Multiply-adds × 2 of one call. */
export function kernelFlops(shape: KernelShape): number {
  if (shape.op === "matmul") return 2 * shape.m * shape.k * shape.n;
  const [n, h, w, cin] = shape.x;
  const [oh, ow] = [
    convOut(h, shape.k, shape.s, shape.pad),
    convOut(w, shape.k, shape.s, shape.pad),
  ];
  return 2 * n * oh * ow * shape.k * shape.k * cin * shape.cout;
}
