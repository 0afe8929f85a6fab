/**
 * The benchmarks' shared helpers (bench/_stats.ts, bench/_table.ts,
 * bench/_args.ts): the median every table prints, the Markdown tables and
 * their "min–max (median)" cells, and the one-line error for a bad positional
 * argument (exit code 2, before any work).
 */
import assert from "node:assert/strict";
import { median } from "../bench/_stats.ts";
import { markdownTable, spreadCell } from "../bench/_table.ts";

Deno.test("bench/_stats.ts: median of odd and even counts, input left in order", () => {
  assert.equal(median([3, 1, 2]), 2);
  const xs = [4, 1, 3, 2];
  assert.equal(median(xs), 2.5);
  assert.deepEqual(xs, [4, 1, 3, 2]);
  assert.ok(Number.isNaN(median([])));
});

Deno.test("bench/_table.ts: a Markdown table and a spread cell", () => {
  assert.equal(
    markdownTable(["a", "b"], [["1", "2"], ["3", "4"]]),
    "| a | b |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 |",
  );
  assert.equal(spreadCell([1.2, 1.5, 1.3]), "1.20–1.50 (1.30)");
  assert.equal(spreadCell([1.2, 1.5]), "1.20–1.50 (1.35)");
  assert.equal(spreadCell([]), "–");
});

const decoder = new TextDecoder();

for (
  const [script, args, expected] of [
    [
      "tanh_bench.ts",
      ["abc"],
      'tanh_bench: argument 1 (rounds): "abc", expected a positive integer',
    ],
    [
      "conv_shapes_bench.ts",
      ["3", "1,0"],
      'conv_shapes_bench: argument 2 (threads): "0" in "1,0": expected a comma-separated list of ' +
      "integers in 1..8",
    ],
    [
      "chain_parts.ts",
      ["nope"],
      'chain_parts: argument 1 (workload): "nope", expected one of toy2d, dcgan_mnist, ring8',
    ],
  ] as const
) {
  Deno.test(`bench/_args.ts: ${script} ${args.join(" ")} exits 2 with one line`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(`../bench/${script}`, import.meta.url).pathname, ...args],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    assert.equal(out.code, 2);
    assert.equal(decoder.decode(out.stderr).trim(), expected);
  });
}
