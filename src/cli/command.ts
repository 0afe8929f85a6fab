/**
 * The one shape of Duel's command-line tools: parse the arguments, print the
 * usage on a bad one, and map errors to exit codes (a {@link UserError}: its
 * line and its code, 2; a {@link UsageError}: the line and the usage, 2;
 * a {@link DivergedError}: its line and 3; anything else: `duel: <message>`
 * and 1). Every message is printed as one printable line (control characters
 * escaped, nothing after the first line break). A tool declares its usage and
 * options and writes only what it does.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { DivergedError, printable, UserError } from "../errors.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed arguments a tool's `main` receives. */
export type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; options: O }>
>;

/** A wrong use of a tool: printed as `duel: <message>` and the usage, exit 2. */
export class UsageError extends UserError {
  /**
   * Wraps what is wrong.
   * @param message what is wrong with the arguments, without the usage
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** What a command-line tool is. */
export interface Command<O extends Options> {
  /** The usage text, printed after a {@link UsageError} and for `--help` where offered. */
  readonly usage: string;
  /** `node:util` parseArgs options (strict: an unknown flag is a usage error). */
  readonly options: O;
  /** The tool's work; returns its exit code. `args` are the raw arguments. */
  main(parsed: Parsed<O>, args: readonly string[]): Promise<number>;
}

/** The first line of a message, printable (see {@link printable}). */
const line = (message: string): string => printable(message.split("\n")[0]);

/**
 * Runs `command` on `args` and returns the exit code, having printed what the
 * user should see. Tools call it as `if (import.meta.main) Deno.exit(await runCommand(...))`.
 * `printError` receives the error line, then the usage where it is printed
 * (default `console.error`; the sweep's trial host keeps the line as the trial's error).
 */
export async function runCommand<O extends Options>(
  command: Command<O>,
  args: readonly string[],
  printError: (message: string, usage?: string) => void = (message, usage) =>
    console.error(usage === undefined ? message : `${message}\n${usage}`),
): Promise<number> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...args], allowPositionals: true, options: command.options });
  } catch (e) {
    printError(`duel: ${line((e as Error).message)}`, command.usage);
    return 2;
  }
  try {
    return await command.main(parsed, args);
  } catch (e) {
    if (e instanceof UsageError) {
      printError(`duel: ${line(e.message)}`, command.usage);
      return e.exitCode;
    }
    if (e instanceof UserError || e instanceof DivergedError) {
      printError(line(e.message));
      return e.exitCode;
    }
    printError(`duel: ${line(e instanceof Error ? e.message : String(e))}`);
    return 1;
  }
}
