/**
 * Examples of src/*.ts's internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { printable } from "../src/errors.ts";
import { isOwnKey, list, num, obj, record, show, tagged } from "../src/fields.ts";
import { writeAtomic } from "../src/files.ts";
import { type Tensor, tfjs } from "../src/tensor.ts";

Deno.test("src/errors.ts: printable", () => {
  assert.equal(printable("a\x1b[31mb\nc"), "a\\u001b[31mb\\u000ac");
});

Deno.test("src/fields.ts: show", () => {
  assert.equal(show("a\u0007b"), '"a\\u0007b"');
  assert.equal(show(Infinity), "infinity");
  assert.equal(show(1e20), "1e+20 (beyond 2^53, not exact)");
});

Deno.test("src/fields.ts: isOwnKey", () => {
  assert.ok(isOwnKey({ steps: 1 }, "steps"));
  assert.ok(!isOwnKey({ steps: 1 }, "constructor") && !isOwnKey({}, "__proto__"));
});

Deno.test("src/fields.ts: num", () => {
  const steps = num("training steps", { int: true, min: 1 });
  assert.ok(steps.parse(10, "train.steps") === 10);
});

Deno.test("src/fields.ts: num, obj", () => {
  const train = obj("training", { steps: num("steps", { default: 100 }) });
  assert.ok(train.parse(undefined, "train").steps === 100);
});

Deno.test("src/fields.ts: num, tagged", () => {
  const layer = tagged("a layer", "type", { dense: { units: num("width") }, relu: {} });
  assert.ok(layer.parse({ type: "dense", units: 3 }, "l").type === "dense");
});

Deno.test("src/fields.ts: list, num, record", () => {
  const grid = record("grid", list("values", num("v"), { minItems: 1 }), { minKeys: 1 });
  assert.deepEqual(grid.parse({ "train.steps": [1, 2] }, "grid"), { "train.steps": [1, 2] });
});

Deno.test("src/files.ts: writeAtomic", async () => {
  const dir = await Deno.makeTempDir();
  await writeAtomic(`${dir}/a.json`, "{}");
  assert.ok(await Deno.readTextFile(`${dir}/a.json`) === "{}");
});

Deno.test("src/tensor.ts: tfjs", async () => {
  await useBackend("cpu");
  const t: Tensor = tf.ones([2]);
  assert.ok(tf.sum(tfjs(t)).dataSync()[0] === 2);
});
