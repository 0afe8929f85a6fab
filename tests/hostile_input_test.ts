/**
 * Hostile input, in-process (the CLI side is in config_errors_test.ts): every case of
 * _bad_cases_hostile.ts and _bad_cases_text.ts through `parseExperiment`, with
 * Object.prototype checked after each; then the figures the issue asked about.
 */
import assert from "node:assert/strict";
import { ExperimentFileError, parseExperiment } from "../src/config/load.ts";
import { parseWithPositions } from "../src/config/source_map.ts";
import { HOSTILE_CASES } from "./_bad_cases_hostile.ts";
import { TEXT_CASES } from "./_bad_cases_text.ts";

const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function prototypeIsClean(after: string): void {
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), PROTOTYPE_KEYS, after);
  assert.equal(Object.getPrototypeOf({}), Object.prototype, after);
  assert.equal(({} as Record<string, unknown>).polluted, undefined, after);
  assert.equal(typeof ({}).constructor, "function", after);
  assert.equal(typeof ({}).hasOwnProperty, "function", after);
}

Deno.test("hostile files and overrides are refused in-process and leave Object.prototype untouched", async (t) => {
  const writeRule = { allowOutside: false, cwd: Deno.cwd() };
  for (const c of [...HOSTILE_CASES, ...TEXT_CASES]) {
    if (c.yaml === null) continue;
    await t.step(c.name, () => {
      const text = c.yaml!.replaceAll('"{{RUNS}}"', '"runs"');
      assert.throws(
        () => parseExperiment(text, { file: "x.yaml", overrides: c.set ?? [], writeRule }),
        (e: unknown) => e instanceof ExperimentFileError && !e.message.includes("\n"),
      );
      prototypeIsClean(`after ${c.name}`);
    });
  }
  // The escape of issue #15 left nothing behind (the CLI case refused it before any write).
  assert.equal(await Deno.lstat("/etc/duel-escape").then(() => true, () => false), false);
});

Deno.test("--set __proto__.x=1 is an unknown key and the prototype stays clean", () => {
  const text =
    "name: p\ndata: { name: ring8 }\ngenerator: { layers: [{ type: dense, units: 2 }] }\n" +
    "discriminator: { layers: [{ type: dense, units: 1 }] }\n";
  for (const set of ["__proto__.x=1", "__proto__={ x: 1 }", "constructor.prototype.x=1"]) {
    assert.throws(
      () => parseExperiment(text, { overrides: [set] }),
      new RegExp(
        `^ExperimentFileError: --set ${set.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ` +
          `(__proto__|constructor): unknown key \\(valid: version, name,`,
      ),
    );
    assert.equal(({} as Record<string, unknown>).x, undefined);
    prototypeIsClean(`after --set ${set}`);
  }
});

Deno.test("a 10^5-key file is refused at once; parsing is linear in the file's size", () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join("\n") + "\n";
  const refuse = (text: string) => {
    const t0 = performance.now();
    assert.throws(() => parseWithPositions(text));
    return performance.now() - t0;
  };
  // Figures, not assertions on time (bench/yaml_limits_bench.ts measures them).
  const ms = refuse(keys(100_000));
  const [small, large] = [keys(4_000), keys(8_000)].map((text) => {
    const t0 = performance.now();
    parseWithPositions(text);
    return performance.now() - t0;
  });
  console.log(
    `10^5 keys refused in ${ms.toFixed(1)} ms; 4,000 keys ${small.toFixed(0)} ms, ` +
      `8,000 keys ${large.toFixed(0)} ms`,
  );
});
