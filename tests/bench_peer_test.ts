import assert from "node:assert/strict";
import { type Result, table } from "../bench/peer/run.ts";

Deno.test("bench:peer table: best median of the repeats per cell, the ratio and its range", () => {
  const r = (impl: "torch" | "duel", threads: number, repeat: number, median_ms: number) =>
    ({ impl, config: "toy2d", threads, repeat, median_ms }) satisfies Result;
  const results = [
    r("torch", 1, 0, 2),
    r("torch", 2, 0, 3),
    r("duel", 1, 0, 5),
    r("duel", 2, 0, 4),
    r("torch", 1, 1, 2.5),
    r("torch", 2, 1, 1.6),
    r("duel", 1, 1, 4.2),
    r("duel", 2, 1, 6),
  ];
  const rows = table(results, ["toy2d", "dcgan_mnist"], [1, 2], 2).split("\n");
  assert.equal(rows.length, 4);
  assert.match(rows[0], /\| per repeat over 2: range \(median\) \|$/);
  // Best medians: PyTorch 2 / 1.6, Duel 4.2 / 4; fastest 4 (2T) over 1.6 (2T) = 2.50.
  // Per repeat: 4 / 2 = 2.00 and 4.2 / 1.6 = 2.625; their median 2.3125.
  assert.equal(
    rows[2],
    "| toy2d | 2 ms | 1.6 ms | 4.2 ms | 4 ms | 2.50 (2T / 2T) | 2.00–2.63 (2.31) |",
  );
  assert.equal(rows[3], "| dcgan_mnist | – | – | – | – | – | – |");
});
