/**
 * One writer per run folder: the writing process holds an exclusive advisory
 * lock (flock) on `<run dir>/.lock`, which records its pid. The operating
 * system drops the lock when the process ends however it ends, so a lock file
 * without a live lock is stale: it is taken over, with a warning. A second
 * process is refused with one line naming the holder's pid. No process table
 * is read, so this needs no permission beyond writing the folder.
 * @module
 */

/** A held run folder lock; {@link RunLock.release} drops it and removes the file. */
export interface RunLock {
  /** Drops the lock and removes the lock file. */
  release(): void;
}

/** The pid a lock file records, if it records one. */
function holderOf(file: Deno.FsFile): number | undefined {
  const buf = new Uint8Array(64);
  file.seekSync(0, Deno.SeekMode.Start);
  const n = file.readSync(buf) ?? 0;
  const pid = Number(new TextDecoder().decode(buf.subarray(0, n)).trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Takes the lock of run folder `dir`, or throws one line naming the process
 * that holds it. A stale lock file (its process gone) is taken over, and
 * `warn` gets one line saying so.
 */
export function lockRunFolder(dir: string, warn: (line: string) => void): RunLock {
  const path = `${dir}/.lock`;
  const file = Deno.openSync(path, { read: true, write: true, create: true });
  try {
    const before = holderOf(file);
    if (!file.tryLockSync(true)) {
      throw new Error(
        `${dir}: the run folder is being written by process ${before ?? "(unknown)"} ` +
          `(lock ${path}); wait for it to end, or stop it`,
      );
    }
    if (before !== undefined) {
      warn(`duel: warning: ${dir}: took over a stale lock of process ${before}, which has ended`);
    }
    file.truncateSync(0);
    file.seekSync(0, Deno.SeekMode.Start);
    file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch (e) {
    file.close();
    throw e;
  }
  return {
    release() {
      try {
        Deno.removeSync(path);
      } catch { /* already gone */ }
      file.close(); // closing drops the lock
    },
  };
}
