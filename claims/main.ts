/**
 * `deno task claims`: reruns the README's quantitative claims on fresh seeds,
 * prints claim, mean ± s.e. over seeds and verdict, records the measurement
 * in `claims/measured.json` and regenerates the README's claims block.
 * @module
 */
import { runCommand, UsageError } from "../src/cli/command.ts";
import { writeAtomic } from "../src/files.ts";
import { gitCommit } from "../src/runs/run_folder.ts";
import type { MeasuredTable, Measurement } from "./claim.ts";
import { measure } from "./measure.ts";
import { claimsBlock, printedTable, withClaims } from "./render.ts";
import { CLAIMS } from "./table.ts";

const USAGE =
  `usage: deno task claims [--only id,...] [--seeds n] [--quick] [--slow] [--json out.json]
                        [--parallel 1|2] [--root folder] [--readme]
  Runs every claim of claims/table.ts (not the slow ones unless --slow or named by --only) on its
  fresh seeds, prints the table and exits 1 when a claim fails. A full measurement is merged into
  claims/measured.json and the README's claims block is regenerated from it; --quick (a few
  steps, one seed: checks the machinery) writes neither. --readme only regenerates the block.
  Runs go to --root (default runs/claims/<time>); finished runs found there are read, not rerun.`;

const OPTIONS = {
  only: { type: "string" },
  seeds: { type: "string" },
  quick: { type: "boolean", default: false },
  slow: { type: "boolean", default: false },
  json: { type: "string" },
  parallel: { type: "string", default: "2" },
  root: { type: "string" },
  readme: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** Overrides of `--quick`: a few steps and evaluations, small enough to check the machinery. */
export const QUICK = ["train.steps=20", "eval.every=10", "eval.samples=200"];

const MEASURED = new URL("./measured.json", import.meta.url);
const README = new URL("../README.md", import.meta.url);

async function readTable(): Promise<MeasuredTable | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(MEASURED));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function writeReadme(table: MeasuredTable | undefined): Promise<void> {
  const readme = await Deno.readTextFile(README);
  await writeAtomic(README.pathname, withClaims(readme, claimsBlock(CLAIMS, table)));
  // deno fmt aligns the table as `deno task ok` checks it.
  const files = [README.pathname, ...(table ? [MEASURED.pathname] : [])];
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", ...files] }).output();
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`${flag}: got "${text}" (valid: integer >= 1)`);
  }
  return n;
}

async function main(parsed: { values: Record<string, unknown> }): Promise<number> {
  const v = parsed.values as {
    only?: string;
    seeds?: string;
    quick: boolean;
    slow: boolean;
    json?: string;
    parallel: string;
    root?: string;
    readme: boolean;
    help: boolean;
  };
  if (v.help) return console.log(USAGE), 0;
  if (v.readme) return await writeReadme(await readTable()), 0;
  const parallel = positiveInt("--parallel", v.parallel);
  if (parallel > 2) throw new UsageError(`--parallel: got ${parallel} (valid: 1 or 2)`);
  const ids = v.only?.split(",").map((s) => s.trim()).filter(Boolean);
  for (const id of ids ?? []) {
    if (!CLAIMS.some((c) => c.id === id)) {
      throw new UsageError(
        `--only: unknown claim "${id}" (valid: ${CLAIMS.map((c) => c.id).join(", ")})`,
      );
    }
  }
  // --only runs its claims in the order it names them.
  const claims = ids
    ? ids.map((id) => CLAIMS.find((c) => c.id === id)!)
    : CLAIMS.filter((c) => v.slow || !c.slow);
  const seeds = v.quick ? 1 : v.seeds === undefined ? undefined : positiveInt("--seeds", v.seeds);
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "");
  const commit = (await gitCommit()) ?? "unknown";
  const start = performance.now();
  const measured = await measure(claims, {
    root: v.root ?? `runs/claims/${stamp}${v.quick ? "-quick" : ""}`,
    parallel,
    ...(seeds === undefined ? {} : { seeds }),
    ...(v.quick ? { extra: QUICK } : {}),
    commit,
    onRun: (line) => console.error(line),
  });
  const wall = (performance.now() - start) / 1000;
  console.log(printedTable(CLAIMS, measured));
  console.log(`${measured.length} claims, wall time ${(wall / 60).toFixed(1)} min`);
  const table: MeasuredTable = {
    host: Deno.hostname(),
    cpus: navigator.hardwareConcurrency,
    date: new Date().toISOString(),
    commit,
    deno: Deno.version.deno,
    wall_s: Math.round(wall),
    claims: measured,
  };
  if (v.json) await writeAtomic(v.json, JSON.stringify(table, null, 2) + "\n");
  if (!v.quick) {
    const old = await readTable();
    const kept: Measurement[] = (old?.claims ?? []).filter((m) =>
      !measured.some((n) => n.id === m.id) && CLAIMS.some((c) => c.id === m.id)
    );
    const order = (m: Measurement) => CLAIMS.findIndex((c) => c.id === m.id);
    const merged = { ...table, claims: [...kept, ...measured].sort((a, b) => order(a) - order(b)) };
    await writeAtomic(MEASURED.pathname, JSON.stringify(merged, null, 2) + "\n");
    await writeReadme(merged);
  }
  return measured.every((m) => m.verdict === "pass") ? 0 : 1;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
