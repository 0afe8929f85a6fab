/**
 * The sweep's trial host: one process that runs a sweep slot's trials one
 * after another, each exactly as `deno task experiment <args>` would (the
 * same parsing, run, files, errors and exit codes), so that a slot pays
 * Deno's start-up, the module loading and the first calls' warm-up once
 * rather than once per trial. Its trials' bits equal fresh processes' (the
 * seeds are explicit; tests/sweep_host_test.ts compares them).
 *
 * The runner (`src/sweep/host.ts`) writes one line per trial: its experiment
 * arguments as a JSON array of strings. When the trial has ended the host
 * answers with one line, {@link TRIAL_ANSWER} then `{"code":N,"error"?:…}`.
 * It exits when its stdin closes (the runner ended or died), after the trial
 * it is running.
 * @module
 */
import { EXPERIMENT_COMMAND } from "./experiment.ts";
import { runCommand } from "./command.ts";
import { streamLines, TRIAL_ANSWER, type TrialAnswer } from "../runs/subprocess.ts";

/** Runs the trials read from `input`; answers each through `answer`. */
export async function hostTrials(
  input: ReadableStream<Uint8Array>,
  answer: (line: string) => Promise<void>,
): Promise<void> {
  for await (const line of streamLines(input)) {
    if (line.trim() === "") continue;
    let error: string | undefined;
    let code: number;
    try {
      const args = JSON.parse(line);
      if (!Array.isArray(args) || !args.every((a) => typeof a === "string")) {
        throw new Error("not a JSON array of strings");
      }
      code = await runCommand(EXPERIMENT_COMMAND, args, (message) => error ??= message);
    } catch (e) {
      code = 1;
      error = `duel: trial host: unreadable request ${JSON.stringify(line.slice(0, 80))}: ${
        (e as Error).message
      }`;
    }
    const out: TrialAnswer = error === undefined ? { code } : { code, error };
    await answer(`${TRIAL_ANSWER}${JSON.stringify(out)}\n`);
  }
}

if (import.meta.main) {
  const encoder = new TextEncoder();
  const writer = Deno.stdout.writable.getWriter();
  await hostTrials(Deno.stdin.readable, (line) => writer.write(encoder.encode(line)));
}
