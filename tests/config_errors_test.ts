/**
 * Experiment-file validation: every malformed file or `--set` override must make
 * `deno task experiment` print ONE line, `<file>:<line>:<col>: <key.path>: <what is wrong>
 * (valid: ...)` (or `--set <arg>: ...`, or `<file>: cannot read ...`), exit with code 2,
 * print no stack trace and write nothing. Plus in-process tests of `parseExperiment`.
 */
import assert from "node:assert/strict";
import { EXPERIMENT_FLAGS } from "../src/cli/permissions.ts";
import { join } from "node:path";
import { encode as encodePng } from "fast-png";
import { ExperimentFileError, parseExperiment } from "../src/config/load.ts";
import { DATASETS } from "../src/data/datasets.ts";
import { LAYERS } from "../src/nn/layers.ts";
import { OBJECTIVES } from "../src/objectives/objectives.ts";
import { OPTIMIZERS } from "../src/train/optimizers.ts";

// ---------------------------------------------------------------------------------------------
// The malformed cases.

/**
 * A valid experiment; each case edits or extends it, so positions can be read off these lines.
 * `"{{RUNS}}"` becomes the case's temp `runs` folder (which must never be created).
 */
const BASE = [
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
function variant(replace: Record<number, string>, ...appended: string[]): string {
  const lines = BASE.map((line, i) => replace[i + 1] ?? line);
  return [...lines, ...appended].join("\n") + "\n";
}

const names = (table: object): string => Object.keys(table).join(", ");

/** Where the error line must point: `[line, col]` in the file, a `--set` argument, or the file. */
type Where = readonly [line: number, col: number] | `--set ${string}` | "unreadable";

interface BadCase {
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
const png = (h: number, w: number): Uint8Array =>
  encodePng({ width: w, height: h, data: new Uint8Array(h * w), channels: 1 });

/** `data:` of an image folder `<tmp>/<folder>`, flow style (the path's value is at column 29). */
const imagesData = (folder: string) =>
  `data: { name: images, path: "{{DIR}}/${folder}", size: [8, 8], channels: 1 }`;

const CASES: readonly BadCase[] = [
  // Unknown keys.
  {
    name: "unknown top-level key",
    yaml: variant({}, "bogus: 1"),
    at: [15, 1],
    key: "bogus",
    message: "unknown key",
    valid: "version, name, seed, data, noise, generator, discriminator",
  },
  {
    name: "unknown nested key (train.stpes, flow style)",
    yaml: variant({ 13: "train: { stpes: 5, batch_size: 8 }" }),
    at: [13, 10],
    key: "train.stpes",
    message: "unknown key",
    valid:
      "steps, batch_size, discriminator_steps, generator_steps, ema, lr_schedule, checkpoint_every",
  },
  {
    name: "unknown nested key (train.batchsize, block style)",
    yaml: variant({ 13: "train:\n  steps: 5\n  batchsize: 8" }),
    at: [15, 3],
    key: "train.batchsize",
    message: "unknown key",
    valid: "steps, batch_size",
  },
  {
    name: "unknown key inside a layer",
    yaml: variant({ 5: "    - { type: dense, units: 16, bias: false }" }),
    at: [5, 33],
    key: "generator.layers[0].bias",
    message: "unknown key",
    valid: "type, units",
  },
  // Wrong types.
  {
    name: "string where a number goes",
    yaml: variant({ 13: "train: { steps: five, batch_size: 8 }" }),
    at: [13, 17],
    key: "train.steps",
    message: 'got string "five"',
    valid: "integer >= 1",
  },
  {
    name: "list where a mapping goes",
    yaml: variant({ 13: "train: [5, 8]" }),
    at: [13, 8],
    key: "train",
    message: "got a list",
    valid: "a mapping",
  },
  {
    name: "mapping where a list goes",
    yaml: variant({ 4: "  layers: { type: dense, units: 2 }", 5: "", 6: "", 7: "" }),
    at: [4, 11],
    key: "generator.layers",
    message: "got a mapping",
    valid: "a list",
  },
  // Out-of-range values.
  {
    name: "batch_size 0",
    yaml: variant({ 13: "train: { steps: 5, batch_size: 0 }" }),
    at: [13, 32],
    key: "train.batch_size",
    message: "got number 0",
    valid: "integer >= 1",
  },
  {
    name: "negative learning rate",
    yaml: variant({}, "optimizer:", "  generator: { name: adam, lr: -0.001 }"),
    at: [16, 32],
    key: "optimizer.generator.lr",
    message: "got number -0.001",
    valid: "number > 0",
  },
  {
    name: "beta2 = 1",
    yaml: variant({}, "optimizer:", "  discriminator: { name: adam, betas: [0.5, 1.0] }"),
    at: [16, 45],
    key: "optimizer.discriminator.betas[1]",
    message: "got number 1",
    valid: "number >= 0 and < 1",
  },
  {
    name: "leaky_relu alpha > 1",
    yaml: variant({ 11: "    - { type: leaky_relu, alpha: 1.5 }" }),
    at: [11, 34],
    key: "discriminator.layers[1].alpha",
    message: "got number 1.5",
    valid: "number >= 0 and <= 1",
  },
  {
    name: "negative seed",
    yaml: variant({}, "seed: -1"),
    at: [15, 7],
    key: "seed",
    message: "got number -1",
    valid: "integer >= 0",
  },
  {
    name: "non-integer steps",
    yaml: variant({ 13: "train: { steps: 2.5, batch_size: 8 }" }),
    at: [13, 17],
    key: "train.steps",
    message: "got number 2.5",
    valid: "integer >= 1",
  },
  // Unknown names: the message lists every valid name.
  {
    name: "unknown layer type",
    yaml: variant({ 6: "    - { type: gelu }" }),
    at: [6, 15],
    key: "generator.layers[1].type",
    message: 'unknown type "gelu"',
    valid: names(LAYERS),
  },
  {
    name: "unknown objective",
    yaml: variant({}, "objective: { name: wgan }"),
    at: [15, 20],
    key: "objective.name",
    message: 'unknown name "wgan"',
    valid: names(OBJECTIVES),
  },
  {
    name: "unknown optimiser",
    yaml: variant({}, "optimizer:", "  discriminator: { name: adamw, lr: 0.001 }"),
    at: [16, 26],
    key: "optimizer.discriminator.name",
    message: 'unknown name "adamw"',
    valid: names(OPTIMIZERS),
  },
  {
    name: "unknown data set",
    yaml: variant({ 2: "data: { name: moons }" }),
    at: [2, 15],
    key: "data.name",
    message: 'unknown name "moons"',
    valid: names(DATASETS),
  },
  {
    name: "unknown noise distribution",
    yaml: variant({}, "noise: { distribution: gaussian, dim: 4 }"),
    at: [15, 24],
    key: "noise.distribution",
    message: 'unknown value "gaussian"',
    valid: "normal, uniform",
  },
  // Missing keys and empty lists (positioned at the mapping that lacks the key).
  {
    name: "generator.layers absent",
    yaml: variant({ 3: "generator: {}", 4: "", 5: "", 6: "", 7: "" }),
    at: [3, 12],
    key: "generator.layers",
    message: "missing required key",
    valid: "list of at least 1",
  },
  {
    name: "name absent",
    yaml: variant({ 1: "# this experiment has no name" }),
    at: [2, 1],
    key: "name",
    message: "missing required key",
    valid: "letters, digits",
  },
  {
    name: "dense layer without units",
    yaml: variant({ 5: "    - { type: dense }" }),
    at: [5, 7],
    key: "generator.layers[0].units",
    message: "missing required key",
    valid: "integer >= 1",
  },
  {
    name: "empty layer list",
    yaml: variant({ 9: "  layers: []", 10: "", 11: "", 12: "" }),
    at: [9, 11],
    key: "discriminator.layers",
    message: "has 0 items",
    valid: "at least 1",
  },
  // Checks across keys.
  {
    name: "generator ends with 3 values for 2-D ring8",
    yaml: variant({ 7: "    - { type: dense, units: 3 }" }),
    at: [7, 7],
    key: "generator.layers[2]",
    message: "the generator ends with 3 values per example but ring8 has 2",
    valid: "end with a layer giving 2",
  },
  {
    name: "critic ends with 2 units",
    yaml: variant({ 12: "    - { type: dense, units: 2 }" }),
    at: [12, 7],
    key: "discriminator.layers[2]",
    message: "the critic ends with 2 values per example",
    valid: "a layer giving 1 value",
  },
  {
    name: "mixture component with a shorter mean",
    yaml: variant({
      2: [
        "data:",
        "  name: mixture",
        "  components:",
        "    - { mean: [0, 0], std: 0.1 }",
        "    - { mean: [1, 1], std: 0.1 }",
        "    - { mean: [2], std: 0.1 }",
      ].join("\n"),
    }),
    at: [7, 15],
    key: "data.components[2].mean",
    message: "has 1 coordinate",
    valid: "2, like components[0].mean",
  },
  {
    name: "mixture std list of the wrong length",
    yaml: variant({
      2: "data:\n  name: mixture\n  components:\n    - { mean: [0, 0], std: [0.1, 0.2, 0.3] }",
    }),
    at: [5, 28],
    key: "data.components[0].std",
    message: "has 3 values",
    valid: "1 or 2",
  },
  {
    name: "betas with 3 items",
    yaml: variant({}, "optimizer:", "  generator: { name: adam, betas: [0.5, 0.9, 0.99] }"),
    at: [16, 35],
    key: "optimizer.generator.betas",
    message: "has 3 items",
    valid: "2 items",
  },
  {
    name: 'name "a/b" (not a folder name)',
    yaml: variant({ 1: "name: a/b" }),
    at: [1, 7],
    key: "name",
    message: 'got string "a/b"',
    valid: "letters, digits",
  },
  // Not YAML, or not a mapping.
  {
    name: "YAML syntax: flow mapping closed with ]",
    yaml: variant({ 2: "data: { name: ring8 ]" }),
    at: [2, 21],
    key: null,
    message: /^YAML syntax: /,
  },
  {
    name: "YAML syntax: bad indentation",
    // yaml reports the start of the misindented line (the indentation is what is wrong).
    yaml: variant({ 13: "train:\n  steps: 5\n batch_size: 8" }),
    at: [15, 1],
    key: null,
    message: /^YAML syntax: .*same column/,
  },
  {
    name: "YAML syntax: duplicate key",
    yaml: variant({ 13: "train:\n  steps: 5\n  steps: 6" }),
    at: [15, 3],
    key: null,
    message: /^YAML syntax: .*unique/,
  },
  {
    name: "YAML alias",
    yaml: variant({ 13: "train: { steps: &n 5, batch_size: *n }" }),
    at: [13, 35],
    key: null,
    message: /^YAML syntax: aliases \(\*name\) are not supported/,
  },
  {
    name: "empty file",
    yaml: "",
    at: [1, 1],
    key: null,
    message: /^the file is empty/,
    valid: "a mapping with keys name, data",
  },
  {
    name: "top level is a list",
    yaml: "- name: bad\n- data: { name: ring8 }\n",
    at: [1, 1],
    key: null,
    message: /^the top level is not a mapping/,
    valid: "a mapping with keys name, data",
  },
  {
    name: "missing file",
    yaml: null,
    at: "unreadable",
    key: null,
    message: /^cannot read the experiment file: no such file$/,
  },
  // Bad --set overrides.
  {
    name: "--set value of the wrong type",
    yaml: variant({}),
    set: ["train.steps=abc"],
    at: "--set train.steps=abc",
    key: "train.steps",
    message: 'got string "abc"',
    valid: "integer >= 1",
  },
  {
    name: "--set blames the override that is wrong, not an earlier one",
    yaml: variant({}),
    set: ["train.steps=10", "train.batch_size=0"],
    at: "--set train.batch_size=0",
    key: "train.batch_size",
    message: "got number 0",
    valid: "integer >= 1",
  },
  {
    name: "--set unknown key",
    yaml: variant({}),
    set: ["train.stpes=3"],
    at: "--set train.stpes=3",
    key: "train.stpes",
    message: "unknown key",
    valid: "steps, batch_size",
  },
  {
    name: "--set list index that does not exist",
    yaml: variant({}),
    set: ["generator.layers[5].units=3"],
    at: "--set generator.layers[5].units=3",
    key: "generator.layers[5].units",
    message: /no list item \[5\] in generator\.layers/,
    valid: "[0] to [2]",
  },
  {
    name: "--set with no '='",
    yaml: variant({}),
    set: ["train.steps"],
    at: "--set train.steps",
    key: null,
    message: /^not key=value/,
    valid: "key.path=value",
  },
  {
    name: "--set value that is not YAML",
    yaml: variant({}),
    set: ["train.steps=[1"],
    at: "--set train.steps=[1",
    key: "train.steps",
    message: /is not valid YAML/,
  },
  {
    name: "--set under an optimiser the file leaves to its default",
    yaml: variant({}),
    set: ["optimizer.discriminator.lr=-1"],
    at: "--set optimizer.discriminator.lr=-1",
    key: "optimizer.discriminator.lr",
    message: "got number -1",
    valid: "number > 0",
    // At commit e84b0a8 this failed: the override replaced the default optimiser by { lr: -1 },
    // which lacks `name` (`<file>:1:1: optimizer.discriminator.name: missing required key`).
  },
  {
    name: "--set that breaks the generator's output shape",
    yaml: variant({}),
    set: ["generator.layers[2].units=3"],
    at: "--set generator.layers[2].units=3",
    key: "generator.layers[2]",
    message: "the generator ends with 3 values per example",
  },
  // Image folders: the error points at data.path (or the key at fault) and names the file.
  {
    name: "images: the folder does not exist",
    yaml: variant({ 2: imagesData("nowhere") }),
    at: [2, 29],
    key: "data.path",
    message: /^data\.path: folder ".*\/nowhere" does not exist/,
    valid: "a folder of PNG or JPEG files, relative to the current directory",
  },
  {
    name: "images: the folder holds no PNG or JPEG file (block style)",
    yaml: variant({
      2: 'data:\n  name: images\n  path: "{{DIR}}/pics"\n  size: [8, 8]\n  channels: 1',
    }),
    files: { "pics/readme.txt": "no pictures" },
    at: [4, 9],
    key: "data.path",
    message: /folder ".*\/pics" holds no PNG or JPEG files/,
    valid: "*.png, *.jpg or *.jpeg",
  },
  {
    name: "images: a corrupt file",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": "not a PNG at all" },
    at: [2, 29],
    key: "data.path",
    message: /\/pics\/b\.png: cannot decode it: not a PNG or JPEG file/,
    valid: "readable PNG or JPEG files",
  },
  {
    name: "images: a truncated PNG",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": png(8, 8).slice(0, 40) },
    at: [2, 29],
    key: "data.path",
    message: /\/pics\/b\.png: cannot decode it: /,
    valid: "readable PNG or JPEG files",
  },
  {
    name: "images: mixed sizes name the first file that differs and both sizes",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": png(8, 8), "pics/c.png": png(10, 6) },
    at: [2, 29],
    key: "data.path",
    message: /\/pics\/c\.png is 10x6 \(height x width\) but .*\/pics\/a\.png is 8x8/,
    valid: "images of one size in a folder",
  },
  {
    name: "images: held_out leaves nothing to train on",
    yaml: variant({
      2: 'data: { name: images, held_out: 2, size: [8, 8], channels: 1, path: "{{DIR}}/pics" }',
    }),
    files: { "pics/a.png": png(8, 8), "pics/b.png": png(8, 8) },
    at: [2, 33],
    key: "data.held_out",
    message: "is 2 but",
    valid: "0 to 1",
  },
  {
    name: "images: channels 2",
    yaml: variant({ 2: 'data: { name: images, channels: 2, size: [8, 8], path: "{{DIR}}/pics" }' }),
    files: { "pics/a.png": png(8, 8) },
    at: [2, 33],
    key: "data.channels",
    message: "got number 2",
    valid: "1 (grey) or 3 (RGB)",
  },
  {
    name: "images: --set data.path to a missing folder blames the override",
    yaml: variant({ 2: imagesData("pics") }),
    files: { "pics/a.png": png(8, 8) },
    set: ["data.path={{DIR}}/elsewhere"],
    at: "--set data.path={{DIR}}/elsewhere",
    key: "data.path",
    message: /elsewhere" does not exist/,
  },
];

// ---------------------------------------------------------------------------------------------
// Running the CLI.

const REPO = new URL("../", import.meta.url);
const CLI = ["run", ...EXPERIMENT_FLAGS, "src/cli/experiment.ts"];
const YAML_NAME = "experiment.yaml";

interface Outcome {
  readonly file: string;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether `<tmp>/runs` existed after the run. */
  readonly runsExists: boolean;
  /** What the temp dir held after the run. */
  readonly left: readonly string[];
  /** The case's temp dir. */
  readonly dir: string;
}

async function runCli(c: BadCase): Promise<Outcome> {
  const dir = await Deno.makeTempDir({ prefix: "duel_config_errors_" });
  try {
    const file = join(dir, YAML_NAME);
    const runs = join(dir, "runs");
    if (c.yaml !== null) {
      const yaml = c.yaml.replaceAll('"{{RUNS}}"', JSON.stringify(runs)).replaceAll("{{DIR}}", dir);
      await Deno.writeTextFile(file, yaml);
    }
    for (const [name, content] of Object.entries(c.files ?? {})) {
      await Deno.mkdir(join(dir, name, ".."), { recursive: true });
      if (typeof content === "string") await Deno.writeTextFile(join(dir, name), content);
      else await Deno.writeFile(join(dir, name), content);
    }
    const sets = (c.set ?? []).map((s) => s.replaceAll("{{DIR}}", dir));
    const args = [...CLI, file, ...sets.flatMap((s) => ["--set", s])];
    const out = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: REPO,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const runsExists = await Deno.lstat(runs).then(() => true, () => false);
    const left = (await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort();
    const text = new TextDecoder();
    return {
      file,
      code: out.code,
      stdout: text.decode(out.stdout),
      stderr: text.decode(out.stderr),
      runsExists,
      left,
      dir,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function checkOutcome(c: BadCase, o: Outcome): void {
  const err = o.stderr.trim();
  const shown = `stderr:\n${o.stderr}\nstdout:\n${o.stdout}`;
  assert.equal(o.code, 2, `exit code; ${shown}`);
  assert.doesNotMatch(o.stderr, /^\s+at /m, `stack trace; ${shown}`);
  assert.ok(err !== "" && !err.includes("\n"), `exactly one stderr line; ${shown}`);
  assert.doesNotMatch(o.stdout, /run folder/, `run folder line on stdout; ${shown}`);
  assert.equal(o.runsExists, false, "<tmp>/runs was created");
  const given = Object.keys(c.files ?? {}).map((f) => f.split("/")[0]);
  const expected = [...new Set([...(c.yaml === null ? [] : [YAML_NAME]), ...given])].sort();
  assert.deepEqual(o.left, expected, "files left in the temp dir");

  const prefix = Array.isArray(c.at)
    ? `${o.file}:${c.at[0]}:${c.at[1]}: `
    : c.at === "unreadable"
    ? `${o.file}: `
    : `${(c.at as string).replaceAll("{{DIR}}", o.dir)}: `;
  assert.ok(err.startsWith(prefix), `expected the prefix ${JSON.stringify(prefix)}, got\n${err}`);
  const rest = err.slice(prefix.length);
  if (c.key !== null) {
    assert.ok(rest.startsWith(`${c.key}: `), `expected key path ${c.key}, got\n${err}`);
  }
  if (typeof c.message === "string") {
    assert.ok(rest.includes(c.message), `expected ${JSON.stringify(c.message)} in\n${err}`);
  } else {
    assert.match(rest, c.message);
  }
  if (c.valid !== undefined) {
    const valid = /\(valid: (.*)\)$/.exec(rest)?.[1];
    assert.ok(valid !== undefined, `expected a final "(valid: ...)" in\n${err}`);
    assert.ok(valid.includes(c.valid), `expected ${JSON.stringify(c.valid)} as valid in\n${err}`);
  }
}

/** Runs `job`s with at most `width` at a time; each promise settles with its own job. */
function limited(width: number): <T>(job: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (job) => {
    if (active < width) active++;
    else await new Promise<void>((wake) => waiting.push(wake)); // takes over a finished slot
    try {
      return await job();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

Deno.test("malformed experiment files and --set overrides: one line, exit 2, no files", async (t) => {
  assert.ok(CASES.length >= 24 && new Set(CASES.map((c) => c.name)).size === CASES.length);
  const run = limited(2);
  // Start every case now, two at a time; the steps below await them in order.
  const outcomes = new Map(CASES.map((c) => [c, run(() => runCli(c))] as const));
  for (const p of outcomes.values()) p.catch(() => {}); // a failure is reported by its step
  try {
    for (const c of CASES) {
      await t.step({
        name: c.name,
        // Later cases' subprocesses start and finish while this step runs.
        sanitizeOps: false,
        sanitizeResources: false,
        fn: async () => checkOutcome(c, await outcomes.get(c)!),
      });
    }
  } finally {
    await Promise.allSettled(outcomes.values());
  }
});

// ---------------------------------------------------------------------------------------------
// parseExperiment in-process.

const MINIMAL = `name: minimal
data: { name: ring8 }
generator: { layers: [{ type: dense, units: 2 }] }
discriminator: { layers: [{ type: dense, units: 1 }] }
`;

/** The error `parseExperiment` throws (fails when it returns). */
function parseError(text: string, overrides: readonly string[] = []): ExperimentFileError {
  try {
    parseExperiment(text, { file: "x.yaml", overrides });
  } catch (e) {
    assert.ok(e instanceof ExperimentFileError, `not an ExperimentFileError: ${e}`);
    assert.equal(e.exitCode, 2);
    return e;
  }
  assert.fail(`no error for ${JSON.stringify(text)} with ${JSON.stringify(overrides)}`);
}

Deno.test("parseExperiment fills in the defaults of a minimal file", () => {
  const { config } = parseExperiment(MINIMAL);
  assert.equal(config.version, 1);
  assert.equal(config.name, "minimal");
  assert.equal(config.seed, 0);
  assert.deepEqual(config.data, { name: "ring8" });
  assert.deepEqual(config.noise, { distribution: "normal", dim: 8 });
  assert.deepEqual(config.objective, { name: "non_saturating", real_label: 1 });
  assert.deepEqual(config.regularizers, []);
  const adam = { name: "adam", lr: 2e-4, betas: [0.5, 0.999], eps: 1e-8 };
  assert.deepEqual(config.optimizer, { generator: adam, discriminator: adam });
  assert.deepEqual(config.train, {
    steps: 5000,
    batch_size: 256,
    discriminator_steps: 1,
    generator_steps: 1,
    ema: 0,
    lr_schedule: { name: "constant" },
    checkpoint_every: 500,
  });
  assert.deepEqual(config.eval, { every: 500, samples: 2500, metrics: [] });
  assert.deepEqual(config.backend, { name: "wasm", threads: 1 });
  assert.deepEqual(config.output, { root: "runs" });
  assert.deepEqual(config.generator.layers, [{ type: "dense", units: 2, spectral_norm: false }]);
});

Deno.test("parseExperiment applies overrides in order, then validates them", () => {
  const { config } = parseExperiment(MINIMAL, {
    overrides: [
      "train.steps=10",
      "train.steps=20",
      "seed=7",
      "optimizer.generator={ name: adam, betas: [0.1, 0.2] }",
      "generator.layers[0].units=2",
      "data={ name: grid25 }",
    ],
  });
  assert.equal(config.train.steps, 20);
  assert.equal(config.seed, 7);
  const { generator, discriminator } = config.optimizer;
  assert.ok(generator.name === "adam" && discriminator.name === "adam");
  assert.deepEqual(generator.betas, [0.1, 0.2]);
  assert.deepEqual(discriminator.betas, [0.5, 0.999]);
  assert.equal(config.data.name, "grid25");
  // A later override may repair an earlier one: validation runs once, after all of them.
  assert.equal(
    parseExperiment(MINIMAL, { overrides: ["train.steps=0", "train.steps=3"] }).config.train.steps,
    3,
  );

  assert.equal(
    parseError(MINIMAL, ["train.steps=3", "seed=-2"]).message,
    "--set seed=-2: seed: got number -2 (valid: integer >= 0 and <= 4294967295)",
  );
  assert.match(
    parseError(MINIMAL, ["train.steps=0"]).message,
    /^--set train\.steps=0: train\.steps: got number 0 \(valid: integer >= 1\)$/,
  );
  assert.match(
    parseError(MINIMAL, ["train.warmup=3"]).message,
    /^--set train\.warmup=3: train\.warmup: unknown key \(valid: steps, /,
  );
  // File errors name the file and position even when overrides are given.
  assert.match(
    parseError(`${MINIMAL}seed: -1\n`, ["train.steps=3"]).message,
    /^x\.yaml:5:7: seed: got number -1 /,
  );
});

Deno.test({
  name: "parseExperiment: --set of one optimiser key keeps the default optimiser",
  // At commit e84b0a8 `--set` built { lr: 1e-3 } in place of the default { name: adam, ... },
  // and the tagged union then wanted `name` ("optimizer.generator.name: missing required key").
  fn() {
    const { config } = parseExperiment(MINIMAL, { overrides: ["optimizer.generator.lr=1e-3"] });
    assert.deepEqual(config.optimizer.generator, {
      name: "adam",
      lr: 1e-3,
      betas: [0.5, 0.999],
      eps: 1e-8,
    });
  },
});

Deno.test("parseExperiment's hash changes with the configuration and only with it", () => {
  const { hash } = parseExperiment(MINIMAL);
  assert.match(hash, /^[0-9a-f]{64}$/);
  assert.equal(parseExperiment(MINIMAL).hash, hash);
  // Same configuration, written differently: explicit defaults, comments, block style, order.
  const same = `# the same experiment
discriminator:
  layers:
    - type: dense
      units: 1
seed: 0
name: minimal
generator: { layers: [{ units: 2, type: dense }] }
data:
  name: ring8
train: { steps: 5000 }
`;
  assert.equal(parseExperiment(same).hash, hash);
  assert.equal(parseExperiment(MINIMAL, { overrides: ["seed=0"] }).hash, hash);
  // The resolved YAML (config.resolved.yaml) reads back to the same configuration, also when
  // defaults are shared between keys (both optimisers get the same default `betas` list).
  for (
    const text of [
      MINIMAL,
      `${MINIMAL}optimizer: { generator: { name: adam }, discriminator: { name: adam } }\n`,
    ]
  ) {
    const loaded = parseExperiment(text);
    assert.equal(parseExperiment(loaded.resolvedYaml).hash, loaded.hash);
  }

  const others = [
    parseExperiment(MINIMAL, { overrides: ["seed=1"] }).hash,
    parseExperiment(MINIMAL, { overrides: ["train.steps=4999"] }).hash,
    parseExperiment(MINIMAL, { overrides: ["optimizer.discriminator={ name: sgd }"] }).hash,
    parseExperiment(MINIMAL, { overrides: ["objective.name=minimax"] }).hash,
    parseExperiment(MINIMAL.replace("minimal", "minimal2")).hash,
  ];
  assert.equal(new Set([hash, ...others]).size, 1 + others.length);
});

Deno.test("parseExperiment returns a deeply frozen configuration", () => {
  const { config } = parseExperiment(MINIMAL);
  const adam = config.optimizer.generator;
  assert.ok(adam.name === "adam");
  for (
    const part of [
      config,
      config.train,
      config.optimizer,
      config.optimizer.generator,
      adam.betas,
      config.generator.layers,
      config.generator.layers[0],
    ]
  ) {
    assert.ok(Object.isFrozen(part), `not frozen: ${JSON.stringify(part)}`);
  }
  assert.throws(() => {
    (config.train as { steps: number }).steps = 1;
  }, TypeError);
  assert.throws(() => {
    (config.generator.layers as unknown[]).push({ type: "relu" });
  }, TypeError);
  // Freezing one result does not leak into the next.
  assert.equal(parseExperiment(MINIMAL, { overrides: ["train.steps=9"] }).config.train.steps, 9);
});
