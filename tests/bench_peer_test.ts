import assert from "node:assert/strict";
import { type KernelResult, kernelTable, type Result, table } from "../bench/peer/run.ts";
import { type E2eResult, e2eTable, parseCpuInfo } from "../bench/peer/e2e.ts";

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

Deno.test("bench:peer kernel table: every implementation by thread count, Duel's fastest over PyTorch's", () => {
  const r = (impl: "torch" | "duel", variant: string, threads: number, median_ms: number) =>
    ({
      impl,
      variant,
      kernel: "conv",
      threads,
      median_ms,
      gflops: 100 / median_ms,
    }) satisfies KernelResult;
  const results = [
    r("torch", "torch", 1, 5),
    r("torch", "torch", 2, 4),
    r("duel", "builtin", 1, 40),
    r("duel", "rust", 1, 12),
    r("duel", "rust", 2, 8),
    r("duel", "rust_fma", 1, 10),
    r("duel", "rust_fma", 2, 6),
  ];
  const rows = kernelTable(results, ["conv", "other"], [1, 2]).split("\n");
  assert.equal(rows.length, 4);
  assert.equal(
    rows[0],
    "| kernel | PyTorch 1T / 2T (ms) | tfjs-wasm built-in 1T / 2T (ms) | Duel Rust 1T / 2T (ms) | " +
      "Duel Rust, fused 1T / 2T (ms) | Duel / PyTorch (fastest of each; GFLOP/s) |",
  );
  // Fastest: Duel fused 2T (6 ms, 16.7 GFLOP/s) over PyTorch 2T (4 ms, 25 GFLOP/s) = 1.50.
  assert.equal(rows[2], "| conv | 5 / 4 | 40 / – | 12 / 8 | 10 / 6 | 1.50 (16.7 / 25) |");
  assert.equal(rows[3], "| other | – | – | – | – | – |");
});

Deno.test("bench:peer end-to-end table: best wall time per side, the ratio and its range", () => {
  const r = (impl: "torch" | "duel", threads: number, repeat: number, seconds: number) =>
    ({
      impl,
      config: "ring8_run",
      threads,
      repeat,
      seconds,
    }) satisfies E2eResult;
  const results = [
    r("torch", 1, 0, 30),
    r("torch", 2, 0, 35),
    r("duel", 1, 0, 45),
    r("duel", 2, 0, 38),
    r("torch", 1, 1, 33),
    r("torch", 2, 1, 32),
    r("duel", 1, 1, 40),
  ];
  const rows = e2eTable(results, ["ring8_run", "ring8_sweep"], [1, 2]).split("\n");
  assert.equal(rows.length, 4);
  // Best: PyTorch 30 (1T), Duel 38 (2T): 1.27. Per repeat: 38 / 30 = 1.27, 40 / 32 = 1.25.
  assert.equal(
    rows[2],
    "| ring8_run | 30.0 s | 32.0 s | 40.0 s | 38.0 s | 1.27 | 1.25–1.27 (1.26) |",
  );
  assert.equal(rows[3], "| ring8_sweep | – | – | – | – | – | – |");
});

Deno.test("bench:peer reads the host's CPU model and its SIMD features", () => {
  const info =
    "processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse2 fma avx2 avx512f\n";
  assert.deepEqual(parseCpuInfo(info), {
    model: "AMD EPYC 9R14",
    simd: "avx2 yes, fma yes, avx512f yes",
  });
  assert.deepEqual(parseCpuInfo("flags : sse2 avx2\n"), {
    model: "unknown CPU",
    simd: "avx2 yes, fma no, avx512f no",
  });
});
