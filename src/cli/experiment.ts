/**
 * `deno task experiment <file.yaml> [--set key=value ...]` or
 * `deno task experiment --resume <run folder>`: trains one experiment.
 * @module
 */
import { loadExperiment } from "../config/load.ts";
import { type Command, type Parsed, runCommand, UsageError } from "./command.ts";
import { resumeRun, runExperiment } from "../runs/experiment.ts";
import { progressPrinter } from "../runs/progress.ts";
import { profileSteps, profileTable } from "../runs/profile.ts";
import { useBackend } from "../backend/tfjs.ts";
import { Trainer } from "../train/trainer.ts";
import { networkTable } from "../nn/network.ts";
import { checkWritable, OUTSIDE_VALID } from "../paths.ts";
import { UserError } from "../errors.ts";

/** The shape tables of both players, printed before training. */
function printNetworks(trainer: Trainer): void {
  console.log(networkTable("generator", trainer.generator));
  console.log(networkTable("discriminator", trainer.discriminator));
}

const USAGE =
  `usage: deno task experiment <experiment.yaml> [--set key.path=value ...] [--threads N] [--backend NAME] [--quiet]
       deno task experiment --resume <run folder> [--set optimizer.generator.lr=1e-4 ...] [--quiet]
       deno task experiment <experiment.yaml> --run-dir <new folder>   (instead of <root>/<name>/<run id>)
       deno task experiment <experiment.yaml> --profile [steps]   (time per kernel; writes nothing)
  Writes stay inside the working directory unless --allow-outside is given or the folder is an
  absolute path typed here (--run-dir /data/x, --set output.root=/data/runs). Exit codes: 0 done,
  1 environment (a locked run folder, an unreadable file), 2 bad input, 3 the run diverged.`;

const OPTIONS = {
  set: { type: "string", multiple: true, default: [] as string[] },
  resume: { type: "string" },
  quiet: { type: "boolean", default: false },
  profile: { type: "boolean", default: false },
  threads: { type: "string" },
  backend: { type: "string" },
  "run-dir": { type: "string" },
  "allow-outside": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

async function main(parsed: Parsed<typeof OPTIONS>, args: readonly string[]): Promise<number> {
  const { values, positionals } = parsed;
  // --threads N is --set backend.threads=N, --backend NAME --set backend.name=NAME (validated
  // the same way).
  const overrides = [
    ...values.set,
    ...(values.threads ? [`backend.threads=${values.threads}`] : []),
    ...(values.backend ? [`backend.name=${values.backend}`] : []),
  ];
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const writeRule = { allowOutside: values["allow-outside"] };
  const typedFolder = (flag: string, path: string) => {
    const why = checkWritable(path, { ...writeRule, typed: true });
    if (why) {
      throw new UserError(`${flag} ${JSON.stringify(path)}: ${why} (valid: ${OUTSIDE_VALID})`);
    }
  };
  if (values["run-dir"] !== undefined) typedFolder("--run-dir", values["run-dir"]);
  if (values.resume !== undefined) typedFolder("--resume", values.resume);
  if (!values.profile && (values.resume ? positionals.length !== 0 : positionals.length !== 1)) {
    throw new UsageError(
      values.resume ? "--resume takes no experiment file" : "expected one experiment file",
    );
  }
  if (values.profile) {
    const steps = positionals.length === 2 ? Number(positionals[1]) : 20;
    if (!Number.isInteger(steps) || steps < 1 || values.resume) {
      throw new UsageError("--profile takes an experiment file and a step count >= 1");
    }
    const { config, data } = await loadExperiment(positionals[0], overrides);
    await useBackend(config.backend.name, config.backend.threads);
    const trainer = Trainer.create(config, { data });
    for await (const _ of trainer.run(3)); // warm-up: first calls compile and allocate
    console.log(profileTable(await profileSteps(trainer, steps)));
    trainer.dispose();
    return 0;
  }
  const onRow = values.quiet ? undefined : progressPrinter({ live: Deno.stdout.isTerminal() });
  const options = {
    onRow,
    ...(values.quiet ? {} : { onStart: printNetworks }),
    commandLine: ["deno", "task", "experiment", ...args],
    ...(values["run-dir"] ? { runDir: values["run-dir"] } : {}),
  };
  // output.root is checked unless --run-dir names the folder instead.
  const rule = values["run-dir"] === undefined ? writeRule : undefined;
  const summary = values.resume
    ? await resumeRun(values.resume, { ...options, overrides })
    : await runExperiment(await loadExperiment(positionals[0], overrides, rule), options);
  console.log(`run folder: ${summary.run_dir}`);
  console.log(JSON.stringify(summary.final));
  return 0;
}

/** The experiment command, for {@link runCommand} (here, and the sweep's trial host). */
export const EXPERIMENT_COMMAND: Command<typeof OPTIONS> = { usage: USAGE, options: OPTIONS, main };

if (import.meta.main) Deno.exit(await runCommand(EXPERIMENT_COMMAND, Deno.args));
