/**
 * The script of a kernel thread (see `kernel_threads.ts`): serves jobs until
 * the pool stops.
 * @module
 */
import { workerData } from "node:worker_threads";
import { serveKernelThread } from "./kernel_threads.ts";

serveKernelThread(workerData);
