/**
 * A sweep slot's trial host, seen from the runner: one `deno` process
 * (`src/cli/trial_host.ts`) that runs the slot's trials one after another,
 * as `deno task experiment` would, without a process start per trial. A
 * slot starts a fresh host for its first trial, after a trial that failed,
 * was killed or diverged (nothing it left behind is reused), and when a
 * trial's backend differs from the host's.
 * @module
 */
import { streamLines, TRIAL_ANSWER, type TrialAnswer, trialHostArgs } from "../runs/subprocess.ts";

/** A trial's outcome: done, or its error line and whether it diverged (exit 3). */
export type Outcome = { readonly error?: undefined } | {
  readonly error: string;
  readonly diverged: boolean;
};

/** One trial host process; runs one trial at a time. */
export class TrialHost {
  readonly #child: Deno.ChildProcess;
  readonly #input: WritableStreamDefaultWriter<Uint8Array>;
  readonly #ended: Promise<void>;
  #lastError = "";
  #waiting?: (outcome: Outcome) => void;
  #alive = true;

  /**
   * Starts a host process.
   * @param key what trials it may run (the runner's backend key): a trial with another key gets another host
   */
  constructor(readonly key: string) {
    const child = this.#child = new Deno.Command(Deno.execPath(), {
      args: trialHostArgs(),
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#input = child.stdin.getWriter();
    const answers = (async () => {
      for await (const line of streamLines(child.stdout)) {
        if (!line.startsWith(TRIAL_ANSWER)) continue; // a trial's own line
        const answer = JSON.parse(line.slice(TRIAL_ANSWER.length)) as TrialAnswer;
        this.#settle(
          answer.code === 0
            ? {}
            : { error: answer.error ?? `exit code ${answer.code}`, diverged: answer.code === 3 },
        );
      }
    })();
    const errors = (async () => {
      for await (const line of streamLines(child.stderr)) {
        if (line.trim() !== "") this.#lastError = line;
      }
    })();
    this.#ended = Promise.all([child.status, answers, errors]).then(([status]) => {
      this.#alive = false;
      // Ended without answering (killed, crashed): its last stderr line, as a trial process's.
      this.#settle({ error: this.#lastError || `exit code ${status.code}`, diverged: false });
    });
  }

  #settle(outcome: Outcome): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.(outcome);
  }

  /** Whether the process still runs (a killed or crashed host cannot take another trial). */
  get alive(): boolean {
    return this.#alive;
  }

  /** Runs one trial: `args` as `deno task experiment` takes them; resolves when it has ended. */
  run(args: readonly string[]): Promise<Outcome> {
    if (this.#waiting) throw new Error("trial host: one trial at a time");
    this.#lastError = ""; // an earlier trial's warning is not this one's error
    const outcome = new Promise<Outcome>((resolve) => this.#waiting = resolve);
    if (!this.#alive) this.#settle({ error: "trial host: ended", diverged: false });
    else {
      this.#input.write(new TextEncoder().encode(`${JSON.stringify(args)}\n`)).catch(() => {
        // The process ended: #ended settles the outcome.
      });
    }
    return outcome;
  }

  /** Kills the process and the trial it runs (SIGKILL). */
  kill(): void {
    try {
      this.#child.kill("SIGKILL");
    } catch { /* already ended */ }
  }

  /** Lets the process end once its trial has (stdin closed), and waits for it. */
  async close(): Promise<void> {
    await this.#input.close().catch(() => {});
    await this.#ended;
  }
}
