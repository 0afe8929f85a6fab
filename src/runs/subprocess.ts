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

/**
 * The sweep's trial host script (`src/cli/trial_host.ts`), as a path: one
 * process that runs a sweep slot's trials one after another.
 */
export const TRIAL_HOST_CLI: string = new URL("../cli/trial_host.ts", import.meta.url).pathname;

/** The arguments of `Deno.execPath()` that start a trial host (the experiment's permissions). */
export function trialHostArgs(): string[] {
  return ["run", ...EXPERIMENT_FLAGS, TRIAL_HOST_CLI];
}

/**
 * How a trial host's answer line starts (a record separator, then a word):
 * the rest is `{"code": <exit code>, "error"?: <line>}`. Other lines on its
 * stdout are the trials' own and are not answers.
 */
export const TRIAL_ANSWER = "\u001eduel-trial ";

/** What a trial host answers when a trial has ended: the experiment command's exit code and error line. */
export interface TrialAnswer {
  /** The exit code `deno task experiment` would have had: 0 done, 1 environment, 2 bad input, 3 diverged. */
  readonly code: number;
  /** The line it would have printed last, where it failed. */
  readonly error?: string;
}

/**
 * The lines of a byte stream (UTF-8, `\n` or `\r\n` ends), the last one
 * without an end included (tests/sweep_host_test.ts).
 */
export async function* streamLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const part of parts) yield part.endsWith("\r") ? part.slice(0, -1) : part;
  }
  if (rest !== "") yield rest;
}
