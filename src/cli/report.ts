/**
 * `deno task report <sweep or run folder> [--metric eval/x ...] [--rank-by eval/x] [--out dir]`:
 * writes `report.md`, `report.html` and the charts as SVG into the folder
 * (or `--out`). A sweep's report is made from its store alone.
 * @module
 */
import { parseArgs } from "node:util";
import {
  folderKind,
  reportTitle,
  trialsFromRun,
  trialsFromSweep,
  writeReport,
} from "../report/sources.ts";
import { ReportError, summarize } from "../report/summarize.ts";
import { renderMarkdown } from "../report/render.ts";

const USAGE =
  "usage: deno task report <sweep folder | run folder> [--metric eval/name ...] [--rank-by eval/name] [--out dir]";

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        metric: { type: "string", multiple: true },
        "rank-by": { type: "string" },
        out: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    console.error(`duel: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) {
    console.error(`duel: expected one folder\n${USAGE}`);
    return 2;
  }
  const dir = positionals[0].replace(/\/+$/, "");
  let kind;
  try {
    kind = await folderKind(dir);
  } catch (e) {
    console.error(`duel: ${(e as Error).message}`);
    return 2;
  }
  const trials = kind === "sweep" ? trialsFromSweep(dir) : await trialsFromRun(dir);
  let data;
  try {
    data = summarize(reportTitle(dir), trials, {
      ...(values.metric ? { metrics: values.metric } : {}),
      ...(values["rank-by"] ? { rankBy: values["rank-by"] } : {}),
    });
  } catch (e) {
    if (!(e instanceof ReportError)) throw e;
    console.error(`duel: ${dir}: ${e.message}`);
    return e.exitCode;
  }
  const written = await writeReport(values.out ?? dir, data);
  if (!values.quiet) console.log(renderMarkdown(data).split("## Charts")[0].trim());
  console.log(
    `wrote ${written.filter((f) => !f.endsWith(".svg")).join(", ")} and ${
      written.filter((f) => f.endsWith(".svg")).length
    } charts`,
  );
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`duel: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
