/**
 * The threaded SIMD build's Emscripten module with a pthread pool of the size
 * Duel uses, made the way tfjs-backend-wasm's `init()` makes it (the same
 * factory, the same `cwrap`s), for `threads.ts`.
 *
 * Why not tfjs's own `init()`: its factory starts a pool of 8 pthread workers,
 * a number compiled into the factory (`var pthreadPoolSize=8`), whatever
 * `setThreadsCount` says, and resolves only once every one has loaded. Each
 * is a Deno worker that evaluates the 54 KB factory and instantiates the
 * module: about 70 ms of a core apiece here, so a 2-thread backend took ~0.6 s
 * longer to start than the 1-thread one, for 7 workers XNNPACK never uses (its
 * pool of `n` threads runs on the caller and `n - 1` workers). This module
 * evaluates the same factory source with the pool cut to `n - 1` workers; a
 * pthread beyond the pool would still get a worker on demand (Emscripten's
 * `getNewWorker`).
 * @module
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { threadedFactory } from "../deps/tfjs_wasm_threaded.ts";

// deno-lint-ignore no-explicit-any
type Any = any;

/** The factory's pool size, as the build writes it. */
const POOL_SOURCE = "var pthreadPoolSize=8;";

/** The factory's folder (the module resolves its .wasm next to it). */
const FACTORY_URL = import.meta.resolve(
  "npm:@tensorflow/tfjs-backend-wasm@4.22.0/wasm-out/tfjs-backend-wasm-threaded-simd.js",
);

/**
 * The factory's source with a pool of `pool` workers. Throws if the build's
 * source does not hold the pool size where this module expects it (another
 * tfjs version), rather than silently starting 8.
 */
export function threadedFactorySource(pool: number): string {
  const source = String(threadedFactory);
  if (source.split(POOL_SOURCE).length !== 2) {
    throw new Error(`tfjs-backend-wasm's threaded factory has no single "${POOL_SOURCE}"`);
  }
  return source.replace(POOL_SOURCE, `var pthreadPoolSize=${pool};`);
}

/** What the factory needs from its surroundings (it runs as Node code). */
function evaluate(source: string): (config: Any) => Promise<Any> {
  const file = fileURLToPath(FACTORY_URL);
  const globals = ["require", "__dirname", "__filename", "global"];
  const make = new Function(...globals, `return (${source});`);
  return make(createRequire(file), path.dirname(file), file, globalThis);
}

/**
 * The threaded module from `source` ({@link threadedFactorySource}), as tfjs's
 * `init()` returns it: `workerFile` is the pthread workers' script and
 * `factoryFile` the same factory for them to load (files, since Deno's workers
 * take no `blob:` URLs).
 */
export async function threadedModule(
  source: string,
  workerFile: string,
  factoryFile: string,
): Promise<Any> {
  const factory = evaluate(source);
  let aborted: unknown;
  const module = await factory({
    locateFile: (file: string, prefix: string) =>
      file.endsWith(".worker.js") ? workerFile : prefix + file,
    mainScriptUrlOrBlob: factoryFile,
    onAbort: (what: unknown) => (aborted ??= what),
  });
  if (aborted !== undefined) throw new Error(`tfjs-backend-wasm threaded: ${aborted}`);
  // The functions tfjs's init() binds (tfjs-backend-wasm's `module.tfjs`).
  module.tfjs = {
    init: module.cwrap("init", null, []),
    initWithThreadsCount: module.cwrap("init_with_threads_count", null, ["number"]),
    getThreadsCount: module.cwrap("get_threads_count", "number", []),
    registerTensor: module.cwrap("register_tensor", null, ["number", "number", "number"]),
    disposeData: module.cwrap("dispose_data", null, ["number"]),
    dispose: module.cwrap("dispose", null, []),
  };
  return module;
}
