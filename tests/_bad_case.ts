/**
 * The malformed-experiment corpus: a valid base file, the shape of a case, and
 * the helpers the case tables use (tests/_bad_cases_*.ts). Each case gives the
 * exact line the CLI must print.
 */
import { encode as encodePng } from "fast-png";

/**
 * A valid experiment; each case edits or extends it, so positions can be read off these lines.
 * `"{{RUNS}}"` becomes the case's temp `runs` folder (which must never be created).
 */
export const BASE = [
  /* 1 */ "name: bad",
  /* 2 */ "data: { name: ring8 }",
  /* 3 */ "generator:",
  /* 4 */ "  layers:",
  /* 5 */ "    - { type: dense, units: 16 }",
  /* 6 */ "    - { type: relu }",
  /* 7 */ "    - { type: dense, units: 2 }",
  /* 8 */ "discriminator:",
  /* 9 */ "  layers:",
  /* 10 */ "    - { type: dense, units: 16 }",
  /* 11 */ "    - { type: leaky_relu, alpha: 0.2 }",
  /* 12 */ "    - { type: dense, units: 1 }",
  /* 13 */ "train: { steps: 5, batch_size: 8 }",
  /* 14 */ 'output: { root: "{{RUNS}}" }',
];

/**
 * BASE with some 1-based lines replaced (a replacement may hold several lines; "" blanks a
 * line so later line numbers stay put), then `appended` lines added from line 15 on.
 */
export function variant(replace: Record<number, string>, ...appended: string[]): string {
  const lines = BASE.map((line, i) => replace[i + 1] ?? line);
  return [...lines, ...appended].join("\n") + "\n";
}

export const names = (table: object): string => Object.keys(table).join(", ");

/** Where the error line must point: `[line, col]` in the file, a `--set` argument, or the file. */
export type Where = readonly [line: number, col: number] | `--set ${string}` | "unreadable";

export interface BadCase {
  /** What is wrong, in words. */
  readonly name: string;
  /** The file's text; `null` means no file is written (the CLI gets a missing path). */
  readonly yaml: string | null;
  /** `--set` arguments, in order. */
  readonly set?: readonly string[];
  /** The expected position prefix (line and column worked out by hand from the text). */
  readonly at: Where;
  /** The key path that must follow the prefix (`<key.path>: `); `null` when there is none. */
  readonly key: string | null;
  /** A substring or pattern of what follows the prefix. */
  readonly message: string | RegExp;
  /** A substring of the `(valid: ...)` part that must end the line. */
  readonly valid?: string;
  /**
   * Files written into the case's temp dir before the run (paths relative to it, e.g. an image
   * folder); `{{DIR}}` in the YAML, the `--set` arguments and `at` becomes the temp dir.
   */
  readonly files?: Readonly<Record<string, Uint8Array | string>>;
}

/** An all-black grey PNG of `h x w`. */
export const png = (h: number, w: number): Uint8Array =>
  encodePng({ width: w, height: h, data: new Uint8Array(h * w), channels: 1 });

/** `data:` of an image folder `<tmp>/<folder>`, flow style (the path's value is at column 29). */
export const imagesData = (folder: string): string =>
  `data: { name: images, path: "{{DIR}}/${folder}", size: [8, 8], channels: 1 }`;
