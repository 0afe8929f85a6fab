/**
 * `deno task reproduce <run folder> [--keep]`: reruns a run from its
 * resolved config and says whether every metric matches bit for bit
 * (exit 0) or where it first differs (exit 1).
 * @module
 */
import { reproduceRun } from "../runs/reproduce.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";

const USAGE = "usage: deno task reproduce <run folder> [--keep]";

const OPTIONS = { keep: { type: "boolean" } } as const;

async function main(parsed: Parsed<typeof OPTIONS>, args: readonly string[]): Promise<number> {
  if (parsed.positionals.length !== 1) throw new UsageError("expected one run folder");
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
  console.log(`guarantee: ${r.reproducibility}`);
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
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
