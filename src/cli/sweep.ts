/**
 * `deno task sweep <sweep.yaml> [--parallel N] [--root runs]`: runs (or
 * resumes) every trial of a sweep; results go to `<root>/sweeps/<name>/`.
 * @module
 */
import { parseArgs } from "node:util";
import { ExperimentFileError } from "../config/load.ts";
import { runSweep } from "../sweep/runner.ts";
import { loadSweep } from "../sweep/sweep_file.ts";

const USAGE = "usage: deno task sweep <sweep.yaml> [--parallel N] [--root runs]";

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { parallel: { type: "string" }, root: { type: "string", default: "runs" } },
    });
  } catch (e) {
    console.error(`duel: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
  if (
    positionals.length !== 1 ||
    (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1))
  ) {
    console.error(`duel: expected one sweep file and --parallel >= 1\n${USAGE}`);
    return 2;
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
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(e instanceof ExperimentFileError ? e.message : `duel: ${(e as Error).message}`);
    Deno.exit(e instanceof ExperimentFileError ? e.exitCode : 1);
  }
}
