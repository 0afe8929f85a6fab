/**
 * `deno task sweep <sweep.yaml> [--parallel N] [--root runs]`: runs (or
 * resumes) every trial of a sweep; results go to `<root>/sweeps/<name>/`.
 * @module
 */
import { runSweep } from "../sweep/runner.ts";
import { loadSweep } from "../sweep/sweep_file.ts";
import { MAX_TRIALS } from "../sweep/count.ts";
import { checkWritable, OUTSIDE_VALID } from "../paths.ts";
import { UserError } from "../errors.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";

const USAGE =
  `usage: deno task sweep <sweep.yaml> [--parallel N] [--root runs] [--max-trials N] [--allow-outside]
  --root must lie inside the working directory unless it is absolute or --allow-outside is given;
  a sweep of more than --max-trials trials (default ${MAX_TRIALS}) stops before anything runs.
  Exit codes: 0 every trial done, 1 some failed or diverged, 2 bad input.`;

const OPTIONS = {
  parallel: { type: "string" },
  root: { type: "string", default: "runs" },
  "max-trials": { type: "string" },
  "allow-outside": { type: "boolean", default: false },
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
  const maxTrials = values["max-trials"] === undefined ? MAX_TRIALS : Number(values["max-trials"]);
  if (!Number.isSafeInteger(maxTrials) || maxTrials < 1) {
    throw new UsageError(`--max-trials ${values["max-trials"]}: expected an integer >= 1`);
  }
  const why = checkWritable(values.root, { allowOutside: values["allow-outside"], typed: true });
  if (why) {
    throw new UserError(`--root ${JSON.stringify(values.root)}: ${why} (valid: ${OUTSIDE_VALID})`);
  }
  const sweep = await loadSweep(positionals[0], { maxTrials });
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
  const diverged = rows.filter((r) => r.state === "diverged").length;
  console.log(
    `${total - failed.length}/${total} trials done${diverged ? `, ${diverged} diverged` : ""}; ` +
      `store: ${values.root}/sweeps/${sweep.spec.name}/sweep.db`,
  );
  return failed.length ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
