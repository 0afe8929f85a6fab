/**
 * Where the KDE's density (src/metrics/kde_density.ts) is computed: its kernel values
 * (`kde_values.ts`, JavaScript's `Math.exp`) and its grid sums (kernels/src/kde.rs,
 * `kde_sums_f64`) on the kernel threads of the threaded wasm backend, in its memory,
 * when that backend is active; else in Duel's scratch memory (`scratch.ts`) on the
 * calling thread; or in plain JavaScript where the kernels are not loaded. Each value
 * depends on its own sample, and each cell adds its products in sample order however
 * the rows are split, so every way gives the same bits.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import { THREADED_BACKEND_NAME } from "../threads.ts";
import { memoryOf, type WasmBackend } from "../wasm_backend.ts";
import { boundRustKernels } from "./bound.ts";
import { kdeValues, type KdeValuesArgs } from "./kde_values.ts";
import type { KernelThreads } from "./kernel_threads.ts";
import { rustKernelsLoaded } from "./loader.ts";
import { scratch } from "./scratch.ts";

/** Rows and columns of `kde_sums_f64`'s tile: a grid's sides are padded to multiples of it. */
export const KDE_TILE = 4;

/**
 * Kernel-value evaluations (`samples · (nx + ny)`) below which a call stays on the calling
 * thread: sharing it out costs a few µs, about as much as ~1,000 of them.
 */
const MIN_SPLIT = 4096;

/** Zeroed doubles, and the KDE's two steps on them; pointers are indices into {@link f64}. */
export interface KdeSpace {
  /** The space (zeroed when made); valid until {@link free}. */
  readonly f64: Float64Array;
  /**
   * The kernel values of samples `0..count` (`kde_values.ts`, `kdeValues`, with indices into
   * {@link f64} for its byte offsets): the samples at `samples` (x, y pairs), the grid points
   * at `xs` and `ys`, values to `gx` (`count × rows`) and `gy` (`count × cols`).
   */
  values(...args: [...KdeValuesArgs, count: number]): void;
  /**
   * `f64[sums + i * cols + j] += f64[gx + k * rows + i] * f64[gy + k * cols + j]` for every
   * cell, `k` in `0..count` in order; `rows` and `cols` multiples of {@link KDE_TILE}.
   */
  sums(sums: number, gx: number, gy: number, rows: number, cols: number, count: number): void;
  /** Gives the space back (the tfjs backend's memory) or leaves it (scratch, JavaScript). */
  free(): void;
}

/** `n` split into `parts` near-equal ranges whose bounds are multiples of `step`. */
function bounds(n: number, parts: number, step: number): number[] {
  const units = n / step;
  return Array.from({ length: parts + 1 }, (_, p) => Math.round((units * p) / parts) * step);
}

/** The active tfjs backend and its kernel threads, when it is Duel's threaded wasm backend. */
function threadedBackend(): { backend: WasmBackend; threads: KernelThreads } | undefined {
  if (tf.getBackend() !== THREADED_BACKEND_NAME) return undefined;
  const backend = tf.backend() as unknown as WasmBackend;
  const threads = boundRustKernels(backend).threads;
  return threads ? { backend, threads } : undefined;
}

/**
 * A zeroed {@link KdeSpace} of `doubles`: on the threaded wasm backend's memory and its
 * kernel threads when `rust` (by default, where the kernels are loaded) and that backend
 * is active; else on the scratch memory (`scratch.ts`: use it before the next scratch
 * call); else (`rust` false) a plain array, its sums in a JavaScript loop.
 */
export function kdeSpace(doubles: number, rust = rustKernelsLoaded()): KdeSpace {
  const threaded = rust ? threadedBackend() : undefined;
  if (threaded) return threadedSpace(doubles, threaded.backend, threaded.threads);
  if (!rust) {
    const f64 = new Float64Array(doubles);
    return {
      f64,
      values: (...args) => valuesOn(f64.buffer, 0, 0, args),
      sums: (s, x, y, rows, cols, count) => sumsJs(f64, s, x, y, rows, cols, count),
      free: () => {},
    };
  }
  const { kernels, buffer } = scratch(doubles * 8);
  const f64 = new Float64Array(buffer, 0, doubles).fill(0);
  return {
    f64,
    values: (...args) => valuesOn(buffer, 0, 0, args),
    sums: (s, x, y, rows, cols, count) =>
      kernels.kde_sums_f64(8 * s, 8 * x, 8 * y, rows, cols, count, 0, 0, rows),
    free: () => {},
  };
}

/** The values' arguments as {@link KdeSpace.values} takes them. */
type ValuesArgs = Parameters<KdeSpace["values"]>;

/** {@link kdeValues}' arguments (byte offsets from `at`, the space's start) for `args`. */
function valuesArgs(at: number, args: ValuesArgs): KdeValuesArgs {
  const [samples, xs, ys, nx, ny, rows, cols, h, gx, gy] = args;
  const byte = (i: number) => at + 8 * i;
  return [byte(samples), byte(xs), byte(ys), nx, ny, rows, cols, h, byte(gx), byte(gy)];
}

/** {@link kdeValues} on the calling thread over all `count` samples. */
function valuesOn(buffer: ArrayBufferLike, at: number, work: number, args: ValuesArgs): void {
  kdeValues(buffer, ...valuesArgs(at, args), work, 0, args[10]);
}

/** A {@link KdeSpace} in the threaded backend's memory, its steps shared out to `threads`. */
function threadedSpace(doubles: number, backend: WasmBackend, threads: KernelThreads): KdeSpace {
  const at = backend.wasm._malloc(doubles * 8) >>> 0;
  const memory = memoryOf(backend);
  // After the allocation: it may have grown the memory (a new buffer).
  const f64 = new Float64Array(memory.buffer, at, doubles).fill(0);
  const parts = threads.threads;
  return {
    f64,
    values: (...args) => {
      const [count, nx, ny] = [args[10], args[3], args[4]];
      if (count * (nx + ny) < MIN_SPLIT) return valuesOn(memory.buffer, at, 0, args);
      threads.run("kde_values", valuesArgs(at, args), bounds(count, 2 * parts, 1));
    },
    sums: (s, x, y, rows, cols, count) => {
      const split = count * rows * cols < MIN_SPLIT * 64 ? 1 : parts;
      const byte = (i: number) => at + 8 * i;
      threads.run(
        "kde_sums_f64",
        [byte(s), byte(x), byte(y), rows, cols, count],
        bounds(rows, split, KDE_TILE),
      );
    },
    free: () => backend.wasm._free(at),
  };
}

/**
 * The kernel's sums in JavaScript, in the same order: each 2 x 4 tile of cells in locals while
 * the samples are added to it (a loop over samples, then cells, measured slower).
 */
function sumsJs(
  f: Float64Array,
  sums: number,
  gx: number,
  gy: number,
  rows: number,
  cols: number,
  count: number,
): void {
  for (let i = 0; i < rows; i += 2) {
    for (let j = 0; j < cols; j += 4) {
      const c0 = sums + i * cols + j, c1 = c0 + cols;
      let s00 = f[c0], s01 = f[c0 + 1], s02 = f[c0 + 2], s03 = f[c0 + 3];
      let s10 = f[c1], s11 = f[c1 + 1], s12 = f[c1 + 2], s13 = f[c1 + 3];
      for (let k = 0, x = gx + i, y = gy + j; k < count; k++, x += rows, y += cols) {
        const a0 = f[x], a1 = f[x + 1];
        const b0 = f[y], b1 = f[y + 1], b2 = f[y + 2], b3 = f[y + 3];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s02 += a0 * b2;
        s03 += a0 * b3;
        s10 += a1 * b0;
        s11 += a1 * b1;
        s12 += a1 * b2;
        s13 += a1 * b3;
      }
      f[c0] = s00;
      f[c0 + 1] = s01;
      f[c0 + 2] = s02;
      f[c0 + 3] = s03;
      f[c1] = s10;
      f[c1 + 1] = s11;
      f[c1 + 2] = s12;
      f[c1 + 3] = s13;
    }
  }
}
