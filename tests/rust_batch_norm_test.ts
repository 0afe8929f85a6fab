import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import {
  BATCH_NORM_GRAD_KERNEL,
  BATCH_NORM_KERNEL,
  batchNorm,
} from "../src/backend/rust/batch_norm.ts";
import type { RustKernels as BatchNormKernels } from "../src/backend/rust/abi.ts";
import { useBackend } from "../src/backend/tfjs.ts";
import { onAndOff } from "./_kernel_fixes.ts";
import { normals, onMemory } from "./_wasm_memory.ts";

await useBackend("wasm");

const ROWS = [1, 3, 17, 64];
const COLS = [0, 1, 3, 4, 5, 15, 16, 17, 64, 131];
const EPS = 1e-5;

/**
 * Float64 batch norm over a row-major `rows × cols` x: forward, the gradient
 * for `dy`, and the scale of `dx`'s terms (`max |dy gamma / σ|`: with two rows
 * `dx` is 0 up to cancellation, so its error is measured against that).
 */
function float64(x: Float32Array, gamma: Float32Array, dy: Float32Array, rows: number) {
  const cols = gamma.length;
  const y = new Float64Array(x.length), dx = new Float64Array(x.length);
  const dgamma = new Float64Array(cols), dbeta = new Float64Array(cols);
  let dxScale = 0;
  for (let j = 0; j < cols; j++) {
    let m = 0, v = 0;
    for (let i = 0; i < rows; i++) m += x[i * cols + j] / rows;
    for (let i = 0; i < rows; i++) v += (x[i * cols + j] - m) ** 2 / rows;
    const inv = 1 / Math.sqrt(v + EPS);
    const xhat = (i: number) => (x[i * cols + j] - m) * inv;
    for (let i = 0; i < rows; i++) {
      y[i * cols + j] = xhat(i) * gamma[j];
      dbeta[j] += dy[i * cols + j];
      dgamma[j] += dy[i * cols + j] * xhat(i);
    }
    for (let i = 0; i < rows; i++) {
      const g = dy[i * cols + j];
      dxScale = Math.max(dxScale, Math.abs(g * gamma[j] * inv));
      dx[i * cols + j] = (g - dbeta[j] / rows - xhat(i) * dgamma[j] / rows) * gamma[j] * inv;
    }
  }
  return { y, dx, dgamma, dbeta, dxScale };
}

/** Largest |a - b| over the largest |b| or `scale`, whichever is larger. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>, scale = 0): number {
  let d = 0, s = scale;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return s === 0 ? d : d / s;
}

Deno.test("batch_norm_f32 and batch_norm_grad_f32 equal their scalar references bit for bit", () => {
  for (const rows of ROWS) {
    for (const cols of COLS) {
      const n = rows * cols, at = `${rows}x${cols}`;
      const x = normals(n, `x${at}`), dy = normals(n, `dy${at}`);
      const gamma = normals(cols, `g${at}`), beta = normals(cols, `b${at}`);
      // Forward, then backward from the forward's own statistics, in the free space.
      const outputs = ["y", "mean", "variance", "dx", "dgamma", "dbeta"] as const;
      const sizes = {
        y: n,
        mean: cols,
        variance: cols,
        scratch: 4 * cols,
        dx: n,
        dgamma: cols,
        dbeta: cols,
      };
      const run = (ref: boolean) => {
        const layout = {} as Record<keyof typeof sizes, number>;
        const memory = onMemory<BatchNormKernels>(
          [x, dy, gamma, beta],
          (k, [px, pdy, pg, pb, free]) => {
            for (const [name, floats] of Object.entries(sizes)) {
              layout[name as keyof typeof sizes] = free;
              free += 4 * floats + 16;
            }
            const { y, mean, variance, scratch, dx, dgamma, dbeta } = layout;
            const [forward, backward] = ref
              ? [k.batch_norm_f32_ref, k.batch_norm_grad_f32_ref]
              : [k.batch_norm_f32, k.batch_norm_grad_f32];
            forward(px, pg, pb, y, mean, variance, scratch, rows, cols, EPS);
            backward(pdy, px, mean, variance, pg, dx, dgamma, dbeta, scratch, rows, cols, EPS);
          },
          2 * n + 8 * cols + 32,
        );
        // Every output and its 16-byte gap (a write out of bounds shows); not the scratch.
        return outputs.map((o) =>
          Array.from(memory.slice(layout[o] / 4, layout[o] / 4 + sizes[o] + 4))
        );
      };
      assert.deepEqual(run(false), run(true), at);
    }
  }
});

Deno.test("the Rust batch norm is close to float64, forward and backward", () => {
  for (const [rows, cols] of [[64, 131], [17, 16], [3, 5], [2, 1]]) {
    const x = normals(rows * cols, `fx${rows}`), dy = normals(rows * cols, `fdy${rows}`);
    const gamma = normals(cols, `fg${rows}`);
    const want = float64(x, gamma, dy, rows);
    const xt = tf.tensor2d(x, [rows, cols]), g = tf.tensor1d(gamma), b = tf.zeros([cols]);
    const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNorm(x, g, b, EPS).y;
    const { value, grads } = tf.valueAndGrads(f)([xt, g, b], tf.tensor2d(dy, [rows, cols]));
    const at = `${rows} x ${cols}`;
    assert.ok(relError(value.dataSync(), want.y) < 1e-5, `y ${at}`);
    assert.ok(relError(grads[0].dataSync(), want.dx, want.dxScale) < 1e-5, `dx ${at}`);
    assert.ok(relError(grads[1].dataSync(), want.dgamma) < 1e-5, `dgamma ${at}`);
    assert.ok(relError(grads[2].dataSync(), want.dbeta) < 1e-5, `dbeta ${at}`);
  }
});

Deno.test("batch norm on the Rust kernels: tfjs's forward bits, its gradients to rounding, second order too", () => {
  assert.ok(
    tf.getKernel(BATCH_NORM_KERNEL, "wasm") && tf.getKernel(BATCH_NORM_GRAD_KERNEL, "wasm"),
  );
  for (const shape of [[64, 49], [8, 5, 5, 16], [3, 7, 5], [4, 3]]) {
    const size = tf.util.sizeFromShape(shape), c = shape[shape.length - 1];
    const x = tf.tensor(normals(size, `lx${shape}`), shape);
    const w = tf.tensor(normals(size, `lw${shape}`), shape);
    const gamma = tf.tensor1d(normals(c, `lg${shape}`)),
      beta = tf.tensor1d(normals(c, `lb${shape}`));
    const { on, off } = onAndOff(["batch_norm_rust", "batch_norm_grad_rust"], () =>
      tf.tidy(() => {
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(batchNorm(x, g, b, EPS).y, w));
        const { y, mean, variance } = batchNorm(x, gamma, beta, EPS);
        const grads = tf.grads(f)([x, gamma, beta]);
        // A gradient penalty's shape: the gradient's norm, differentiated again.
        const penalty = (g: tf.Tensor) =>
          tf.sum(tf.square(tf.grad((x: tf.Tensor) => f(x, g, beta))(x)));
        const second = tf.grad(penalty)(gamma);
        return [y, mean, variance, ...grads, second].map((t) => Array.from(t.dataSync()));
      }));
    const [forward, backward] = [[0, 1, 2], [3, 4, 5, 6]];
    for (const i of forward) assert.deepEqual(on[i], off[i], `${shape} output ${i}`);
    for (const i of backward) {
      assert.ok(
        relError(on[i], off[i]) < 1e-5,
        `${shape} gradient ${i}: ${relError(on[i], off[i])}`,
      );
    }
  }
});
