/**
 * The script of a kernel thread (see `kernel_threads.ts`): serves jobs until
 * the pool stops. Imported by the pool's module too (where it does nothing),
 * so wherever Duel is loaded from, the script is fetched and cached with it.
 * @module
 */
import { isMainThread, workerData } from "node:worker_threads";
import { serveKernelThread } from "./kernel_threads.ts";

if (!isMainThread && workerData?.block) serveKernelThread(workerData);
