/**
 * Which store a sweep uses: a PostgreSQL URL (`postgres://user:pass@host/db`)
 * or a SQLite file (the default, `<root>/sweeps/<name>/sweep.db`).
 * @module
 */
import { basename, dirname } from "node:path";
import { isPostgresUrl, listSweeps, PostgresStore, redactIn, redactUrl } from "./pg_store.ts";
import { UserError } from "../errors.ts";
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
 * A store that cannot be read throws {@link storeError}'s one line.
 */
export async function sweepsIn(spec: string): Promise<string[]> {
  if (!isPostgresUrl(spec)) return [basename(dirname(spec))];
  let store: PostgresStore | undefined;
  try {
    store = await PostgresStore.open(spec, "");
    return await listSweeps(store.sql);
  } catch (e) {
    throw storeError(spec, e);
  } finally {
    await store?.close().catch(() => {});
  }
}

/** How a store is named in messages and logs (never with its password). */
export const storeLabel = (spec: string): string => isPostgresUrl(spec) ? redactUrl(spec) : spec;

/**
 * A store that failed (unreachable, refused, a query gone wrong) as the one
 * line a tool prints: the store by its label, the error's code where it has
 * one, its first line, and never the store's password.
 */
export function storeError(spec: string, e: unknown): UserError {
  if (e instanceof UserError) return new UserError(redactIn(e.message, spec));
  const why = redactIn((e instanceof Error ? e.message : String(e)).split("\n")[0], spec);
  const code = (e as { code?: unknown } | null)?.code;
  return new UserError(
    `store ${storeLabel(spec)}: ${
      typeof code === "string" && !why.includes(code) ? `${code}: ` : ""
    }${why}`,
  );
}

/**
 * Runs `work` on sweep `name` of store `spec` (opened, then closed), any
 * failure of the store's turned into {@link storeError}'s one line.
 */
export async function withStore<T>(
  spec: string,
  name: string,
  create: boolean,
  work: (store: SweepStore) => Promise<T>,
): Promise<T> {
  let store: SweepStore;
  try {
    store = await openStore(spec, name, create);
  } catch (e) {
    throw storeError(spec, e);
  }
  try {
    return await work(store);
  } catch (e) {
    throw isPostgresUrl(spec) ? storeError(spec, e) : e;
  } finally {
    await Promise.resolve(store.close()).catch(() => {});
  }
}
