/**
 * `deno task report <sweep or run folder> [--metric eval/x ...] [--rank-by eval/x] [--out dir]`:
 * writes `report.md`, `report.html` and the charts as SVG into the folder
 * (or `--out`). A sweep's report is made from its store alone, so a sweep in
 * a PostgreSQL store is reported the same way:
 * `deno task report postgres://user:pass@host/db --sweep <name> [--out dir]`,
 * written by default into `runs/sweeps/<name>/` (where `deno task sweep --worker`
 * puts its trials' folders on this machine).
 * @module
 */
import { dirname } from "node:path";
import {
  folderKind,
  reportTitle,
  trialsFromRun,
  trialsFromSweep,
  writeReport,
} from "../report/sources.ts";
import { type ReportData, ReportError, type ReportTrial, summarize } from "../report/summarize.ts";
import { storeLabel, sweepsIn, withStore } from "../sweep/open_store.ts";
import { isPostgresUrl } from "../sweep/pg_store.ts";
import { renderMarkdown } from "../report/render.ts";
import { UserError } from "../errors.ts";
import { writeRunGif, writeRunReport } from "../runs/run_report.ts";
import { writeComparison } from "../report/compare.ts";
import { writeGallery } from "../report/gallery.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";
import { checkWritable, OUTSIDE_VALID } from "../paths.ts";

const USAGE =
  "usage: deno task report <sweep folder | run folder> [--metric eval/name ...] [--rank-by eval/name] [--out dir] [--gif] [--allow-outside]\n" +
  "       deno task report postgres://user:pass@host/db [--sweep name] [--metric ...] [--rank-by ...] [--out dir (default runs/sweeps/<name>)]\n" +
  "       deno task report <run A> <run B> | <sweep A> <sweep B> [--out dir] [--allow-outside]   (compare.html, side by side)";

const OPTIONS = {
  metric: { type: "string", multiple: true },
  "rank-by": { type: "string" },
  out: { type: "string" },
  quiet: { type: "boolean", default: false },
  gif: { type: "boolean", default: false },
  sweep: { type: "string" },
  "allow-outside": { type: "boolean", default: false },
} as const;

/**
 * `out` when a report may be written there: the folder (typed on the command
 * line) or `--out`, both under the write rule; else one line, exit 2.
 */
function writableOut(
  out: string,
  values: { readonly out?: string; readonly "allow-outside": boolean },
): string {
  const why = checkWritable(out, { allowOutside: values["allow-outside"], typed: true });
  if (why) {
    throw new UserError(
      `${values.out === undefined ? "" : "--out "}${
        JSON.stringify(out)
      }: ${why} (valid: ${OUTSIDE_VALID})`,
    );
  }
  return out;
}

async function main(parsed: Parsed<typeof OPTIONS>): Promise<number> {
  const { values, positionals } = parsed;
  const writable = (out: string) => writableOut(out, values);
  if (positionals.length === 2 && positionals.some(isPostgresUrl)) {
    throw new UsageError("compare takes two folders (not a PostgreSQL store)");
  }
  if (positionals.length === 2) {
    const [a, b] = positionals.map((p) => p.replace(/\/+$/, ""));
    const path = await writeComparison(a, b, writable(values.out ?? a)).catch((e: Error) => {
      throw new UserError(`duel: ${e.message}`);
    });
    console.log(`wrote ${path}`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("expected one folder, or two to compare");
  if (isPostgresUrl(positionals[0])) return await fromPostgres(positionals[0], parsed);
  if (values.sweep !== undefined) throw new UsageError("--sweep takes a PostgreSQL store");
  const dir = positionals[0].replace(/\/+$/, "");
  const out = writable(values.out ?? dir);
  const kind = await folderKind(dir).catch((e: Error) => {
    throw new UserError(`duel: ${e.message}`);
  });
  const trials = kind === "sweep" ? await trialsFromSweep(dir) : await trialsFromRun(dir);
  const data = summarized(dir, reportTitle(dir), trials, values);
  const written = await writeReport(out, data);
  // A run folder's report.html is the run's own page (views, time-lapse, curves, config).
  if (kind === "run" && out === dir) await writeRunReport(dir);
  if (kind === "sweep" && out === dir) {
    written.push(await writeGallery(dir, data, trials));
  }
  if (values.gif) {
    if (kind !== "run") throw new UsageError("--gif takes a run folder");
    written.push(
      await writeRunGif(dir, out).catch((e: Error) => {
        throw new UserError(`duel: ${e.message}`);
      }),
    );
  }
  printWritten(data, written, values.quiet);
  return 0;
}

/** The report's data, a report that cannot be made as asked being the user's one line. */
function summarized(
  where: string,
  title: string,
  trials: ReportTrial[],
  values: Parsed<typeof OPTIONS>["values"],
): ReportData {
  try {
    return summarize(title, trials, {
      ...(values.metric ? { metrics: values.metric } : {}),
      ...(values["rank-by"] ? { rankBy: values["rank-by"] } : {}),
    });
  } catch (e) {
    if (!(e instanceof ReportError)) throw e;
    throw new UserError(`duel: ${where}: ${e.message}`);
  }
}

function printWritten(data: ReportData, written: string[], quiet: boolean): void {
  if (!quiet) console.log(renderMarkdown(data).split("## Charts")[0].trim());
  console.log(
    `wrote ${written.filter((f) => !f.endsWith(".svg")).join(", ")} and ${
      written.filter((f) => f.endsWith(".svg")).length
    } charts`,
  );
}

/**
 * The report of sweep `--sweep` (or the store's only sweep) in the PostgreSQL
 * store `url`, from the store alone; its password is in no line printed.
 */
async function fromPostgres(url: string, parsed: Parsed<typeof OPTIONS>): Promise<number> {
  const { values } = parsed;
  if (values.gif) throw new UsageError("--gif takes a run folder");
  const names = await sweepsIn(url);
  const name = values.sweep ?? (names.length === 1 ? names[0] : undefined);
  if (name === undefined) {
    throw new UsageError(
      names.length === 0
        ? `${storeLabel(url)} holds no sweep`
        : `${storeLabel(url)} holds ${names.length} sweeps: name one with --sweep (${
          names.join(", ")
        })`,
    );
  }
  if (!names.includes(name)) {
    throw new UserError(
      `duel: ${storeLabel(url)}: no sweep ${JSON.stringify(name)} (valid: ${
        names.join(", ") || "none stored"
      })`,
    );
  }
  const out = writableOut(values.out ?? `runs/sweeps/${name}`, values);
  const { trials, runDirs } = await withStore(url, name, false, async (store) => ({
    trials: await trialsFromSweep(store),
    runDirs: (await store.all()).map((r) => r.run_dir),
  }));
  const data = summarized(`${storeLabel(url)} sweep ${name}`, name, trials, values);
  const written = await writeReport(out, data);
  // The views page, from the trial folders found on this machine: where the store says they are
  // (a shared root), else where this machine's workers put them (`--root runs` by default).
  const places = new Set([
    ...runDirs.map((d) => dirname(d)),
    `${out}/trials`,
    `runs/sweeps/${name}/trials`,
  ]);
  written.push(await writeGallery(out, data, trials, [...places]));
  printWritten(data, written, values.quiet);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
