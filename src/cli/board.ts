/**
 * `deno task board [root] [--port N] [--host H]`: a local, read-only web page
 * over a folder of runs and sweeps (default `runs`), on 127.0.0.1 unless
 * `--host` says otherwise. Stops with Ctrl-C.
 * @module
 */
import { startBoard } from "../board/server.ts";
import { UserError } from "../errors.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";

const USAGE = "usage: deno task board [root] [--port N] [--host 127.0.0.1]";

const OPTIONS = {
  port: { type: "string", default: "6006" },
  host: { type: "string", default: "127.0.0.1" },
} as const;

async function main({ values, positionals }: Parsed<typeof OPTIONS>): Promise<number> {
  if (positionals.length > 1) throw new UsageError("expected at most one folder");
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port: got ${values.port} (valid: an integer 0-65535)`);
  }
  const root = positionals[0] ?? "runs";
  const isDir = await Deno.stat(root).then((s) => s.isDirectory, (e) => {
    if (!(e instanceof Deno.errors.NotCapable)) return false;
    throw new UserError(
      `duel: ${root}: outside the working directory, which is all \`deno task board\` may read ` +
        `(valid: a folder under it, or deno run --allow-read=${root} --allow-env=LOG_TOKENS,LOG_STREAM --allow-net=127.0.0.1 ` +
        `src/cli/board.ts ${root})`,
    );
  });
  if (!isDir) {
    throw new UserError(`duel: ${root}: not a folder (valid: a folder of runs and sweeps)`);
  }
  const board = await startBoard({ root, hostname: values.host, port });
  console.log(`duel board: ${board.url} (serving ${root}, read-only; Ctrl-C stops it)`);
  await new Promise(() => {});
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
