/**
 * The environment variables Duel reads, read here and nowhere else, and only
 * by entry points (the command-line tools and the library's entry functions,
 * as defaults a caller can override): deeper layers receive the values.
 * @module
 */

/** One variable Duel reads: what it means and which tasks read it (their `--allow-env` lists it). */
export interface EnvVar {
  /** What it means. */
  readonly doc: string;
  /** The deno.json tasks that read it. */
  readonly tasks: readonly string[];
}

const RUNS = ["experiment", "reproduce", "sweep", "test", "fid"] as const;

/**
 * Every variable Duel reads, with what it means and which tasks read it
 * (the `--allow-env` lists of those tasks name it; tests/permissions_test.ts checks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENV_VARS } from "../mod.ts";
 * assert.ok(ENV_VARS.DUEL_CACHE_DIR.tasks.includes("experiment"));
 * ```
 */
export const ENV_VARS: Readonly<
  Record<"DUEL_CACHE_DIR" | "XDG_CACHE_HOME" | "HOME" | "DUEL_STORE" | "DUEL_INCEPTION", EnvVar>
> = {
  DUEL_CACHE_DIR: {
    doc: "the cache folder for data sets and the metrics' classifier",
    tasks: RUNS,
  },
  XDG_CACHE_HOME: {
    doc: "the cache folder's parent when DUEL_CACHE_DIR is not set (`<it>/duel`)",
    tasks: RUNS,
  },
  HOME: {
    doc: "the cache folder's grandparent when neither is set (`~/.cache/duel`)",
    tasks: RUNS,
  },
  DUEL_STORE: {
    doc: "the sweep's trial store when neither --store nor the sweep file's store: names one",
    tasks: ["sweep", "test"],
  },
  DUEL_INCEPTION: {
    doc: "the FID Inception weights file (pytorch-fid's pt_inception-2015-12-05-6726825d.pth)",
    tasks: RUNS,
  },
};

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

/**
 * The trial store named by `$DUEL_STORE` (a `postgres://` URL or a SQLite
 * file), or undefined when it is unset, empty or env access is denied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeFromEnv } from "../mod.ts";
 * const before = Deno.env.get("DUEL_STORE");
 * Deno.env.set("DUEL_STORE", "sweeps.db");
 * assert.equal(storeFromEnv(), "sweeps.db");
 * if (before === undefined) Deno.env.delete("DUEL_STORE");
 * else Deno.env.set("DUEL_STORE", before);
 * ```
 */
export function storeFromEnv(): string | undefined {
  return get("DUEL_STORE") || undefined;
}

/**
 * The FID Inception weights file named by `$DUEL_INCEPTION` (pytorch-fid's
 * `pt_inception-2015-12-05-6726825d.pth`), or undefined when it is unset,
 * empty or env access is denied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inceptionPathFromEnv } from "../mod.ts";
 * const before = Deno.env.get("DUEL_INCEPTION");
 * Deno.env.set("DUEL_INCEPTION", "weights/pt_inception-2015-12-05-6726825d.pth");
 * assert.equal(inceptionPathFromEnv(), "weights/pt_inception-2015-12-05-6726825d.pth");
 * if (before === undefined) Deno.env.delete("DUEL_INCEPTION");
 * else Deno.env.set("DUEL_INCEPTION", before);
 * ```
 */
export function inceptionPathFromEnv(): string | undefined {
  return get("DUEL_INCEPTION") || undefined;
}
