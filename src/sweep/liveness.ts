/**
 * Workers' names (`host/pid/tag`) and how a worker tells that another worker
 * on the same machine is gone, so its trial is freed at once rather than when
 * its lease runs out. Each worker process listens on a Unix socket named
 * after it in the temporary folder ({@link announceAlive}); a socket that
 * refuses a connection belongs to a process that died (a killed process
 * leaves its socket file behind, nobody listening). A paused process still
 * accepts (the kernel queues the connection), so it counts as alive and only
 * its lease decides. Deno lets a process read no `/proc/<pid>` without
 * `--allow-all`, hence the socket.
 * @module
 */
import { dirname } from "node:path";

/** This machine's name (its hostname, or `/etc/hostname` without `--allow-sys=hostname`). */
function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    try {
      return Deno.readTextFileSync("/etc/hostname").trim() || "unknown";
    } catch {
      return "unknown";
    }
  }
}

const HOST = hostName();
const TAG = crypto.randomUUID().slice(0, 8);

/** This process's worker name: `host/pid/tag`. */
export const workerName = (): string => `${HOST}/${Deno.pid}/${TAG}`;

let tmp: string | undefined;
/** The temporary folder (Deno's: `TMPDIR`, else `/tmp`), found by making a file there. */
function tempDir(): string {
  if (tmp === undefined) {
    const probe = Deno.makeTempFileSync({ prefix: "duel_" });
    tmp = dirname(probe);
    Deno.removeSync(probe);
  }
  return tmp;
}

const socketOf = (pid: string, tag: string) => `${tempDir()}/duel-worker-${pid}-${tag}.sock`;

let listening: boolean | undefined;

/**
 * Opens this process's liveness socket (once; closed and removed when the
 * process exits). False where it cannot (no `--allow-net` for Unix sockets):
 * then this worker's trials are freed by their leases alone.
 */
export function announceAlive(): boolean {
  if (listening !== undefined) return listening;
  const path = socketOf(String(Deno.pid), TAG);
  try {
    const listener = Deno.listen({ transport: "unix", path });
    listener.unref();
    (async () => {
      try {
        for await (const conn of listener) conn.close();
      } catch { /* closed */ }
    })();
    globalThis.addEventListener("unload", () => {
      try {
        listener.close();
        Deno.removeSync(path);
      } catch { /* gone already */ }
    });
    listening = true;
  } catch {
    listening = false;
  }
  return listening;
}

/**
 * Whether `worker` ran on this machine in a process that is gone: its socket
 * file is there and refuses. Not this process; unknown (no socket, another
 * machine) counts as alive, so its lease decides.
 */
export async function deadHere(worker: string): Promise<boolean> {
  const [host, pid, tag] = worker.split("/");
  if (host !== HOST || !/^\d+$/.test(pid ?? "") || !tag) return false;
  if (pid === String(Deno.pid) && tag === TAG) return false;
  const path = socketOf(pid, tag);
  try {
    (await Deno.connect({ transport: "unix", path })).close();
    return false;
  } catch (e) {
    if (!(e instanceof Deno.errors.ConnectionRefused)) return false;
    await Deno.remove(path).catch(() => {}); // nobody listens: the worker is gone
    return true;
  }
}
