/**
 * How to start one run as a process of its own (the sweep runner's trials,
 * the tests): Deno, the experiment command's permissions, and its script.
 * A description, not an import: the run layer does not depend on the CLI.
 * @module
 */

/**
 * `deno run` flags of the experiment command; keep in step with deno.json's
 * `experiment` task (tests/permissions_test.ts checks that they agree).
 */
export const EXPERIMENT_FLAGS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env=DUEL_CACHE_DIR,XDG_CACHE_HOME,HOME,TMPDIR,TMP,TEMP,LOG_TOKENS,LOG_STREAM,DUEL_INCEPTION",
  "--allow-sys=cpus",
  "--allow-run=git",
];

/**
 * The experiment command's script (`src/cli/experiment.ts`), as a path.
 */
export const EXPERIMENT_CLI: string = new URL("../cli/experiment.ts", import.meta.url).pathname;

/**
 * The arguments of `Deno.execPath()` that run the experiment command with `args`.
 */
export function experimentArgs(args: readonly string[]): string[] {
  return ["run", ...EXPERIMENT_FLAGS, EXPERIMENT_CLI, ...args];
}
