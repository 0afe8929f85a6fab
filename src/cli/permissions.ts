/**
 * The permissions the experiment command runs with (as `deno task
 * experiment` does), for code that starts it as a subprocess: the sweep
 * runner and the tests.
 * @module
 */

/** `deno run` flags for `src/cli/experiment.ts`; keep in step with deno.json's `experiment` task. */
export const EXPERIMENT_FLAGS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys=cpus",
  "--allow-run=git",
];

/** The experiment command's path. */
export const EXPERIMENT_CLI: string = new URL("./experiment.ts", import.meta.url).pathname;
