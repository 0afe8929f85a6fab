/**
 * The control block the kernel threads share (`kernel_threads.ts`), and how a
 * job's parts are claimed and run on it: the caller publishes a job
 * ({@link publishJob}), every thread claims parts ({@link runParts}, in
 * {@link homeOrder}) until none is left, and waits with {@link waitChange}.
 * One `SharedArrayBuffer`: int32 slots, one flag per part, the job word, then
 * float64 slots (arguments, bounds, workspaces, part times) and an error message.
 * @module
 */

/** The most threads (tfjs's threaded build caps its pool at 8). */
export const MAX_KERNEL_THREADS = 8;
/** The most parts a job may have. */
export const MAX_PARTS = 256;
/** The most arguments a job passes before `work, lo, hi`. */
export const MAX_ARGS = 32;
/**
 * How long a waiting thread spins (checking the word it waits on) before it
 * sleeps on a futex, in ms. A futex wake took 70-100 µs on the 2-core VMs of
 * bench/peer (a 256-row product split in two: 103 µs back to back, 170 µs
 * after a 0.2 ms pause), longer than half a ring8 chain pass, so a worker that
 * sleeps between the ~12 kernel calls of a step gives back most of the second
 * core. A worker therefore spins {@link SPIN_MS} (0.5 and 2 measured alike):
 * through the gaps of a step (tfjs's ops between kernel calls, 0.05-0.5 ms),
 * not through an evaluation or a checkpoint, after which it sleeps (at most
 * {@link SPIN_MS} of a core burnt per burst of jobs). The caller, waiting for
 * parts it handed out, spins {@link SPIN_DONE_MS}: its core has nothing else
 * to do until they are done. Measured on the README's ring8 step at 2 threads
 * (bench/peer/duel_step.ts, interleaved runs): 3.8-3.9 ms medians with a 25 µs
 * spin, 3.3-3.5 ms with these; the DCGAN step unchanged.
 */
export const SPIN_MS = 1;
/** See {@link SPIN_MS}. */
export const SPIN_DONE_MS = 20;
/** Atomic loads between two reads of the clock while spinning (~12 ns each). */
const SPIN_CHECK = 64;

/** Int32 slots of the control block. */
export const I32 = {
  /** Bumped per job (and on stop): what sleeping workers wait on. */
  gen: 0,
  /** Parts finished in the current job. */
  done: 1,
  /** 0, or 1 + the thread whose part failed first. */
  error: 2,
  /** 1 once the pool is disposed. */
  stop: 3,
  /** Index of the job's export in {@link exportNames}. */
  fn: 4,
  /** Arguments of the job before `work, lo, hi`. */
  nargs: 5,
  /** Bytes of the error message. */
  errorLength: 6,
  /** Workers that have started (instance made, waiting for jobs). */
  ready: 7,
  /** Threads of the pool (the home blocks of {@link homeOrder}). */
  threads: 8,
  /** 1: parts are claimed in {@link homeOrder}; 0: in order (diagnostics, see `KernelThreads.homeParts`). */
  home: 9,
  /** 1: each part's time is added to its thread's total (diagnostics, see `KernelThreads.timeParts`). */
  timing: 10,
  /** Parts each thread has run, from here on (diagnostics). */
  partsRun: 11,
} as const;
/** Per part, the tag of the job that claimed it last (see {@link runParts}). */
const FLAGS_AT = I32.partsRun + MAX_KERNEL_THREADS;
const I32_SLOTS = FLAGS_AT + MAX_PARTS;
/** Byte offsets of the rest of the block. */
const WORD_AT = Math.ceil(I32_SLOTS / 2) * 8; // the job word, one BigInt64 (8-aligned): job tag << 32 | parts
const F64_AT = WORD_AT + 8; // args, then bounds, then workspaces, then each thread's part time
const BOUNDS_AT = MAX_ARGS;
export const WORK_AT = MAX_ARGS + MAX_PARTS + 1;
/** Milliseconds each thread has spent in parts while timed (diagnostics; each thread adds to its own). */
export const BUSY_AT = WORK_AT + MAX_KERNEL_THREADS;
const F64_SLOTS = BUSY_AT + MAX_KERNEL_THREADS;
const MESSAGE_AT = F64_AT + F64_SLOTS * 8;
const MESSAGE_BYTES = 1024;
export const BLOCK_BYTES = MESSAGE_AT + MESSAGE_BYTES;

/** Views of the control block, the same on every thread. */
export interface Block {
  readonly i32: Int32Array;
  /** The job word: the current job's tag and part count. */
  readonly word: BigInt64Array;
  readonly f64: Float64Array;
  readonly message: Uint8Array;
}

export function views(sab: SharedArrayBuffer): Block {
  return {
    i32: new Int32Array(sab, 0, I32_SLOTS),
    word: new BigInt64Array(sab, WORD_AT, 1),
    f64: new Float64Array(sab, F64_AT, F64_SLOTS),
    message: new Uint8Array(sab, MESSAGE_AT, MESSAGE_BYTES),
  };
}

/** The function exports of `module`, in its order: jobs name their export by index in it. */
export function exportNames(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
}

export type Export = (...args: number[]) => void;

/**
 * The `k`-th part thread `thread` of `threads` tries to claim of a job of
 * `parts`: its home block first (`parts` shared in `threads` contiguous
 * blocks, in thread order), in order; then the others' parts from the last
 * backwards, so it takes from the end of another's block while that thread
 * works from the start. A thread thus runs the same rows of the batch in
 * consecutive passes when the others keep up (its caches hold what it
 * wrote), and any part left over goes to whoever is free. With `home` off,
 * every thread tries the parts in order.
 *
 * Measured with `bench/chain_parts.ts` (the orders alternated in one process,
 * 2 threads, 2026-12-07), median steps, home blocks against in order: with 1
 * part a thread (the default split) ring8 3.04 against 3.23 ms, toy2d 2.81
 * against 2.80; with 2 parts a thread ring8 3.30 against 3.39, toy2d 2.94
 * against 2.94. It matters most where a worker is late or with more threads.
 */
export function homeOrder(
  thread: number,
  threads: number,
  parts: number,
  k: number,
  home = true,
): number {
  if (!home) return k;
  const lo = Math.floor((thread * parts) / threads);
  const hi = Math.floor(((thread + 1) * parts) / threads);
  if (k < hi - lo) return lo + k;
  const q = parts - 1 - (k - (hi - lo));
  return q >= hi ? q : q - (hi - lo);
}

/**
 * Claims and runs parts of the current job until none is left (the caller and
 * every worker run this). The job word holds the job's tag (its number, as
 * an int32) and its part count, read at once; a part is claimed by moving its
 * flag from an older tag to this job's with a compare-exchange. A thread that
 * read the word of a job already finished finds every flag at that tag or
 * newer and claims nothing, so a successful claim proves the job still open
 * and its fields unchanged until that part is done. Parts are tried in
 * {@link homeOrder}.
 */
export function runParts(block: Block, fns: readonly Export[], thread: number): void {
  const { i32, word } = block;
  const v = Atomics.load(word, 0);
  const tag = Number(BigInt.asIntN(32, v >> 32n)), parts = Number(v & 0xffffn);
  const threads = Atomics.load(i32, I32.threads), home = Atomics.load(i32, I32.home) === 1;
  for (let k = 0; k < parts; k++) {
    const part = homeOrder(thread, threads, parts, k, home);
    const at = FLAGS_AT + part;
    let flag = Atomics.load(i32, at);
    // Tags wrap (int32): "older" is a positive difference.
    while (((tag - flag) | 0) > 0) {
      const seen = Atomics.compareExchange(i32, at, flag, tag);
      if (seen === flag) {
        runPart(block, fns, thread, part);
        break;
      }
      flag = seen;
    }
  }
}

/** Runs part `part` of the current job on `thread`, counts it done, records an error. */
function runPart(block: Block, fns: readonly Export[], thread: number, part: number): void {
  const { i32, f64 } = block;
  const nargs = Atomics.load(i32, I32.nargs);
  const args = Array.from(f64.subarray(0, nargs));
  // Two clock reads a part only when asked: each is a call into Deno (about 1 µs).
  const timed = Atomics.load(i32, I32.timing) === 1;
  const start = timed ? performance.now() : 0;
  try {
    fns[Atomics.load(i32, I32.fn)](
      ...args,
      f64[WORK_AT + thread],
      f64[BOUNDS_AT + part],
      f64[BOUNDS_AT + part + 1],
    );
  } catch (e) {
    if (Atomics.compareExchange(i32, I32.error, 0, thread + 1) === 0) {
      const text = new TextEncoder().encode(String((e as Error)?.message ?? e));
      const n = Math.min(text.length, MESSAGE_BYTES);
      block.message.set(text.subarray(0, n));
      Atomics.store(i32, I32.errorLength, n);
    }
  }
  if (timed) f64[BUSY_AT + thread] += performance.now() - start;
  Atomics.add(i32, I32.partsRun + thread, 1);
  Atomics.add(i32, I32.done, 1);
  Atomics.notify(i32, I32.done);
}

/** Waits (spinning up to `spinMs` first) until `i32[index]` differs from `seen`; returns it. */
export function waitChange(i32: Int32Array, index: number, seen: number, spinMs: number): number {
  const until = performance.now() + spinMs;
  for (;;) {
    for (let i = 0; i < SPIN_CHECK; i++) {
      const v = Atomics.load(i32, index);
      if (v !== seen) return v;
    }
    if (performance.now() >= until) break;
  }
  Atomics.wait(i32, index, seen);
  return Atomics.load(i32, index);
}

/**
 * Publishes the job after the one tagged `previous` (an int32; 0 before the
 * first): export `index` over `bounds` (2 or more parts). Writes the fields
 * first, then the job word, which opens the job, and wakes the workers.
 * Returns the new job's tag, `previous + 1` (wrapping).
 */
export function publishJob(
  block: Block,
  previous: number,
  index: number,
  args: readonly number[],
  bounds: readonly number[],
): number {
  const { i32, word, f64 } = block;
  const parts = bounds.length - 1;
  f64.set(args, 0);
  f64.set(bounds, BOUNDS_AT);
  Atomics.store(i32, I32.fn, index);
  Atomics.store(i32, I32.nargs, args.length);
  Atomics.store(i32, I32.done, 0);
  // Every part this job uses was claimed by the previous tag or earlier: mark
  // them with the previous tag, so no thread still holding an old job word
  // can claim them and no long-unused flag looks newer after the tags wrap.
  const tag = (previous + 1) | 0;
  for (let p = 0; p < parts; p++) Atomics.store(i32, FLAGS_AT + p, previous);
  Atomics.store(word, 0, (BigInt(tag) << 32n) | BigInt(parts));
  Atomics.add(i32, I32.gen, 1);
  Atomics.notify(i32, I32.gen);
  return tag;
}
