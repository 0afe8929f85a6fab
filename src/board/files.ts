/**
 * The board's one way to a file: a path under its root, with no `..`
 * segment, whose real path (symbolic links resolved) is still under the
 * root's real path. Anything else is not found.
 * @module
 */
import { extname, join } from "node:path";

/** Content types of the files the board serves. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".gif": "image/gif",
  ".json": "application/json",
  ".jsonl": "text/plain; charset=utf-8",
  ".yaml": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
  ".csv": "text/plain; charset=utf-8",
};

/**
 * The real path of `rel` under `root` if it is a regular file inside the
 * root, else undefined. `rel` is the URL path after the route, still
 * percent-encoded.
 */
export async function fileUnder(root: string, rel: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return undefined;
  }
  const parts = decoded.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  if (parts.some((p) => p === ".." || p.includes("\0"))) return undefined;
  try {
    const top = await Deno.realPath(root);
    const real = await Deno.realPath(join(top, ...parts));
    if (real !== top && !real.startsWith(top.endsWith("/") ? top : `${top}/`)) return undefined;
    return (await Deno.stat(real)).isFile ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The content type for a file name (plain bytes when unknown). */
export const contentType = (path: string): string =>
  CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
