import assert from "node:assert/strict";
import { KDE_TILE, kdeSpace } from "../src/backend/rust/kde.ts";
import { loadRustKernels, rustKernels } from "../src/backend/rust/loader.ts";
import { Rng } from "../src/rng.ts";

await loadRustKernels();

/**
 * Sums of `count` samples on a `rows` x `cols` grid, starting from non-zero sums: values in
 * [0, 1] with exact zeros and tiny ones (as kernel values are), on `kde_sums_f64` or its scalar
 * reference in a memory of their own (the rows `lo..hi` at a time, for each of `parts`), or on
 * the JavaScript loop.
 */
function run(
  how: "kernel" | "ref" | "js",
  rows: number,
  cols: number,
  count: number,
  parts = 1,
): Float64Array {
  const r = Rng.derive(rows * 1000 + cols * 10 + count, "kde sums");
  const value = () => {
    const u = r.uniform();
    return u < 0.2 ? 0 : u < 0.4 ? Math.exp(-700 * r.uniform()) : r.uniform();
  };
  const gx = rows * cols, gy = gx + count * rows, size = gy + count * cols;
  const data = Float64Array.from({ length: size }, value);
  if (how === "js") {
    const space = kdeSpace(size, false);
    space.f64.set(data);
    space.sums(0, gx, gy, rows, cols, count);
    return space.f64.slice(0, gx);
  }
  const memory = new WebAssembly.Memory({ initial: Math.ceil((size * 8 + 64) / 65536) });
  const k = rustKernels(memory);
  // At byte 8 (not 16-aligned), so that unaligned vector loads are exercised.
  new Float64Array(memory.buffer, 8, size).set(data);
  // Row ranges of whole tiles, in an order of their own: parts are independent.
  const tiles = rows / KDE_TILE;
  const at = (p: number) => Math.round((tiles * p) / parts) * KDE_TILE;
  for (let p = parts - 1; p >= 0; p--) {
    (how === "kernel" ? k.kde_sums_f64 : k.kde_sums_f64_ref)(
      8,
      8 + 8 * gx,
      8 + 8 * gy,
      rows,
      cols,
      count,
      0,
      at(p),
      at(p + 1),
    );
  }
  return new Float64Array(memory.buffer, 8, gx).slice();
}

Deno.test("kde_sums_f64 equals its scalar reference and the JavaScript loop bit for bit", () => {
  for (const rows of [KDE_TILE, 2 * KDE_TILE, 100]) {
    for (const cols of [KDE_TILE, 3 * KDE_TILE, 100]) {
      for (const count of [0, 1, 3, 4, 17, 128, 129, 300]) {
        const want = run("ref", rows, cols, count);
        for (const how of ["kernel", "js"] as const) {
          const got = run(how, rows, cols, count);
          assert.ok(got.every((v, i) => Object.is(v, want[i])), `${how} ${rows}x${cols}, ${count}`);
        }
        // Split by rows, as the kernel threads split it: the same bits.
        for (const parts of [2, 3]) {
          const got = run("kernel", rows, cols, count, parts);
          const what = `kernel ${rows}x${cols}, ${count}, ${parts} parts`;
          assert.ok(got.every((v, i) => Object.is(v, want[i])), what);
        }
      }
    }
  }
});

Deno.test("kde_sums_f64 rounds each product, then each sum (no fused multiply-add)", () => {
  // a = b = 1 + 2^-30: the product 1 + 2^-29 + 2^-60 rounds to 1 + 2^-29; a fused add of
  // -(1 + 2^-29) would keep 2^-60.
  const a = 1 + 2 ** -30, c = -(1 + 2 ** -29);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const f = new Float64Array(memory.buffer, 0, 3 * 16);
  f.fill(c, 0, 16).fill(a, 16, 48);
  rustKernels(memory).kde_sums_f64(0, 16 * 8, 32 * 8, 4, 4, 1, 0, 0, 4);
  assert.deepEqual([...f.subarray(0, 16)], new Array(16).fill(0));
});
