/**
 * A private PostgreSQL server for one test: its own cluster (`initdb` into a
 * temporary folder), on a free port other than 5432, that the test may stop
 * and start (a server restart mid-sweep) without touching the shared cluster
 * other tests use at the same time. Debian's binaries
 * (`/usr/lib/postgresql/<version>/bin`) run as the `postgres` user through
 * `runuser`, so this needs root (as CI runs); elsewhere the tests that need it
 * are skipped with a note, or fail where `DUEL_REQUIRE_POSTGRES=1`.
 */
import { PG_REQUIRED } from "./_postgres.ts";

const RUNUSER = "/usr/sbin/runuser";

/** Debian's newest PostgreSQL binaries folder, if any. */
function binaries(): string | undefined {
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name)
      .filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    return versions.map((v) => `/usr/lib/postgresql/${v}/bin`)
      .find((d) => Deno.statSync(`${d}/initdb`).isFile);
  } catch {
    return undefined;
  }
}

/** The `postgres` user's uid and gid (from /etc/passwd). */
function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const line = Deno.readTextFileSync("/etc/passwd").split("\n")
      .find((l) => l.startsWith("postgres:"));
    if (!line) return undefined;
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** Whether this process runs as root: the owner of a file it makes (no --allow-sys needed). */
const isRoot = () => {
  const probe = Deno.makeTempFileSync({ prefix: "duel_uid_" });
  try {
    return Deno.statSync(probe).uid === 0;
  } finally {
    Deno.removeSync(probe);
  }
};

const BIN = binaries();
const USER = postgresUser();

/** Whether a private server can be started here. */
export const PRIVATE_PG_AVAILABLE: boolean = PG_REQUIRED ||
  (BIN !== undefined && USER !== undefined && isRoot() && (() => {
    try {
      return Deno.statSync(RUNUSER).isFile;
    } catch {
      return false;
    }
  })());
if (!PRIVATE_PG_AVAILABLE) {
  console.warn("no private PostgreSQL server here (needs root and Debian's postgresql): skipped");
}

/** A running private server. */
export interface PrivateServer {
  /** `postgres://duel:duel@127.0.0.1:<port>/postgres` (role duel, a superuser of this cluster). */
  readonly url: string;
  /** Its port (not 5432). */
  readonly port: number;
  /** Stops it (fast shutdown: sessions are cut, as in a restart). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

async function asPostgres(args: string[]): Promise<void> {
  const out = await new Deno.Command(RUNUSER, {
    args: ["-u", "postgres", "--", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    throw new Error(`${args[0]} failed: ${text.trim().split("\n").slice(-3).join(" | ")}`);
  }
}

function freePort(): number {
  for (;;) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    if (port !== 5432) return port;
  }
}

/** Creates and starts a private cluster. */
export async function privateServer(): Promise<PrivateServer> {
  if (!BIN || !USER) throw new Error("no PostgreSQL binaries or postgres user here");
  const dir = await Deno.makeTempDir({ prefix: "duel_pg_" });
  await Deno.chown(dir, USER.uid, USER.gid);
  await Deno.writeTextFile(`${dir}/pw`, "duel\n");
  await Deno.chown(`${dir}/pw`, USER.uid, USER.gid);
  const data = `${dir}/data`;
  await asPostgres([
    `${BIN}/initdb`,
    "-D",
    data,
    "-U",
    "duel",
    `--pwfile=${dir}/pw`,
    "--auth=scram-sha-256",
    "-E",
    "UTF8",
    "--no-sync",
    "--no-instructions",
  ]);
  const port = freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off ` +
    `-c shared_buffers=16MB -c max_connections=40`;
  const start = () =>
    asPostgres([
      `${BIN}/pg_ctl`,
      "-D",
      data,
      "-l",
      `${dir}/log`,
      "-w",
      "-t",
      "60",
      "-o",
      options,
      "start",
    ]);
  const stop = (mode: string) =>
    asPostgres([`${BIN}/pg_ctl`, "-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
  await start();
  return {
    url: `postgres://duel:duel@127.0.0.1:${port}/postgres`,
    port,
    stop: () => stop("fast"),
    start,
    destroy: async () => {
      await stop("immediate").catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}
