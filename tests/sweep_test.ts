import assert from "node:assert/strict";
import { ExperimentFileError } from "../src/config/load.ts";
import { expandSweep, loadSweep, SWEEP } from "../src/sweep/sweep_file.ts";
import { ROOT } from "./_fixtures.ts";

const spec = (sweep: unknown) => SWEEP.parse({ name: "s", base: "b.yaml", sweep }, "");

Deno.test("expansion: points x grid x random draws, each for every seed, in a fixed order", () => {
  const trials = expandSweep(spec({
    points: [{ "objective.name": "minimax" }, { "objective.name": "hinge" }],
    grid: { "train.batch_size": [8, 16], "optimizer.generator.lr": [1e-3, 1e-4, 1e-5] },
    seeds: [3, 7],
  }));
  assert.equal(trials.length, 2 * 2 * 3 * 2);
  assert.deepEqual(trials.map((t) => t.index), [...trials.keys()]);
  assert.deepEqual(trials[0].settings.map((s) => [s.key, s.value]), [
    ["objective.name", "minimax"],
    ["train.batch_size", 8],
    ["optimizer.generator.lr", 1e-3],
    ["seed", 3],
  ]);
  assert.equal(trials[1].seed, 7);
  assert.equal(trials[1].configuration, trials[0].configuration);
  assert.equal(new Set(trials.map((t) => t.configuration)).size, 12);
  assert.deepEqual(trials.at(-1)!.settings.slice(0, 3).map((s) => s.value), ["hinge", 16, 1e-5]);
});

Deno.test("random search draws within bounds, reproducibly from its own seed", () => {
  const random = (seed: number) =>
    expandSweep(spec({
      random: {
        trials: 50,
        seed,
        space: {
          "optimizer.generator.lr": { log_uniform: [1e-5, 1e-2] },
          "train.discriminator_steps": { int: [1, 5] },
          "optimizer.generator.betas[0]": { uniform: [0, 1] },
          "objective.name": { choice: ["minimax", "hinge"] },
        },
      },
    }));
  const a = random(0), b = random(0), c = random(1);
  assert.equal(a.length, 50);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const values = (key: string) =>
    a.map((t) => t.settings.find((s) => s.key === key)!.value as number);
  assert.ok(values("optimizer.generator.lr").every((v) => v >= 1e-5 && v < 1e-2));
  assert.deepEqual([...new Set(values("train.discriminator_steps"))].sort(), [1, 2, 3, 4, 5]);
  assert.ok(values("optimizer.generator.betas[0]").every((v) => v >= 0 && v < 1));
  assert.deepEqual([...new Set(values("objective.name"))].sort(), ["hinge", "minimax"]);
  // Log-uniform: about half the draws below the geometric midpoint 10^-3.5.
  const below = values("optimizer.generator.lr").filter((v) => v < 10 ** -3.5).length;
  assert.ok(below > 12 && below < 38, `${below}`);
});

Deno.test("the example sweep validates: 5 objectives x 2 learning rates x 5 seeds", async () => {
  const { trials } = await loadSweep(`${ROOT}experiments/sweeps/objectives-ring8.yaml`);
  assert.equal(trials.length, 50);
  const wgan = trials.find((t) => t.experiment.config.objective.name === "wasserstein")!;
  assert.deepEqual(wgan.experiment.config.regularizers, [{
    name: "gradient_penalty",
    weight: 0.1,
    target: 1,
    one_sided: false,
    every: 1,
  }]);
  assert.equal(new Set(trials.map((t) => t.experiment.hash)).size, 50);
  assert.deepEqual([...new Set(trials.map((t) => t.experiment.config.seed))], [0, 1, 2, 3, 4]);
});

const BAD: [string, string, RegExp][] = [
  [
    "unknown key path",
    "  grid:\n    optimizer.generator.lrr: [1, 2]\n",
    /sweep\.yaml:5:5: optimizer\.generator\.lrr: unknown key \(valid: name, lr, betas, eps\)/,
  ],
  [
    "empty grid list",
    "  grid:\n    optimizer.generator.lr: []\n",
    /sweep\.yaml:5:29: sweep\.grid\.optimizer\.generator\.lr: has 0 items \(valid: at least 1 item\)/,
  ],
  [
    "bad log_uniform bounds",
    "  random:\n    trials: 3\n    space:\n      optimizer.generator.lr: { log_uniform: [0, 1] }\n",
    /sweep\.yaml:7:\d+: .*log_uniform: bad bounds \[0,1\] \(valid: 0 < lo < hi\)/,
  ],
  [
    "seeds: 0",
    "  seeds: 0\n",
    /sweep\.yaml:4:10: sweep\.seeds: got 0 \(valid: integer >= 1, or a non-empty list/,
  ],
  [
    "a value the experiment rejects",
    "  grid:\n    train.batch_size: [8, 0]\n",
    /sweep\.yaml:5:5: train\.batch_size: got number 0 \(valid: integer >= 1\)/,
  ],
  [
    "unknown distribution",
    "  random:\n    trials: 2\n    space:\n      seed: { normal: [0, 1] }\n",
    /sweep\.yaml:7:\d+: sweep\.random\.space\.seed: got .* \(valid: one of uniform, log_uniform, int, choice/,
  ],
  // Sizes are counted before anything is built: these stop at once, with one line.
  [
    "a million seeds",
    "  seeds: 1000000\n",
    /\/sweep\.yaml:3:1: sweep: 1000000 trials \(points 1 x grid 1 x random 1 x seeds 1000000\) \(valid: at most 100000 trials; --max-trials N allows more\)$/,
  ],
  [
    "a grid of 10^10 combinations",
    "  grid:\n" +
    Array.from({ length: 10 }, (_, i) => `    k${i}: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n`).join(""),
    /sweep\.yaml:3:1: sweep: 10000000000 trials \(points 1 x grid 10000000000 x random 1 x seeds 1\)/,
  ],
  [
    "random.trials: 1e8",
    "  random:\n    trials: 1.0e+8\n    space:\n      seed: { int: [0, 9] }\n",
    /sweep\.yaml:3:1: sweep: 100000000 trials \(points 1 x grid 1 x random 100000000 x seeds 1\)/,
  ],
  // Keys named like Object.prototype's members are unknown keys of the experiment.
  [
    "__proto__ in the grid",
    "  grid:\n    __proto__: [1, 2]\n",
    /\/sweep\.yaml:5:5: __proto__: unknown key \(valid: version, name,/,
  ],
  [
    "constructor.prototype in a point",
    "  points:\n    - { constructor.prototype.polluted: 1 }\n",
    /\/sweep\.yaml:5:9: constructor: unknown key/,
  ],
];

/** Object.prototype's own keys before any case ran: each case must leave them so. */
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

for (const [name, body, want] of BAD) {
  Deno.test(`a malformed sweep file (${name}) gives one line with its position`, async () => {
    const dir = await Deno.makeTempDir();
    await Deno.copyFile(`${ROOT}experiments/ring8.yaml`, `${dir}/ring8.yaml`);
    await Deno.writeTextFile(`${dir}/sweep.yaml`, `name: bad\nbase: ring8.yaml\nsweep:\n${body}`);
    const started = performance.now();
    const error = await loadSweep(`${dir}/sweep.yaml`).then(() => undefined, (e) => e);
    assert.ok(performance.now() - started < 30_000, "a bad sweep file stops at once");
    assert.ok(error instanceof ExperimentFileError, String(error));
    assert.equal(error.message.split("\n").length, 1);
    assert.match(error.message, want);
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_KEYS);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "ring8.yaml",
      "sweep.yaml",
    ]);
  });
}

Deno.test("an inline base and `set:` apply to every trial; errors point into the sweep file", async () => {
  const dir = await Deno.makeTempDir();
  const experiment = (await Deno.readTextFile(`${ROOT}experiments/ring8.yaml`))
    .split("\n").filter((l) => !/^\s*#/.test(l) && l.trim()).map((l) => `  ${l}`).join("\n");
  const write = (set: string) =>
    Deno.writeTextFile(
      `${dir}/sweep.yaml`,
      `name: inline\nset:\n${set}\nsweep:\n  grid:\n    objective.name: [minimax, hinge]\n  seeds: 2\nbase:\n${experiment}\n`,
    );
  await write("  train.steps: 300");
  const { trials } = await loadSweep(`${dir}/sweep.yaml`);
  assert.equal(trials.length, 4);
  assert.ok(trials.every((t) => t.experiment.config.train.steps === 300));
  assert.deepEqual(trials.map((t) => t.experiment.config.objective.name), [
    "minimax",
    "minimax",
    "hinge",
    "hinge",
  ]);
  await write("  train.steps: -1");
  await assert.rejects(
    () => loadSweep(`${dir}/sweep.yaml`),
    /^ExperimentFileError: .*sweep\.yaml:3:3: train\.steps: got number -1 \(valid: integer >= 1\)$/,
  );
  // A bad value inside the inline base points at its line in the sweep file.
  await Deno.writeTextFile(
    `${dir}/sweep.yaml`,
    (await Deno.readTextFile(`${dir}/sweep.yaml`)).replace("train.steps: -1", "seed: 1")
      .replace(/batch_size: \d+/, "batch_size: 0"),
  );
  const error = await loadSweep(`${dir}/sweep.yaml`).then(() => undefined, (e) => e);
  const line = (await Deno.readTextFile(`${dir}/sweep.yaml`)).split("\n")
    .findIndex((l) => l.includes("batch_size: 0")) + 1;
  assert.match(
    String(error),
    new RegExp(`sweep\\.yaml:${line}:\\d+: train\\.batch_size: got number 0`),
  );
});
