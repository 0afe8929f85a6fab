/**
 * Examples of src/report/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { lineDiff } from "../src/report/compare.ts";
import { medianTrial } from "../src/report/gallery.ts";

Deno.test("src/report/compare.ts: lineDiff", () => {
  assert.deepEqual(lineDiff("x: 1\ny: 2\n", "x: 1\ny: 3\n"), { a: ["y: 2"], b: ["y: 3"] });
});

Deno.test("src/report/gallery.ts: medianTrial", () => {
  const t = (seed: number, v: number) => ({
    index: seed,
    configuration: 0,
    seed,
    settings: [],
    objective: "x",
    final: { m: v },
    curve: [],
  });
  assert.equal(medianTrial([t(0, 3), t(1, 1), t(2, 2)], "m")!.seed, 2);
});
