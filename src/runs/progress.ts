/**
 * Console progress: one live line on a terminal, plain periodic lines otherwise.
 * @module
 */
import type { MetricsRow } from "./experiment.ts";

/** Where progress goes and how often plain lines appear. */
export interface ProgressOptions {
  /** Rewrite one line in place (a terminal) or print plain lines. */
  live: boolean;
  /** Writes text (default: standard output). */
  write?: (text: string) => void;
  /** Seconds between plain lines (default 10); evaluations always print. */
  every?: number;
}

const fmt = (
  v: number,
) => (Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4));

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`
    : s >= 60
    ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
    : `${s}s`;
}

/**
 * Makes a row handler for `runExperiment`'s `onRow` that shows
 * step/total, steps/s, ETA, losses and the latest evaluation metrics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { progressPrinter } from "../../mod.ts";
 * const out: string[] = [];
 * const show = progressPrinter({ live: false, write: (t) => out.push(t), every: 0 });
 * show({ step: 1, "d/loss": 1.3, "g/loss": 0.7, elapsed: 0.1 }, 10);
 * assert.ok(out[0].startsWith("step 1/10"));
 * ```
 */
export function progressPrinter(
  options: ProgressOptions,
): (row: MetricsRow, total: number) => void {
  const encoder = new TextEncoder();
  const write = options.write ?? ((t: string) => Deno.stdout.writeSync(encoder.encode(t)));
  const every = options.every ?? 10;
  let latestEval = "";
  let lastShown = -Infinity;
  let first: { step: number; elapsed: number } | undefined;
  return (row, total) => {
    const evalKeys = Object.keys(row).filter((k) => k.startsWith("eval/"));
    if (evalKeys.length) latestEval = evalKeys.map((k) => `${k.slice(5)} ${fmt(row[k])}`).join(" ");
    const now = performance.now() / 1000;
    const done = row.step === total;
    if (!options.live && !evalKeys.length && !done && now - lastShown < every) return;
    if (options.live && !done && now - lastShown < 0.1) return;
    lastShown = now;
    first ??= { step: row.step, elapsed: row.elapsed ?? 0 };
    const rate = (row.step - first.step) / Math.max(1e-9, (row.elapsed ?? 0) - first.elapsed);
    const losses = ["d/loss", "g/loss"].filter((k) => k in row).map((k) => `${k} ${fmt(row[k])}`);
    const parts = [
      `step ${row.step}/${total}`,
      rate > 0 ? `${rate.toFixed(1)} steps/s` : "",
      rate > 0 ? `ETA ${duration((total - row.step) / rate)}` : "",
      ...losses,
      latestEval,
    ].filter(Boolean).join(" | ");
    write(options.live ? `\r\x1b[K${parts}${done ? "\n" : ""}` : `${parts}\n`);
  };
}
