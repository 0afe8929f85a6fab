/**
 * Examples of src/metrics/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { kthNeighbourSquaredDistances, squaredDistanceBlocks } from "../src/metrics/distances.ts";
import { matrixFunction, symmetricEigen } from "../src/metrics/symmetric_eigen.ts";

Deno.test("src/metrics/distances.ts: squaredDistanceBlocks", () => {
  const seen: number[] = [];
  squaredDistanceBlocks(
    new Float32Array([0, 0, 1, 1]),
    new Float32Array([3, 4]),
    2,
    (_s, rows, b) => {
      seen.push(...b.subarray(0, rows));
    },
  );
  assert.deepEqual(seen, [25, 13]);
});

Deno.test("src/metrics/distances.ts: kthNeighbourSquaredDistances", () => {
  const x = new Float32Array([0, 1, 3, 7]); // four points on a line
  const [first, second] = kthNeighbourSquaredDistances(x, 1, [1, 2]);
  assert.deepEqual([...first], [1, 1, 4, 16]);
  assert.deepEqual([...second], [9, 4, 9, 36]);
});

Deno.test("src/metrics/symmetric_eigen.ts: symmetricEigen", () => {
  const { values } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
  assert.ok(Math.abs(values[0] - 1) < 1e-14 && Math.abs(values[1] - 3) < 1e-14);
});

Deno.test("src/metrics/symmetric_eigen.ts: matrixFunction, symmetricEigen", () => {
  const a = new Float64Array([4, 0, 0, 9]);
  const root = matrixFunction(symmetricEigen(a, 2), Math.sqrt);
  assert.deepEqual([...root], [2, 0, 0, 3]);
});
