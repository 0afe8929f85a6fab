/**
 * Experiment-file validation: every malformed file or `--set` override must make
 * `deno task experiment` print ONE line, `<file>:<line>:<col>: <key.path>: <what is wrong>
 * (valid: ...)` (or `--set <arg>: ...`, or `<file>: cannot read ...`), exit with code 2,
 * print no stack trace and write nothing. Plus in-process tests of `parseExperiment`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { experimentArgs } from "../src/runs/subprocess.ts";
import { ExperimentFileError, parseExperiment } from "../src/config/load.ts";
import type { BadCase } from "./_bad_case.ts";
import { IMAGE_CASES } from "./_bad_cases_images.ts";
import { TEXT_CASES } from "./_bad_cases_text.ts";
import { VALUE_CASES } from "./_bad_cases_values.ts";
import { HOSTILE_CASES } from "./_bad_cases_hostile.ts";

const CASES: readonly BadCase[] = [
  ...VALUE_CASES,
  ...TEXT_CASES,
  ...IMAGE_CASES,
  ...HOSTILE_CASES,
];

// Running the CLI.

const REPO = new URL("../", import.meta.url);
const CLI = experimentArgs([]);
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
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(err, /[\u0000-\u001f\u007f-\u009f]/, `raw control characters; ${shown}`);
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
  assert.deepEqual(config.eval, {
    every: 500,
    samples: 2500,
    metrics: [],
  });
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
