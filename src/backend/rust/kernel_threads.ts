/**
 * A "parallel for" for Duel's Rust kernels on tfjs's threaded build: `threads - 1`
 * workers, each with its own instance of the kernels module on the SAME shared
 * memory (the module is stateless: no stack, no data, no mutable global; see
 * `assertZeroCopySafe`), woken through Atomics on a SharedArrayBuffer. No
 * message is posted per call.
 *
 * A job is one kernel export called once per part of its output:
 * `fn(...args, work, lo, hi)` for every part `lo = bounds[p], hi = bounds[p + 1]`,
 * with `work` the workspace of the thread that runs the part. Parts are
 * claimed dynamically (an atomic counter) by the calling thread and the
 * workers; the caller claims until none is left, then waits for the parts
 * others claimed. So a worker that is slow to wake (another process has its
 * core) or not started yet costs nothing but its share of speed-up, and which
 * thread runs which part never matters as long as the kernel's parts are
 * independent.
 *
 * Using it for another kernel (e.g. conv): export from the Rust crate a
 * variant taking the usual arguments, then `work: *mut f32, lo: u32, hi: u32`,
 * that writes only the part `lo..hi` of its output (rows, columns, output
 * pixels: whatever it can split) and whose parts together give the bits of the
 * whole (a fixed summation order per element, independent of the split). Size
 * the per-thread workspaces for it too (`KernelThreadsOptions.work`), then call
 * `threads.run("that_export", args, bounds)`.
 *
 * Lifetime: the workers are unref'd (they never keep Deno alive) and
 * {@link KernelThreads.dispose} stops and terminates them. Errors in a part
 * (a wasm trap) are caught on the thread that ran it and rethrown by `run`; a
 * worker that fails to start is reported by the next `run`.
 * @module
 */
import { Worker } from "node:worker_threads";

/**
 * The kernel threads' script. node:worker_threads takes only `file:` and
 * `data:` URLs, so where Duel is loaded from `https:`/`http:` the worker
 * starts from a one-line `data:` module that imports the script.
 */
const WORKER_SCRIPT = new URL("./kernel_worker.ts", import.meta.url);
const WORKER_ENTRY: URL = WORKER_SCRIPT.protocol === "file:" ? WORKER_SCRIPT : new URL(
  `data:text/javascript,import ${encodeURIComponent(JSON.stringify(WORKER_SCRIPT.href))};`,
);
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
const SPIN_MS = 1;
/** See {@link SPIN_MS}. */
const SPIN_DONE_MS = 20;
/** Atomic loads between two reads of the clock while spinning (~12 ns each). */
const SPIN_CHECK = 64;

/** Int32 slots of the control block. */
const I32 = {
  /** Bumped per job (and on stop): what sleeping workers wait on. */
  gen: 0,
  /** Parts finished in the current job. */
  done: 1,
  /** 0, or 1 + the thread whose part failed first. */
  error: 2,
  /** 1 once the pool is disposed. */
  stop: 3,
  /** Index of the job's export in {@link functionExports}. */
  fn: 4,
  /** Arguments of the job before `work, lo, hi`. */
  nargs: 5,
  /** Bytes of the error message. */
  errorLength: 6,
  /** Workers that have started (instance made, waiting for jobs). */
  ready: 7,
  /** Parts each thread has run, from here on (diagnostics). */
  partsRun: 8,
} as const;
const I32_SLOTS = I32.partsRun + MAX_KERNEL_THREADS;
/** Byte offsets of the rest of the block. */
const CLAIM_AT = I32_SLOTS * 4; // one BigInt64: job << 32 | parts << 16 | next part
const F64_AT = CLAIM_AT + 8; // args, then bounds, then workspaces, then each thread's part time
const BOUNDS_AT = MAX_ARGS;
const WORK_AT = MAX_ARGS + MAX_PARTS + 1;
/** Milliseconds each thread has spent in parts (diagnostics; each thread adds to its own). */
const BUSY_AT = WORK_AT + MAX_KERNEL_THREADS;
const F64_SLOTS = BUSY_AT + MAX_KERNEL_THREADS;
const MESSAGE_AT = F64_AT + F64_SLOTS * 8;
const MESSAGE_BYTES = 1024;
const BLOCK_BYTES = MESSAGE_AT + MESSAGE_BYTES;

/** Views of the control block, the same on every thread. */
interface Block {
  readonly i32: Int32Array;
  readonly claim: BigInt64Array;
  readonly f64: Float64Array;
  readonly message: Uint8Array;
}

function views(sab: SharedArrayBuffer): Block {
  return {
    i32: new Int32Array(sab, 0, I32_SLOTS),
    claim: new BigInt64Array(sab, CLAIM_AT, 1),
    f64: new Float64Array(sab, F64_AT, F64_SLOTS),
    message: new Uint8Array(sab, MESSAGE_AT, MESSAGE_BYTES),
  };
}

/** The function exports of `module`, in its order: jobs name their export by index in it. */
function functionExports(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
}

type Export = (...args: number[]) => void;

/**
 * Claims and runs parts of the current job until none is left (the caller and
 * every worker run this). The claim word holds the job number (never reused),
 * the part count and the next part, so one compare-exchange both checks the
 * job and takes a part; the job's fields cannot change before that part is done.
 */
function runParts(block: Block, fns: readonly Export[], thread: number): void {
  const { i32, claim, f64 } = block;
  for (;;) {
    const v = Atomics.load(claim, 0);
    const next = Number(v & 0xffffn), parts = Number((v >> 16n) & 0xffffn);
    if (next >= parts) return;
    if (Atomics.compareExchange(claim, 0, v, v + 1n) !== v) continue;
    const nargs = Atomics.load(i32, I32.nargs);
    const args = Array.from(f64.subarray(0, nargs));
    const start = performance.now();
    try {
      fns[Atomics.load(i32, I32.fn)](
        ...args,
        f64[WORK_AT + thread],
        f64[BOUNDS_AT + next],
        f64[BOUNDS_AT + next + 1],
      );
    } catch (e) {
      if (Atomics.compareExchange(i32, I32.error, 0, thread + 1) === 0) {
        const text = new TextEncoder().encode(String((e as Error)?.message ?? e));
        const n = Math.min(text.length, MESSAGE_BYTES);
        block.message.set(text.subarray(0, n));
        Atomics.store(i32, I32.errorLength, n);
      }
    }
    f64[BUSY_AT + thread] += performance.now() - start;
    Atomics.add(i32, I32.partsRun + thread, 1);
    Atomics.add(i32, I32.done, 1);
    Atomics.notify(i32, I32.done);
  }
}

/** Waits (spinning up to `spinMs` first) until `i32[index]` differs from `seen`; returns it. */
function waitChange(i32: Int32Array, index: number, seen: number, spinMs: number): number {
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

/** What a kernel thread is started with (its `workerData`). */
export interface KernelThreadData {
  /** The kernels, compiled for the shared memory. */
  readonly module: WebAssembly.Module;
  /** tfjs's shared memory. */
  readonly memory: WebAssembly.Memory;
  /** The pool's control block. */
  readonly block: SharedArrayBuffer;
  /** This thread's index (1..threads-1; 0 is the caller). */
  readonly thread: number;
}

/**
 * A worker's life (called by `kernel_worker.ts`): instantiate the module on
 * the shared memory, then run parts of every job until the pool stops.
 *
 * Inside Duel, a kernel thread's worker calls `serveKernelThread(workerData)` (`workerData` from
 * `node:worker_threads`); it returns when the pool is disposed.
 */
export function serveKernelThread(data: KernelThreadData): void {
  const block = views(data.block);
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const exports = instance.exports as Record<string, Export>;
  const fns = functionExports(data.module).map((name) => exports[name]);
  let seen = Atomics.load(block.i32, I32.gen);
  Atomics.add(block.i32, I32.ready, 1);
  for (;;) {
    const gen = waitChange(block.i32, I32.gen, seen, SPIN_MS);
    if (gen === seen) continue;
    seen = gen;
    if (Atomics.load(block.i32, I32.stop)) return;
    runParts(block, fns, data.thread);
  }
}

/** What {@link KernelThreads.start} needs. */
export interface KernelThreadsOptions {
  /** The kernels, compiled with a shared-memory import (`env.memory`). */
  readonly module: WebAssembly.Module;
  /** tfjs's shared memory. */
  readonly memory: WebAssembly.Memory;
  /** The calling thread's instance of `module` on `memory`. */
  readonly caller: WebAssembly.Exports;
  /** Threads, the caller included (1: no workers). */
  readonly threads: number;
  /** One workspace byte offset per thread (index 0: the caller), big enough for every kernel run. */
  readonly work: readonly number[];
}

/**
 * The caller plus `threads - 1` workers running parts of kernel calls.
 */
export class KernelThreads {
  /** Threads, the caller included. */
  readonly threads: number;
  private readonly block: Block;
  private readonly fns: readonly Export[];
  private readonly names: readonly string[];
  private readonly workers: Worker[] = [];
  private job = 0;
  private failure: Error | undefined;
  private disposed = false;

  private constructor(options: KernelThreadsOptions, sab: SharedArrayBuffer) {
    this.threads = options.threads;
    this.block = views(sab);
    this.names = functionExports(options.module);
    const caller = options.caller as Record<string, Export>;
    this.fns = this.names.map((name) => caller[name]);
    options.work.forEach((w, t) => (this.block.f64[WORK_AT + t] = w));
  }

  /** Starts the workers (they become ready asynchronously; jobs never wait for that). */
  static start(options: KernelThreadsOptions): KernelThreads {
    const { threads, memory, module, work } = options;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_KERNEL_THREADS) {
      throw new Error(`kernel threads: ${threads} threads, expected an integer in 1..8`);
    }
    if (work.length !== threads) {
      throw new Error(`kernel threads: ${work.length} workspaces for ${threads} threads`);
    }
    if (threads > 1 && !(memory.buffer instanceof SharedArrayBuffer)) {
      throw new Error("kernel threads: the memory is not shared");
    }
    const sab = new SharedArrayBuffer(BLOCK_BYTES);
    const pool = new KernelThreads(options, sab);
    for (let thread = 1; thread < threads; thread++) {
      const data: KernelThreadData = { module, memory, block: sab, thread };
      const worker = new Worker(WORKER_ENTRY, { workerData: data });
      worker.unref(); // never keep the process alive
      worker.on("error", (e: Error) => {
        pool.failure ??= new Error(`kernel thread ${thread} failed: ${e.message}`);
      });
      worker.on("exit", (code: number) => {
        if (!pool.disposed) {
          pool.failure ??= new Error(`kernel thread ${thread} exited (code ${code})`);
        }
      });
      pool.workers.push(worker);
    }
    return pool;
  }

  /** Workers that have started and wait for jobs (for tests and diagnostics). */
  get ready(): number {
    return Atomics.load(this.block.i32, I32.ready);
  }

  /** Parts each thread has run so far (index 0: the caller; diagnostics, e.g. for benchmarks). */
  partsRun(): number[] {
    return Array.from(
      { length: this.threads },
      (_, t) => Atomics.load(this.block.i32, I32.partsRun + t),
    );
  }

  /**
   * Milliseconds each thread has spent inside parts so far (index 0: the
   * caller; diagnostics: with {@link partsRun}, the mean time of a part).
   * Like `partsRun`, it counts the parts of jobs shared out, not a job of
   * one part or a one-thread pool's (the caller runs those directly).
   */
  partMs(): number[] {
    return Array.from({ length: this.threads }, (_, t) => this.block.f64[BUSY_AT + t]);
  }

  /**
   * Whether the caller runs parts of its jobs too (the default). A benchmark
   * turns it off to time the workers' parts with the caller idle: it then
   * only publishes a job of several parts and waits for the workers (once
   * they have all started; until then it runs parts as usual).
   */
  callerRunsParts = true;

  /**
   * Calls the export `fn(...args, work, bounds[p], bounds[p + 1])` for every
   * part `p` (none when `bounds` has one element), on the caller and the
   * workers, and returns when all are done.
   * Throws the first error of any part (after every part has finished).
   */
  run(fn: string, args: readonly number[], bounds: readonly number[]): void {
    if (this.disposed) throw new Error("kernel threads: disposed");
    if (this.failure) throw this.failure;
    const index = this.names.indexOf(fn);
    if (index < 0) throw new Error(`kernel threads: no export ${fn}`);
    const parts = bounds.length - 1;
    if (parts < 0 || parts > MAX_PARTS) {
      throw new Error(`kernel threads: ${parts} parts, expected 0..${MAX_PARTS}`);
    }
    if (args.length > MAX_ARGS) throw new Error(`kernel threads: more than ${MAX_ARGS} arguments`);
    const { i32, claim, f64 } = this.block;
    if (this.threads === 1 || parts === 1) {
      for (let p = 0; p < parts; p++) {
        this.fns[index](...args, f64[WORK_AT], bounds[p], bounds[p + 1]);
      }
      return;
    }
    // Publish: the fields first, then the claim word (which opens the job), then wake.
    f64.set(args, 0);
    f64.set(bounds, BOUNDS_AT);
    Atomics.store(i32, I32.fn, index);
    Atomics.store(i32, I32.nargs, args.length);
    Atomics.store(i32, I32.done, 0);
    this.job++;
    Atomics.store(claim, 0, (BigInt(this.job) << 32n) | (BigInt(parts) << 16n));
    Atomics.add(i32, I32.gen, 1);
    Atomics.notify(i32, I32.gen);
    // Left to the workers only when all have started (none would ever claim them otherwise).
    if (this.callerRunsParts || this.ready < this.threads - 1) runParts(this.block, this.fns, 0);
    for (let done = Atomics.load(i32, I32.done); done < parts;) {
      done = waitChange(i32, I32.done, done, SPIN_DONE_MS);
    }
    const failed = Atomics.exchange(i32, I32.error, 0);
    if (failed) {
      const n = Atomics.load(i32, I32.errorLength);
      const text = new TextDecoder().decode(this.block.message.slice(0, n));
      throw new Error(`kernel thread ${failed - 1}: ${fn}: ${text}`);
    }
  }

  /** Stops and terminates the workers (idempotent). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.block.i32, I32.stop, 1);
    Atomics.add(this.block.i32, I32.gen, 1);
    Atomics.notify(this.block.i32, I32.gen);
    for (const w of this.workers) w.terminate().catch(() => {});
  }
}
