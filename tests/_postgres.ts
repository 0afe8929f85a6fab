/**
 * The PostgreSQL server the tests use: `DUEL_TEST_POSTGRES` (a URL whose role
 * may create databases), default `postgres://duel:duel@127.0.0.1:5432/postgres`
 * (what `.ci/run` sets up). Each test gets a database of its own. Where
 * `DUEL_REQUIRE_POSTGRES=1` (CI) a missing server fails the tests; elsewhere
 * they are skipped with a note.
 */
import { connect } from "../src/sweep/pg_store.ts";

const env = (name: string) => {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
};

/** The admin URL. */
export const PG_URL: string = env("DUEL_TEST_POSTGRES") ??
  "postgres://duel:duel@127.0.0.1:5432/postgres";
/** Whether a missing server is a failure. */
export const PG_REQUIRED: boolean = env("DUEL_REQUIRE_POSTGRES") === "1";

async function reachable(): Promise<boolean> {
  const sql = connect(PG_URL, { max: 1 });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** Whether PostgreSQL tests run (`ignore` them when false). */
export const PG_AVAILABLE: boolean = PG_REQUIRED || await reachable();
if (!PG_AVAILABLE) console.warn(`PostgreSQL not reachable at ${PG_URL}: its tests are skipped`);

/** A URL with a different database. */
export const withDatabase = (url: string, db: string): string => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
};

/**
 * Runs `fn` with a maker of a fresh database (created when `fn` calls it; its URL returned),
 * dropped once `fn` is done, whether it passed or failed.
 */
export async function withFreshDatabase(
  fn: (make: () => Promise<string>) => Promise<void>,
): Promise<void> {
  let drop: (() => Promise<void>) | undefined;
  try {
    await fn(async () => {
      const db = await freshDatabase();
      drop = db.drop;
      return db.url;
    });
  } finally {
    await drop?.();
  }
}

/** Creates a fresh database and returns its URL and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `duel_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = connect(PG_URL, { max: 1 });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  return {
    url: withDatabase(PG_URL, name),
    drop: async () => {
      const a = connect(PG_URL, { max: 1 });
      try {
        // An autovacuum worker in the database cannot be forced out by a role without
        // pg_signal_backend: try again once it is gone.
        for (let i = 0;; i++) {
          try {
            await a.unsafe(`drop database if exists ${name} with (force)`);
            break;
          } catch (e) {
            if (i >= 20) throw e;
            await new Promise((r) => setTimeout(r, 250));
          }
        }
      } finally {
        await a.end({ timeout: 1 });
      }
    },
  };
}
