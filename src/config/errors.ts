/**
 * The error of a bad experiment file or override.
 * @module
 */
import { UserError } from "../errors.ts";

/**
 * A bad experiment file or override, as one line
 * (`file:line:col: key.path: what is wrong (valid: ...)`); CLIs exit with code 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ExperimentFileError, UserError } from "../../mod.ts";
 * assert.ok(new ExperimentFileError("e.yaml:1:1: the file is empty") instanceof UserError);
 * ```
 */
export class ExperimentFileError extends UserError {
  /** Wraps a finished message. @param message the whole one-line message, position first */
  constructor(message: string) {
    super(message);
    this.name = "ExperimentFileError";
  }
}
