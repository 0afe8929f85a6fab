/**
 * Which store a sweep uses: a PostgreSQL URL (`postgres://user:pass@host/db`)
 * or a SQLite file (the default, `<root>/sweeps/<name>/sweep.db`).
 * @module
 */
import { basename, dirname } from "node:path";
import { isPostgresUrl, listSweeps, PostgresStore, redactUrl } from "./pg_store.ts";
import { type SweepStore, TrialStore } from "./store.ts";

/** Opens sweep `name` in store `spec` (created where `create`). */
export async function openStore(
  spec: string,
  name: string,
  create = false,
): Promise<SweepStore> {
  if (isPostgresUrl(spec)) return await PostgresStore.open(spec, name, { create });
  if (create) await Deno.mkdir(dirname(spec), { recursive: true });
  else if (!(await Deno.stat(spec).then(() => true, () => false))) {
    throw new Error(`${spec}: no such store`);
  }
  return new TrialStore(spec);
}

/**
 * The sweeps a store holds: every sweep of a PostgreSQL database, or the one
 * sweep of a SQLite file (named by its folder, `<root>/sweeps/<name>/sweep.db`).
 */
export async function sweepsIn(spec: string): Promise<string[]> {
  if (!isPostgresUrl(spec)) return [basename(dirname(spec))];
  const store = await PostgresStore.open(spec, "");
  try {
    return await listSweeps(store.sql);
  } finally {
    await store.close();
  }
}

/** How a store is named in messages and logs (never with its password). */
export const storeLabel = (spec: string): string => isPostgresUrl(spec) ? redactUrl(spec) : spec;
