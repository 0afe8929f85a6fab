/**
 * Where Duel may write: output folders (`output.root`, `--run-dir`, `--root`,
 * `--out`) resolve inside the working directory, through no symlink that
 * leads out of it, unless the user said otherwise on the command line.
 * @module
 */
import { isAbsolute, resolve } from "node:path";

/** Whether `path` is `dir` or inside it (both absolute, normalised). */
function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith("/") ? dir : `${dir}/`);
}

/** `path` with its longest existing prefix resolved through symlinks (the rest as written). */
function realPrefix(path: string): string {
  const rest: string[] = [];
  for (let head = path;; head = resolve(head, "..")) {
    try {
      return resolve(Deno.realPathSync(head), ...rest.reverse());
    } catch {
      if (head === "/") return path;
      rest.push(head.slice(head.lastIndexOf("/") + 1));
    }
  }
}

/**
 * Why writing to `path` would leave `cwd`, or undefined when it stays inside:
 * the path resolves outside (`..`, an absolute path elsewhere), or a symlink
 * on its way leads out. An empty path is never inside (it is refused).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { outsideReason } from "../mod.ts";
 * const cwd = await Deno.makeTempDir();
 * assert.equal(outsideReason("runs", cwd), undefined);
 * assert.match(outsideReason("../../etc/x", cwd)!, /outside the working directory/);
 * await Deno.symlink("/tmp", `${cwd}/out`);
 * assert.match(outsideReason("out/x", cwd)!, /symlink/);
 * assert.match(outsideReason("", cwd)!, /empty/);
 * ```
 */
export function outsideReason(path: string, cwd: string = Deno.cwd()): string | undefined {
  if (path.trim() === "") return "an empty path";
  const base = realPrefix(resolve(cwd));
  const lexical = resolve(cwd, path);
  if (!within(lexical, resolve(cwd)) && !within(lexical, base)) {
    return `${lexical} is outside the working directory ${base}`;
  }
  const real = realPrefix(lexical);
  if (!within(real, base)) {
    return `${path} follows a symlink out of the working directory ${base} (to ${real})`;
  }
  return undefined;
}

/** How the user named a folder to write, for {@link checkWritable}. */
export interface WriteRule {
  /** `--allow-outside` was given: any non-empty path goes. */
  readonly allowOutside: boolean;
  /** The path was typed on the command line (not read from a file). */
  readonly typed: boolean;
  /** The working directory (default: `Deno.cwd()`). */
  readonly cwd?: string;
}

/**
 * Why `path` may not be written under `rule`, or undefined when it may. The
 * rule: a folder inside the working directory always; an absolute path typed
 * on the command line (`--run-dir /data/x`, `--set output.root=/data/runs`)
 * anywhere, as the user named it; anything else outside (a relative path with
 * `..`, an absolute path from a file, a symlink leading out) only with
 * `--allow-outside`. Empty paths never.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkWritable } from "../mod.ts";
 * const cwd = await Deno.makeTempDir();
 * assert.equal(checkWritable("/var/tmp/x", { allowOutside: false, typed: true, cwd }), undefined);
 * assert.ok(checkWritable("/var/tmp/x", { allowOutside: false, typed: false, cwd }));
 * assert.equal(checkWritable("/var/tmp/x", { allowOutside: true, typed: false, cwd }), undefined);
 * assert.ok(checkWritable("", { allowOutside: true, typed: true, cwd }));
 * ```
 */
export function checkWritable(path: string, rule: WriteRule): string | undefined {
  const why = outsideReason(path, rule.cwd);
  if (why === undefined || (why !== "an empty path" && rule.allowOutside)) return undefined;
  if (why !== "an empty path" && rule.typed && isAbsolute(path)) return undefined;
  return why;
}

/** What every refusal offers instead. */
export const OUTSIDE_VALID: string =
  "a folder inside the working directory; --allow-outside, or an absolute path typed on the " +
  "command line, to write elsewhere";
