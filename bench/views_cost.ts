/**
 * The cost of views and health logging on the README's ring8 run, measured
 * side by side in one process: runs alternate between plain (no views,
 * `eval.health_every=0`) and drawn (views, report.html, gradient norms at the
 * default interval), and the wall and CPU time (process.cpuUsage: less
 * sensitive to other processes on a shared machine) of each is printed with
 * the ratios of the medians. Wall time on a shared machine is noisy, so each
 * run's own log also gives the cost step by step: the extra time of the
 * evaluation steps and the gradient-norm steps over the median plain step
 * (`elapsed` in metrics.jsonl), drawn minus plain. Usage:
 *   deno run --allow-read --allow-write --allow-env --allow-sys=cpus --allow-run=git \
 *     bench/views_cost.ts [pairs=2] [steps=6000]
 */
import { loadExperiment } from "../src/config/load.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { readMetrics } from "../src/runs/files.ts";
import process from "node:process";
import { median } from "./_stats.ts";
import { countArg } from "./_args.ts";

const pairs = countArg(0, "pairs", 2), steps = countArg(1, "steps", 6000);
const root = await Deno.makeTempDir({ prefix: "duel-views-cost-" });
const times: Record<"plain" | "drawn", number[]> = { plain: [], drawn: [] };
const cpu: Record<"plain" | "drawn", number[]> = { plain: [], drawn: [] };
const extra: Record<"plain" | "drawn", number[]> = { plain: [], drawn: [] };

/**
 * Seconds that the evaluation steps (and the step after each, where the report
 * is written) and the gradient-norm steps took beyond a median step.
 */
function stepExtra(rows: Record<string, number>[], every: number, health: number): number {
  const d = rows.slice(1).map((r, i) => r.elapsed - rows[i].elapsed); // d[s - 1]: step s
  const special = (s: number) => s % every === 0 || (s - 1) % every === 0 || s % health === 0;
  const m = median(d.filter((_, i) => !special(i + 1)));
  return d.reduce((sum, v, i) => sum + (special(i + 1) ? v - m : 0), 0);
}
for (let i = 0; i < pairs; i++) {
  for (const kind of (i % 2 ? ["drawn", "plain"] : ["plain", "drawn"]) as ("plain" | "drawn")[]) {
    const loaded = await loadExperiment("experiments/ring8.yaml", [
      `train.steps=${steps}`,
      `output.root=${root}`,
      ...(kind === "plain" ? ["eval.health_every=0"] : []),
    ]);
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    const { run_dir } = await runExperiment(loaded, { views: kind === "drawn" });
    const s = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(c0), c = (used.user + used.system) / 1e6;
    times[kind].push(s);
    cpu[kind].push(c);
    const e = stepExtra(await readMetrics(`${run_dir}/metrics.jsonl`), 500, 50);
    extra[kind].push(e);
    console.log(
      `${kind}: wall ${s.toFixed(2)} s, cpu ${c.toFixed(2)} s, special steps +${e.toFixed(2)} s`,
    );
  }
}
for (const [what, t] of [["wall", times], ["cpu", cpu]] as const) {
  const [p, d] = [median(t.plain), median(t.drawn)];
  const change = ((d / p - 1) * 100).toFixed(1);
  console.log(`${what}: median plain ${p.toFixed(2)} s, drawn ${d.toFixed(2)} s: ${change}%`);
}
const added = median(extra.drawn) - median(extra.plain);
console.log(
  `step by step: views and health add ${added.toFixed(2)} s ` +
    `(${((added / median(times.plain)) * 100).toFixed(1)}% of the median plain run)`,
);
await Deno.remove(root, { recursive: true });
