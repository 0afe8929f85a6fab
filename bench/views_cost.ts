/**
 * The cost of views and health logging on the README's ring8 run, measured
 * side by side in one process: runs alternate between plain (no views,
 * `eval.health_every=0`) and drawn (views, report.html, gradient norms at the
 * default interval), and the wall and CPU time (process.cpuUsage: less
 * sensitive to other processes on a shared machine) of each is printed with
 * the ratios of the medians. Usage:
 *   deno run --allow-read --allow-write --allow-env --allow-sys=cpus --allow-run=git \
 *     bench/views_cost.ts [pairs=2] [steps=6000]
 */
import { loadExperiment } from "../src/config/load.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import process from "node:process";

const pairs = Number(Deno.args[0] ?? 2), steps = Number(Deno.args[1] ?? 6000);
const root = await Deno.makeTempDir({ prefix: "duel-views-cost-" });
const times: Record<"plain" | "drawn", number[]> = { plain: [], drawn: [] };
const cpu: Record<"plain" | "drawn", number[]> = { plain: [], drawn: [] };
for (let i = 0; i < pairs; i++) {
  for (const kind of (i % 2 ? ["drawn", "plain"] : ["plain", "drawn"]) as ("plain" | "drawn")[]) {
    const loaded = await loadExperiment("experiments/ring8.yaml", [
      `train.steps=${steps}`,
      `output.root=${root}`,
      ...(kind === "plain" ? ["eval.health_every=0"] : []),
    ]);
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    await runExperiment(loaded, { views: kind === "drawn" });
    const s = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0), c = (used.user + used.system) / 1e6;
    times[kind].push(s);
    cpu[kind].push(c);
    console.log(`${kind}: wall ${s.toFixed(2)} s, cpu ${c.toFixed(2)} s`);
  }
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
for (const [what, t] of [["wall", times], ["cpu", cpu]] as const) {
  const [p, d] = [median(t.plain), median(t.drawn)];
  const change = ((d / p - 1) * 100).toFixed(1);
  console.log(`${what}: median plain ${p.toFixed(2)} s, drawn ${d.toFixed(2)} s: ${change}%`);
}
await Deno.remove(root, { recursive: true });
