import assert from "node:assert/strict";
import { phases } from "../bench/run_profile.ts";

Deno.test("run profile: a sample goes to the outermost phase on its stack, idle to the one before", () => {
  const node = (id: number, functionName: string, url: string, children: number[] = []) => ({
    id,
    callFrame: { functionName, url },
    children,
  });
  const profile = {
    nodes: [
      node(1, "(root)", "", [2, 6, 7]),
      node(2, "train", "file:///x/src/runs/train_loop.ts", [3, 5]),
      node(3, "evaluate", "file:///x/src/metrics/evaluate.ts", [4]),
      node(4, "#criticStep", "file:///x/src/train/trainer.ts"), // inside an evaluation
      node(5, "#generatorStep", "file:///x/src/train/trainer.ts"),
      node(6, "(idle)", ""),
      node(7, "main", "file:///x/bench/run_profile.ts"),
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [4, 5, 6, 6, 7],
    timeDeltas: [1000, 2000, 500, 500, 3000],
  };
  const ms = phases(profile);
  assert.deepEqual(Object.fromEntries(ms), {
    "eval: metrics / other": 1,
    "step: generator": 2,
    "step: generator, (idle)": 1,
    "other: module load, summary, exit": 3,
  });
});
