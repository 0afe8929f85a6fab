/**
 * `deno task reproduce <run folder> [--keep]`: reruns a run from its
 * resolved config and says whether every metric matches bit for bit
 * (exit 0) or where it first differs (exit 1).
 * @module
 */
import { parseArgs } from "node:util";
import { ExperimentFileError } from "../config/load.ts";
import { reproduceRun } from "../runs/reproduce.ts";

const USAGE = "usage: deno task reproduce <run folder> [--keep]";

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { keep: { type: "boolean" } } });
  } catch (e) {
    console.error(`duel: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (parsed.positionals.length !== 1) {
    console.error(`duel: expected one run folder\n${USAGE}`);
    return 2;
  }
  const dir = parsed.positionals[0];
  const r = await reproduceRun(dir, {
    keep: parsed.values.keep ?? false,
    commandLine: ["reproduce", ...args],
  });
  for (const c of r.environment) {
    console.log(
      `note: ${c.key} was ${JSON.stringify(c.original)}, now ${JSON.stringify(c.now)}`,
    );
  }
  if (r.identical) {
    console.log(`reproduced: all ${r.rows} rows of ${dir}/metrics.jsonl match bit for bit`);
  } else {
    const d = r.difference!;
    console.log(
      `NOT reproduced: row ${d.row} (step ${d.step}) ${d.key}: ${d.original} originally, ${d.rerun} now`,
    );
  }
  if (parsed.values.keep) console.log(`rerun kept in ${r.rerunDir}`);
  return r.identical ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(e instanceof ExperimentFileError ? e.message : `duel: ${(e as Error).message}`);
    Deno.exit(e instanceof ExperimentFileError ? e.exitCode : 1);
  }
}
