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
 * import { UserError } from "./errors.ts";
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
