/**
 * `deno task experiment <file.yaml> [--set key=value ...]` or
 * `deno task experiment --resume <run folder>`: trains one experiment.
 * @module
 */
import { parseArgs } from "node:util";
import { ExperimentFileError, loadExperiment } from "../config/load.ts";
import { resumeRun, runExperiment } from "../runs/experiment.ts";
import { progressPrinter } from "../runs/progress.ts";

const USAGE = `usage: deno task experiment <experiment.yaml> [--set key.path=value ...] [--quiet]
       deno task experiment --resume <run folder> [--quiet]`;

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        set: { type: "string", multiple: true, default: [] },
        resume: { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    console.error(`duel: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.resume ? positionals.length !== 0 : positionals.length !== 1) {
    console.error(
      `duel: ${
        values.resume ? "--resume takes no experiment file" : "expected one experiment file"
      }\n${USAGE}`,
    );
    return 2;
  }
  const onRow = values.quiet ? undefined : progressPrinter({ live: Deno.stdout.isTerminal() });
  const options = { onRow, commandLine: ["deno", "task", "experiment", ...args] };
  const summary = values.resume
    ? await resumeRun(values.resume, options)
    : await runExperiment(await loadExperiment(positionals[0], values.set), options);
  console.log(`run folder: ${summary.run_dir}`);
  console.log(JSON.stringify(summary.final));
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof ExperimentFileError) {
      console.error(e.message);
      Deno.exit(e.exitCode);
    }
    console.error(`duel: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
