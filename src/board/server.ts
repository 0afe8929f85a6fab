/**
 * The board's server: a read-only page over a folder of runs and sweeps,
 * served with `Deno.serve` on loopback by default. Routes: `/` (the page),
 * `/api/entries` (the list), `/api/metrics?path=<run>` (a run's curves,
 * thinned), `/files/<path>` (files under the root only); everything else,
 * and every other method, is a 404 or 405.
 * @module
 */
import { join } from "node:path";
import { contentType, fileUnder } from "./files.ts";
import { boardPage } from "./page.ts";
import { scanRoot } from "./scan.ts";

/** Where and what the board serves. */
export interface BoardOptions {
  /** The folder of runs and sweeps. */
  readonly root: string;
  /** Interface to bind (default `127.0.0.1`). */
  readonly hostname?: string;
  /** Port (default 0: any free one). */
  readonly port?: number;
}

/** Rows of a run's metrics log kept for the board's curves. */
export const CURVE_ROWS = 600;

const json = (value: unknown) =>
  new Response(JSON.stringify(value), {
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });
const notFound = () => new Response("not found\n", { status: 404 });

/** A run's metrics rows: every evaluation row and about {@link CURVE_ROWS} others, evenly spaced. */
async function curveRows(path: string): Promise<Record<string, number>[]> {
  const lines = (await Deno.readTextFile(path)).split("\n").filter((l) => l.endsWith("}"));
  const stride = Math.max(1, Math.ceil(lines.length / CURVE_ROWS));
  return lines.flatMap((line, i) => {
    if (i % stride !== 0 && i !== lines.length - 1 && !line.includes('"eval/')) return [];
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
}

/**
 * The board's request handler over `root`.
 */
export function boardHandler(root: string): (req: Request) => Promise<Response> {
  return async (req) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("read-only\n", { status: 405 });
    }
    // The raw path: URL parsing would fold `/../` away before the checks see it.
    const raw = req.url.replace(/^[a-z]+:\/\/[^/]*/i, "").split("?")[0];
    const url = new URL(req.url);
    if (raw === "/") {
      return new Response(boardPage(), { headers: { "content-type": "text/html; charset=utf-8" } });
    }
    if (raw === "/api/entries") return json(await scanRoot(root));
    if (raw === "/api/metrics") {
      const file = await fileUnder(root, join(url.searchParams.get("path") ?? "", "metrics.jsonl"));
      return file ? json(await curveRows(file)) : notFound();
    }
    if (raw.startsWith("/files/")) {
      const file = await fileUnder(root, raw.slice("/files/".length));
      if (!file) return notFound();
      return new Response(await Deno.readFile(file), {
        headers: { "content-type": contentType(file), "cache-control": "no-store" },
      });
    }
    return notFound();
  };
}

/**
 * Starts the board; resolves once it listens, with its address and a way to stop it.
 *
 * Inside Duel (`deno task board`): `const board = await startBoard({ root: "runs" })`, then
 * `board.url` to print and `await board.shutdown()` to stop.
 */
export async function startBoard(
  options: BoardOptions,
): Promise<{ url: string; shutdown: () => Promise<void> }> {
  const root = await Deno.realPath(options.root);
  const { promise, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, boardHandler(root));
  const addr = await promise;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return { url: `http://${host}:${addr.port}/`, shutdown: () => server.shutdown() };
}
