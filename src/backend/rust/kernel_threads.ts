/**
 * A "parallel for" for Duel's Rust kernels on tfjs's threaded build: `threads - 1`
 * workers, each with its own instance of the kernels module on the SAME shared
 * memory (the module is stateless: no stack, no data, no mutable global; see
 * `assertZeroCopySafe`), woken through Atomics on a SharedArrayBuffer. No
 * message is posted per call.
 *
 * A job is one kernel export (or a JavaScript function of `js_parts.ts`, given the
 * shared memory's buffer first) called once per part of its output:
 * `fn(...args, work, lo, hi)` for every part `lo = bounds[p], hi = bounds[p + 1]`,
 * with `work` the workspace of the thread that runs the part. Parts are
 * claimed dynamically (an atomic flag per part) by the calling thread and the
 * workers, each its own contiguous block of parts first (`homeOrder` in job_block.ts:
 * the same rows of the batch in consecutive passes, in its own caches), then
 * whatever is left; the caller claims until none is left, then waits for the
 * parts others claimed. So a worker that is slow to wake (another process has
 * its core) or not started yet costs nothing but its share of speed-up, and
 * which thread runs which part never matters to the bits as long as the
 * kernel's parts are independent.
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
import {
  type Block,
  BLOCK_BYTES,
  BUSY_AT,
  type Export,
  exportNames,
  I32,
  MAX_ARGS,
  MAX_KERNEL_THREADS,
  MAX_PARTS,
  publishJob,
  runParts,
  SPIN_DONE_MS,
  SPIN_MS,
  views,
  waitChange,
  WORK_AT,
} from "./job_block.ts";
import { JS_PARTS } from "./js_parts.ts";

/**
 * The kernel threads' script. node:worker_threads takes only `file:` and
 * `data:` URLs, so where Duel is loaded from `https:`/`http:` the worker
 * starts from a one-line `data:` module that imports the script.
 */
const WORKER_SCRIPT = new URL("./kernel_worker.ts", import.meta.url);
const WORKER_ENTRY: URL = WORKER_SCRIPT.protocol === "file:" ? WORKER_SCRIPT : new URL(
  `data:text/javascript,import ${encodeURIComponent(JSON.stringify(WORKER_SCRIPT.href))};`,
);
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
  const { fns } = jobFunctions(data.module, instance.exports, data.memory);
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

/**
 * What a job can run, by index: the module's function exports (on `exports`, an instance of
 * `module`), then the JavaScript parts of {@link JS_PARTS} on `memory`'s buffer (read at
 * each call: a shared memory's buffer grows), the same list on every thread.
 */
function jobFunctions(
  module: WebAssembly.Module,
  exports: WebAssembly.Exports,
  memory: WebAssembly.Memory,
): { names: string[]; fns: Export[] } {
  const names = exportNames(module);
  const fns = names.map((name) => (exports as Record<string, Export>)[name]);
  for (const [name, part] of Object.entries(JS_PARTS)) {
    names.push(name);
    fns.push((...args) => part(memory.buffer, ...args));
  }
  return { names, fns };
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
  /** The tag of the job published last (0 before the first; int32, wrapping). */
  private job = 0;
  private failure: Error | undefined;
  private disposed = false;

  private constructor(options: KernelThreadsOptions, sab: SharedArrayBuffer) {
    this.threads = options.threads;
    this.block = views(sab);
    ({ names: this.names, fns: this.fns } = jobFunctions(
      options.module,
      options.caller,
      options.memory,
    ));
    options.work.forEach((w, t) => (this.block.f64[WORK_AT + t] = w));
    Atomics.store(this.block.i32, I32.threads, this.threads);
    Atomics.store(this.block.i32, I32.home, 1);
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
   * Milliseconds each thread has spent inside parts while {@link timeParts}
   * was on (index 0: the caller; diagnostics: with {@link partsRun}, the mean
   * time of a part). Like `partsRun`, it counts the parts of jobs shared out,
   * not a job of one part or a one-thread pool's (the caller runs those directly).
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
   * Whether each part's time is added up for {@link partMs} (default off:
   * two clock reads a part, each a call into Deno, cost a 2-thread toy2d
   * step about 1%).
   */
  get timeParts(): boolean {
    return Atomics.load(this.block.i32, I32.timing) === 1;
  }
  set timeParts(on: boolean) {
    Atomics.store(this.block.i32, I32.timing, on ? 1 : 0);
  }

  /**
   * Whether each thread claims its home block of parts first (`homeOrder` in job_block.ts;
   * the default), or every thread takes parts in order (for benchmarks: the
   * split's bits are the same either way).
   */
  get homeParts(): boolean {
    return Atomics.load(this.block.i32, I32.home) === 1;
  }
  set homeParts(on: boolean) {
    Atomics.store(this.block.i32, I32.home, on ? 1 : 0);
  }

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
    const { i32, f64 } = this.block;
    if (this.threads === 1 || parts === 1) {
      for (let p = 0; p < parts; p++) {
        this.fns[index](...args, f64[WORK_AT], bounds[p], bounds[p + 1]);
      }
      return;
    }
    this.job = publishJob(this.block, this.job, index, args, bounds);
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
