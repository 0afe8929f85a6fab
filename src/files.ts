/**
 * Atomic file writes, shared by every layer that writes files (run folders,
 * the classifier cache, reports, the kernels build).
 * @module
 */

/**
 * Writes `data` to `path` atomically: a temporary file beside it, then a
 * rename, so a reader (or a resumed run) never sees half a file.
 */
export async function writeAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  if (typeof data === "string") await Deno.writeTextFile(tmp, data);
  else await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}
