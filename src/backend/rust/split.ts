/**
 * How `matmul_f32` is split over kernel threads (`kernel_threads.ts`): by
 * blocks of C rows, or of columns when there are few rows, each a multiple of
 * the micro-tiles (rows: 4, the conv kernels' `MR`, a multiple of the
 * matmul's 2; columns: 16, the matmul's `MM_NR`; kernels/src/gemm/shape.rs); the conv
 * kernels split their GEMM rows the same way ({@link planRows}). Every element of
 * C is the same sum however it is split, so the bits never depend on the
 * thread count.
 * @module
 */

/**
 * Granularity of the split: rows, a multiple of both Rust micro-tiles' rows
 * (`MR` = 4 of the conv kernels, `MM_MR` = 2 of the matmul), and columns,
 * the matmul's `MM_NR` (kernels/src/gemm/shape.rs). Any bounds give the same
 * bits; these waste no SIMD lanes.
 */
export const MATMUL_TILE = { rows: 4, cols: 16 } as const;

/**
 * Tuning (bench/matmul_threads.ts --sizes, on the shared 2-core machine with
 * no free core: from the CPU time per call, 2 threads over 1, which bounds the
 * speed-up with a free core to 2 / that): 96³ 1.66x CPU (at most 1.2x faster),
 * 128³ 1.25x (1.6x), dense 64×256×256 1.23x (1.6x), 256³ 1.07x (1.87x).
 */
export const MATMUL_SPLIT = {
  /** Below this many multiply-adds (`batch·m·k·n`; 2^21 = 128³) a product stays on the calling thread. */
  minMacs: 2 ** 21,
  /**
   * Parts per thread. More would balance a busy core better, but each part
   * re-packs its panel of B, and a part of another thread's rows reads what
   * that thread's caches hold. With 1 instead of 2 (and each thread claiming
   * its own block first, `homeOrder` in job_block.ts), measured on
   * 2026-12-07 with both settings alternated in one process
   * (`bench/chain_parts.ts`, 2 threads, AMD EPYC with AVX-512F), median
   * steps: ring8 3.04 against 3.30 ms, toy2d 2.81 against 2.94, DCGAN 152.8
   * against 154.4.
   */
  partsPerThread: 1,
  /** Fewest multiply-adds per part. */
  minPartMacs: 2 ** 18,
} as const;

/** A split: the `matmul_f32` part export and the part bounds (rows of the stacked C, or columns). */
export interface MatmulSplit {
  /** Rows of the stacked C (`batch·m`), or columns of each C. */
  readonly fn: "matmul_f32_rows" | "matmul_f32_cols";
  /** Part `p` is `bounds[p]..bounds[p + 1]`; `0` first, the end last. */
  readonly bounds: readonly number[];
}

const roundTo = (x: number, step: number) => Math.round(x / step) * step;

/**
 * The split of a `batch × (m×k · k×n)` product over `threads` threads, or
 * `undefined` when it should stay on the calling thread (one thread, a small
 * product, or too few rows and columns for two parts).
 */
export function planMatmul(
  batch: number,
  m: number,
  k: number,
  n: number,
  threads: number,
): MatmulSplit | undefined {
  const macs = batch * m * k * n;
  if (threads < 2 || macs < MATMUL_SPLIT.minMacs) return undefined;
  const want = Math.min(
    threads * MATMUL_SPLIT.partsPerThread,
    Math.max(1, Math.floor(macs / MATMUL_SPLIT.minPartMacs)),
  );
  const rows = batch * m;
  const rowStrips = batch * Math.ceil(m / MATMUL_TILE.rows);
  const colStrips = Math.ceil(n / MATMUL_TILE.cols);
  // Rows unless there are fewer row strips than column strips and parts.
  const byRows = rowStrips >= want || rowStrips >= colStrips;
  const parts = Math.min(want, byRows ? rowStrips : colStrips);
  if (parts < 2) return undefined;
  const bounds = [0];
  for (let p = 1; p < parts; p++) {
    let b: number;
    if (byRows) {
      // The p-th share of the stacked rows, snapped to a micro-tile within its matrix.
      const x = (rows * p) / parts, i = Math.floor(x / m);
      b = i * m + Math.min(m, roundTo(x - i * m, MATMUL_TILE.rows));
    } else {
      b = Math.min(n, roundTo((n * p) / parts, MATMUL_TILE.cols));
    }
    if (b > bounds[bounds.length - 1]) bounds.push(b);
  }
  const end = byRows ? rows : n;
  if (end > bounds[bounds.length - 1]) bounds.push(end);
  if (bounds.length < 3) return undefined;
  return { fn: byRows ? "matmul_f32_rows" : "matmul_f32_cols", bounds };
}

/**
 * Part bounds of a kernel that computes any range of its `rows` output rows
 * (the conv kernels: output pixels, filter taps, input pixels) for a job of
 * `macs` multiply-adds over `threads` threads, each bound a multiple of the
 * micro-tile's rows; `undefined` when it should stay on the calling thread
 * (the same thresholds as {@link planMatmul}). Rows cost alike unless
 * `segments` says otherwise: runs of `[rows, cost of each]` in order (the
 * dense chains' stacked `dW` rows: a layer's rows cost its units), and then
 * each part gets an equal share of the cost, not of the rows.
 */
export function planRows(
  rows: number,
  macs: number,
  threads: number,
  segments: readonly (readonly [number, number])[] = [[rows, 1]],
): number[] | undefined {
  if (threads < 2 || macs < MATMUL_SPLIT.minMacs) return undefined;
  const parts = Math.min(
    threads * MATMUL_SPLIT.partsPerThread,
    Math.max(1, Math.floor(macs / MATMUL_SPLIT.minPartMacs)),
    Math.ceil(rows / MATMUL_TILE.rows),
  );
  const total = segments.reduce((sum, [n, cost]) => sum + n * cost, 0);
  const bounds = [0];
  let seg = 0, first = 0, before = 0; // the segment, its first row, the cost before it
  for (let p = 1; p < parts; p++) {
    const target = (total * p) / parts;
    while (seg < segments.length - 1 && before + segments[seg][0] * segments[seg][1] < target) {
      before += segments[seg][0] * segments[seg][1];
      first += segments[seg][0];
      seg++;
    }
    const [n, cost] = segments[seg];
    const at = first + Math.min(n, cost > 0 ? (target - before) / cost : n);
    const b = roundTo(at, MATMUL_TILE.rows);
    if (b > bounds[bounds.length - 1] && b < rows) bounds.push(b);
  }
  bounds.push(rows);
  return bounds.length < 3 ? undefined : bounds;
}

/**
 * Splitting a kernel that streams through memory (activations, a bias, batch
 * norm's output) over the kernel threads: by its items (elements or rows),
 * when its estimated time on one thread (items × ns each) is at least
 * `minNs`, in parts of at least `minPartNs`. Handing a job to a spinning worker
 * costs a few µs; to a sleeping one ~70-100 µs, which the caller does not wait
 * for (it claims the worker's part itself when it is done with its own).
 */
export const STREAM_SPLIT = {
  /** Below this estimated time on one thread, in ns, a call stays on the calling thread. */
  minNs: 20_000,
  /** Fewest ns of estimated work per part. */
  minPartNs: 10_000,
} as const;

/**
 * Part bounds for `items` items of `nsEach` ns each over `threads` threads,
 * each bound a multiple of `align` (a SIMD vector or a cache line of floats),
 * or `undefined` when the call should stay on the calling thread.
 */
export function planItems(
  items: number,
  nsEach: number,
  threads: number,
  align: number,
): number[] | undefined {
  const ns = items * nsEach;
  if (threads < 2 || ns < STREAM_SPLIT.minNs) return undefined;
  const parts = Math.min(
    threads * MATMUL_SPLIT.partsPerThread,
    Math.floor(ns / STREAM_SPLIT.minPartNs),
    Math.floor(items / align),
  );
  if (parts < 2) return undefined;
  const bounds = [0];
  for (let p = 1; p < parts; p++) {
    const b = roundTo((items * p) / parts, align);
    if (b > bounds[bounds.length - 1] && b < items) bounds.push(b);
  }
  bounds.push(items);
  return bounds.length < 3 ? undefined : bounds;
}
