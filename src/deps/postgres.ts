/**
 * The PostgreSQL client (porsager's `postgres`), pinned (see `tfjs_core.ts` for why by path).
 *
 * Its reconnection after a lost server sets a timer of `closed + backoff - now`
 * ms, negative once the backoff has passed; Node's timers (Deno's too) then
 * print a two-line `TimeoutNegativeWarning` and wait 1 ms, which is what the
 * client meant. That one warning is dropped here, so a worker that outlives a
 * server restart prints its one line and nothing else; other warnings print.
 * @module
 */
import process from "node:process";

const emitWarning = process.emitWarning;
process.emitWarning = function (warning: string | Error, ...rest: unknown[]): void {
  const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: string })?.type;
  const name = warning instanceof Error ? warning.name : undefined;
  if (type === "TimeoutNegativeWarning" || name === "TimeoutNegativeWarning") return;
  (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
} as typeof process.emitWarning;

export { default as postgres } from "npm:postgres@3.4.7";
export type { Sql } from "npm:postgres@3.4.7";
