/**
 * What the board lists: the runs and sweeps under its root, each with its
 * name, objective, data, state and progress, read from the folders' files
 * (never written to; a sweep's store is not opened).
 * @module
 */
import { join, relative } from "node:path";
import { parse } from "../deps/yaml.ts";

/** One run or sweep under the board's root. */
export interface Entry {
  /** Path relative to the root, `/`-separated. */
  readonly path: string;
  /** A run folder or a sweep folder. */
  readonly kind: "run" | "sweep";
  /** The experiment's (or sweep folder's) name. */
  readonly name: string;
  /** The objective's name (runs). */
  readonly objective: string;
  /** The data set's name (runs). */
  readonly data: string;
  /** `finished` (summary written), `running` (log written lately) or `stopped`. */
  readonly state: "finished" | "running" | "stopped";
  /** Last logged step (runs) or finished trials (sweeps). */
  readonly step: number;
  /** Steps (runs) or trial folders (sweeps). */
  readonly total: number;
  /** When `report.html` was last written (ms since the epoch; 0: none): the page reloads on a change. */
  readonly report: number;
}

/** A run whose log changed within this many milliseconds counts as running. */
export const RUNNING_MS = 30_000;

const stat = (p: string) => Deno.stat(p).catch(() => undefined);

/** The last complete row's step in a metrics log, read from its tail. */
async function lastStep(path: string): Promise<number> {
  const file = await Deno.open(path).catch(() => undefined);
  if (!file) return 0;
  try {
    const size = (await file.stat()).size, take = Math.min(size, 8192);
    await file.seek(size - take, Deno.SeekMode.Start);
    const buf = new Uint8Array(take);
    let got = 0;
    while (got < take) got += (await file.read(buf.subarray(got))) ?? take;
    const lines = new TextDecoder().decode(buf).split("\n").filter((l) => l.endsWith("}"));
    for (const line of lines.reverse()) {
      const step = line.match(/^\{"step":(\d+)/)?.[1];
      if (step) return Number(step);
    }
    return 0;
  } finally {
    file.close();
  }
}

interface RunConfig {
  name?: string;
  objective?: { name?: string };
  data?: { name?: string };
  train?: { steps?: number };
}

/** Parsed configs by file, kept while the file is unchanged (the page polls every second). */
const configs = new Map<string, { mtime: number; config: RunConfig }>();

async function configOf(path: string): Promise<RunConfig> {
  const mtime = (await Deno.stat(path)).mtime?.getTime() ?? 0;
  const known = configs.get(path);
  if (known && known.mtime === mtime) return known.config;
  const config = (parse(await Deno.readTextFile(path)) ?? {}) as RunConfig;
  configs.set(path, { mtime, config });
  return config;
}

async function runEntry(root: string, dir: string, now: number): Promise<Entry> {
  const config = await configOf(join(dir, "config.resolved.yaml"));
  const log = await stat(join(dir, "metrics.jsonl"));
  const finished = Boolean(await stat(join(dir, "summary.json")));
  const recent = (log?.mtime?.getTime() ?? 0) > now - RUNNING_MS;
  return {
    path: relative(root, dir),
    kind: "run",
    name: config.name ?? "?",
    objective: config.objective?.name ?? "?",
    data: config.data?.name ?? "?",
    state: finished ? "finished" : recent ? "running" : "stopped",
    step: await lastStep(join(dir, "metrics.jsonl")),
    total: config.train?.steps ?? 0,
    report: (await stat(join(dir, "report.html")))?.mtime?.getTime() ?? 0,
  };
}

/**
 * Every run and sweep folder under `root` (at most `depth` levels down), in
 * path order. Symbolic links are not followed.
 *
 * Inside Duel it is used as `const entries = await scanRoot("runs");`.
 */
export async function scanRoot(root: string, depth = 6): Promise<Entry[]> {
  const out: Entry[] = [];
  const now = Date.now();
  const walk = async (dir: string, level: number): Promise<void> => {
    const names = new Map<string, Deno.DirEntry>();
    for await (const e of Deno.readDir(dir)) names.set(e.name, e);
    if (names.get("config.resolved.yaml")?.isFile) {
      out.push(
        await runEntry(root, dir, now).catch(() => ({
          path: relative(root, dir),
          kind: "run" as const,
          name: "?",
          objective: "?",
          data: "?",
          state: "stopped" as const,
          step: 0,
          total: 0,
          report: 0,
        })),
      );
      return;
    }
    if (names.get("sweep.db")?.isFile) {
      const trials = await Array.fromAsync(Deno.readDir(join(dir, "trials"))).catch(() => []);
      const done = await Promise.all(
        trials.map((t) => stat(join(dir, "trials", t.name, "summary.json"))),
      );
      const finished = done.filter(Boolean).length;
      out.push({
        path: relative(root, dir),
        kind: "sweep",
        name: dir.split("/").pop()!,
        objective: "(several)",
        data: "(see runs)",
        state: finished === trials.length && trials.length ? "finished" : "stopped",
        step: finished,
        total: trials.length,
        report: (await stat(join(dir, "report.html")))?.mtime?.getTime() ?? 0,
      });
    }
    if (level >= depth) return;
    for (const [name, e] of [...names].sort(([a], [b]) => a.localeCompare(b))) {
      if (e.isDirectory && !name.startsWith(".") && name !== "checkpoints") {
        await walk(join(dir, name), level + 1);
      }
    }
  };
  await walk(root, 0);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
