/**
 * `deno task report <sweep or run folder> [--metric eval/x ...] [--rank-by eval/x] [--out dir]`:
 * writes `report.md`, `report.html` and the charts as SVG into the folder
 * (or `--out`). A sweep's report is made from its store alone.
 * @module
 */
import {
  folderKind,
  reportTitle,
  trialsFromRun,
  trialsFromSweep,
  writeReport,
} from "../report/sources.ts";
import { ReportError, summarize } from "../report/summarize.ts";
import { renderMarkdown } from "../report/render.ts";
import { UserError } from "../errors.ts";
import { writeRunGif, writeRunReport } from "../runs/run_report.ts";
import { writeComparison } from "../report/compare.ts";
import { writeGallery } from "../report/gallery.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";
import { checkWritable, OUTSIDE_VALID } from "../paths.ts";

const USAGE =
  "usage: deno task report <sweep folder | run folder> [--metric eval/name ...] [--rank-by eval/name] [--out dir] [--gif] [--allow-outside]\n" +
  "       deno task report <run A> <run B> | <sweep A> <sweep B> [--out dir] [--allow-outside]   (compare.html, side by side)";

const OPTIONS = {
  metric: { type: "string", multiple: true },
  "rank-by": { type: "string" },
  out: { type: "string" },
  quiet: { type: "boolean", default: false },
  gif: { type: "boolean", default: false },
  "allow-outside": { type: "boolean", default: false },
} as const;

async function main(parsed: Parsed<typeof OPTIONS>): Promise<number> {
  const { values, positionals } = parsed;
  /** The report is written into the folder (typed here) or --out: both under the same rule. */
  const writable = (out: string) => {
    const why = checkWritable(out, { allowOutside: values["allow-outside"], typed: true });
    if (why) {
      throw new UserError(
        `${values.out === undefined ? "" : "--out "}${
          JSON.stringify(out)
        }: ${why} (valid: ${OUTSIDE_VALID})`,
      );
    }
    return out;
  };
  if (positionals.length === 2) {
    const [a, b] = positionals.map((p) => p.replace(/\/+$/, ""));
    const path = await writeComparison(a, b, writable(values.out ?? a)).catch((e: Error) => {
      throw new UserError(`duel: ${e.message}`);
    });
    console.log(`wrote ${path}`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("expected one folder, or two to compare");
  const dir = positionals[0].replace(/\/+$/, "");
  const out = writable(values.out ?? dir);
  const kind = await folderKind(dir).catch((e: Error) => {
    throw new UserError(`duel: ${e.message}`);
  });
  const trials = kind === "sweep" ? trialsFromSweep(dir) : await trialsFromRun(dir);
  let data;
  try {
    data = summarize(reportTitle(dir), trials, {
      ...(values.metric ? { metrics: values.metric } : {}),
      ...(values["rank-by"] ? { rankBy: values["rank-by"] } : {}),
    });
  } catch (e) {
    if (!(e instanceof ReportError)) throw e;
    throw new UserError(`duel: ${dir}: ${e.message}`);
  }
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
  if (!values.quiet) console.log(renderMarkdown(data).split("## Charts")[0].trim());
  console.log(
    `wrote ${written.filter((f) => !f.endsWith(".svg")).join(", ")} and ${
      written.filter((f) => f.endsWith(".svg")).length
    } charts`,
  );
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
