/**
 * JavaScript functions the kernel threads (`kernel_threads.ts`) run as jobs, beside the
 * kernels module's exports: work that must stay JavaScript for its bits (`Math.exp`, and
 * `Math.log`, `Math.cos`, `Math.sin`) but splits into parts as a kernel's rows do. Each
 * takes the shared memory's buffer first, then a job's arguments, `work, lo, hi`, as an
 * export does.
 * @module
 */
import { kdeValues } from "./kde_values.ts";
import { boxMullerPart } from "./box_muller_part.ts";

/** A JavaScript job part: `(buffer, ...args, work, lo, hi)`, pointers byte offsets into `buffer`. */
export type JsPart = (buffer: ArrayBufferLike, ...args: number[]) => void;

/** The JavaScript jobs by name (their names follow the exports' in a job's index). */
export const JS_PARTS: Readonly<Record<string, JsPart>> = {
  kde_values: kdeValues,
  box_muller: boxMullerPart as JsPart,
};
