/**
 * A sweep's status from its store: counts per state, attempts, each worker's
 * last heartbeat, and an ETA from the pace of finished trials.
 * @module
 */
import type { AttemptRecord, TrialRecord } from "./store.ts";

const STATES = ["pending", "running", "done", "failed", "diverged"] as const;

const ago = (ms: number) => ms < 1000 ? "now" : `${Math.round(ms / 1000)} s ago`;

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * The lines `deno task sweep status` prints for sweep `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { statusLines } from "../../mod.ts";
 * assert.match(statusLines("s", [], [])[0], /^sweep s: 0 trials/);
 * ```
 */
export function statusLines(
  name: string,
  trials: readonly TrialRecord[],
  attempts: readonly AttemptRecord[],
  now: number = Date.now(),
): string[] {
  const count = (s: string) => trials.filter((t) => t.state === s).length;
  const lines = [
    `sweep ${name}: ${trials.length} trials: ` +
    STATES.map((s) => `${count(s)} ${s}`).join(", ") +
    `; ${attempts.length} attempts (${
      attempts.filter((a) => a.outcome === "expired").length
    } taken over after a lost lease)`,
  ];
  const workers = new Map<string, AttemptRecord>();
  for (const a of attempts) {
    const seen = workers.get(a.worker);
    if (!seen || a.heartbeat > seen.heartbeat) workers.set(a.worker, a);
  }
  for (const [w, a] of [...workers].sort((x, y) => y[1].heartbeat - x[1].heartbeat)) {
    const running = attempts.filter((x) => x.worker === w && x.ended === null).map((x) => x.trial);
    lines.push(
      `  worker ${w}: last heartbeat ${ago(now - a.heartbeat)}` +
        (running.length ? `, running trial ${running.join(", ")}` : ", idle"),
    );
  }
  const finished = attempts.filter((a) => a.ended !== null && a.outcome === "done");
  const left = count("pending") + count("running");
  if (left === 0) lines.push("  ETA: nothing left to run");
  else if (finished.length > 0) {
    const first = Math.min(...attempts.map((a) => a.started));
    const last = Math.max(...finished.map((a) => a.ended!));
    const pace = (last - first) / finished.length;
    lines.push(
      `  ETA: ${duration(pace * left)} (${left} left at ${duration(pace)} a trial overall)`,
    );
  } else lines.push(`  ETA: unknown until a trial finishes (${left} left)`);
  return lines;
}
