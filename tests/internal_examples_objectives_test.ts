/**
 * Examples of src/objectives/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { lambertWExpTf } from "../src/objectives/lambert_w.ts";

Deno.test("src/objectives/lambert_w.ts: lambertWExpTf", async () => {
  await useBackend("cpu");
  assert.ok(Math.abs(lambertWExpTf(tf.scalar(1)).dataSync()[0] - 1) < 1e-6);
});
