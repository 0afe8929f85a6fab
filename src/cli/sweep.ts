/**
 * `deno task sweep <sweep.yaml> [--parallel N] [--root runs]`: runs (or
 * resumes) every trial of a sweep; results go to `<root>/sweeps/<name>/`.
 * @module
 */
import { runSweep } from "../sweep/runner.ts";
import { loadSweep } from "../sweep/sweep_file.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";

const USAGE = "usage: deno task sweep <sweep.yaml> [--parallel N] [--root runs]";

const OPTIONS = {
  parallel: { type: "string" },
  root: { type: "string", default: "runs" },
} as const;

async function main(parsed: Parsed<typeof OPTIONS>): Promise<number> {
  const { values, positionals } = parsed;
  const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
  if (
    positionals.length !== 1 ||
    (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1))
  ) {
    throw new UsageError("expected one sweep file and --parallel >= 1");
  }
  const sweep = await loadSweep(positionals[0]);
  // By default as many trials at once as the cores hold, given the threads each trial uses.
  const threads = Math.max(1, ...sweep.trials.map((t) => t.experiment.config.backend.threads));
  const running = parallel ?? Math.max(1, Math.floor(navigator.hardwareConcurrency / threads));
  const total = sweep.trials.length;
  let finished = 0;
  const rows = await runSweep(sweep, {
    parallel: running,
    root: values.root,
    onEvent: (event, t) => {
      if (event === "start") return;
      finished++;
      const evals = Object.entries(JSON.parse(t.final ?? "{}") as Record<string, number>)
        .filter(([k]) => k.startsWith("eval/")).map(([k, v]) =>
          `${k.slice(5)} ${+v.toPrecision(4)}`
        );
      const detail = event === "done" ? evals.join(", ") : t.error;
      console.log(`[${finished}] trial ${t.index} (seed ${t.seed}) ${event}: ${detail}`);
    },
  });
  const failed = rows.filter((r) => r.state !== "done");
  console.log(
    `${
      total - failed.length
    }/${total} trials done; store: ${values.root}/sweeps/${sweep.spec.name}/sweep.db`,
  );
  return failed.length ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
