/**
 * The environment variables Duel reads, read here and nowhere else, and only
 * by entry points (the command-line tools and the library's entry functions,
 * as defaults a caller can override): deeper layers receive the values.
 * @module
 */

/**
 * Every variable Duel reads, with what it means (the `--allow-env` list of the tasks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENV_VARS } from "../mod.ts";
 * assert.ok("DUEL_CACHE_DIR" in ENV_VARS);
 * ```
 */
export const ENV_VARS = {
  DUEL_CACHE_DIR: "the cache folder for data sets and the metrics' classifier",
  XDG_CACHE_HOME: "the cache folder's parent when DUEL_CACHE_DIR is not set (`<it>/duel`)",
  HOME: "the cache folder's grandparent when neither is set (`~/.cache/duel`)",
} as const;

function get(name: keyof typeof ENV_VARS): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // env access denied: as if unset
  }
}

/**
 * The cache folder for data sets and the metrics' classifier:
 * `$DUEL_CACHE_DIR`, else `$XDG_CACHE_HOME/duel`, else `$HOME/.cache/duel`;
 * undefined when none is set (or env access is denied).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cacheDirFromEnv } from "../mod.ts";
 * const before = Deno.env.get("DUEL_CACHE_DIR");
 * Deno.env.set("DUEL_CACHE_DIR", "/tmp/duel-cache");
 * assert.equal(cacheDirFromEnv(), "/tmp/duel-cache");
 * if (before === undefined) Deno.env.delete("DUEL_CACHE_DIR");
 * else Deno.env.set("DUEL_CACHE_DIR", before);
 * ```
 */
export function cacheDirFromEnv(): string | undefined {
  const explicit = get("DUEL_CACHE_DIR");
  if (explicit) return explicit;
  const xdg = get("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/duel`;
  const home = get("HOME");
  return home ? `${home}/.cache/duel` : undefined;
}
