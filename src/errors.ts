/**
 * The one base class of errors that are the user's to fix (a bad file, a bad
 * argument, a report that cannot be made as asked): command-line tools print
 * the message alone, as one line, and exit with {@link UserError.exitCode}.
 * Anything else that escapes is Duel's or the environment's failure (exit 1).
 * @module
 */

/**
 * An error the user can fix; its message is the whole line a tool prints.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UserError } from "../mod.ts";
 * const e = new UserError("exp.yaml:3:7: seed: got string \"x\" (valid: integer >= 0)");
 * assert.equal(e.exitCode, 2);
 * assert.ok(e instanceof Error);
 * ```
 */
export class UserError extends Error {
  /** Exit code for command-line tools: 2, bad input. */
  readonly exitCode: number = 2;
  /**
   * Wraps a finished message.
   * @param message the whole one-line message, position first where there is one
   */
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

/**
 * A run that stopped because training diverged (a loss that is not finite,
 * or a bound of `train.divergence_guard` passed): command-line tools print
 * the line and exit with code 3. The run folder keeps its last finite
 * checkpoint and a `summary.json` that records the stop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DivergedError, UserError } from "../mod.ts";
 * const e = new DivergedError("runs/x: diverged at step 4: g/loss is NaN");
 * assert.equal(e.exitCode, 3);
 * assert.ok(!(e instanceof UserError));
 * ```
 */
export class DivergedError extends Error {
  /** Exit code for command-line tools: 3, diverged. */
  readonly exitCode: number = 3;
  /**
   * Wraps a finished message.
   * @param message the whole one-line message: the step, what went wrong, hints
   */
  constructor(message: string) {
    super(message);
    this.name = "DivergedError";
  }
}

/**
 * `text` on one printable line: control characters (C0, DEL, C1, line and
 * paragraph separators) are written as `\uXXXX`, so a message that quotes
 * binary garbage cannot move the cursor, recolour the terminal or add lines.
 */
export function printable(text: string): string {
  return text.replace(
    // deno-lint-ignore no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
