/**
 * Examples of src/sweep/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { countTrials } from "../src/sweep/count.ts";
import { finishColumns } from "../src/sweep/store_rules.ts";

Deno.test("src/sweep/count.ts: countTrials", () => {
  const n = countTrials({ sweep: { grid: { a: [1, 2], b: [1, 2, 3] }, seeds: 5 } });
  assert.equal(n.total, 30);
  assert.equal(countTrials({ sweep: { seeds: 1e6 } }).total, 1e6);
});

Deno.test("src/sweep/store_rules.ts: finishColumns", () => {
  assert.deepEqual(finishColumns({ state: "done", final: { "eval/fid": 3 } }), {
    error: null,
    final: '{"eval/fid":3}',
    curve: "[]",
    protocol: null,
  });
  assert.equal(
    finishColumns({ state: "done", final: {}, protocol: ["proxy: 16 x 16"] }).protocol,
    '["proxy: 16 x 16"]',
  );
  assert.deepEqual(finishColumns({ state: "diverged", error: "loss not finite" }), {
    error: "loss not finite",
    final: null,
    curve: null,
    protocol: null,
  });
});
