import assert from "node:assert/strict";
import { SCHEDULES } from "../src/train/schedules.ts";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

Deno.test("linear and cosine schedules: 1 until start, end at progress 1, closed form between", () => {
  const p = { start: 0.6, end: 0.1 };
  for (const kind of [SCHEDULES.linear, SCHEDULES.cosine]) {
    for (const x of [0, 0.3, 0.6]) close(kind.factor(x, p), 1);
    close(kind.factor(1, p), 0.1);
  }
  // Halfway through the window [0.6, 1]: linear is halfway, cosine too (cos(pi / 2) = 0).
  close(SCHEDULES.linear.factor(0.8, p), 0.55);
  close(SCHEDULES.cosine.factor(0.8, p), 0.55);
  // A quarter of the way: linear 1 - 0.9 / 4, cosine 0.1 + 0.9 (1 + cos(pi / 4)) / 2.
  close(SCHEDULES.linear.factor(0.7, p), 1 - 0.9 / 4);
  close(SCHEDULES.cosine.factor(0.7, p), 0.1 + 0.45 * (1 + Math.SQRT1_2));
  for (let x = 0; x < 1; x += 0.01) close(SCHEDULES.constant.factor(x, {}), 1);
});
