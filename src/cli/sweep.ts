/**
 * `deno task sweep <sweep.yaml> [--parallel N] [--root runs] [--store S] [--submit]`:
 * runs (or resumes) every trial of a sweep, or with `--submit` only stores
 * them; `deno task sweep --worker --store S [--sweep name]` joins a store's
 * sweeps and pulls trials until none are left; `deno task sweep status --store S`
 * prints where they stand. The store is `--store`, else the sweep file's
 * `store:`, else `DUEL_STORE`, else `<root>/sweeps/<name>/sweep.db`.
 * @module
 */
import {
  announceAlive,
  retryWhileUnreachable,
  runSweep,
  runWorker,
  submitSweep,
  type SweepEvent,
} from "../sweep/runner.ts";
import { loadSweep } from "../sweep/sweep_file.ts";
import { MAX_TRIALS } from "../sweep/count.ts";
import { openStore, storeError, storeLabel, sweepsIn } from "../sweep/open_store.ts";
import { isPostgresUrl, redactIn } from "../sweep/pg_store.ts";
import { statusLines } from "../sweep/status.ts";
import type { SweepStore, TrialRecord } from "../sweep/store.ts";
import { checkWritable, OUTSIDE_VALID } from "../paths.ts";
import { UserError } from "../errors.ts";
import { storeFromEnv } from "../env.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";

const USAGE =
  `usage: deno task sweep <sweep.yaml> [--parallel N] [--root runs] [--max-trials N] [--allow-outside]
                        [--store postgres://user:pass@host/db | file.db] [--submit]
       deno task sweep --worker --store S [--sweep name] [--parallel N] [--root runs]
       deno task sweep status --store S [--sweep name]
  --root must lie inside the working directory unless it is absolute or --allow-outside is given;
  a sweep of more than --max-trials trials (default ${MAX_TRIALS}) stops before anything runs.
  The store: --store, else the sweep file's store:, else DUEL_STORE, else <root>/sweeps/<name>/sweep.db.
  --submit stores the trials without running them; --worker runs trials of the store's sweeps
  (or of --sweep) until none are left; --lease S: seconds a worker holds a trial without a
  heartbeat (default 60; a dead worker's trial is taken over after it).
  Exit codes: 0 every trial done, 1 some failed or diverged, 2 bad input.`;

const OPTIONS = {
  parallel: { type: "string" },
  root: { type: "string", default: "runs" },
  "max-trials": { type: "string" },
  "allow-outside": { type: "boolean", default: false },
  store: { type: "string" },
  submit: { type: "boolean", default: false },
  worker: { type: "boolean", default: false },
  sweep: { type: "string" },
  lease: { type: "string" },
} as const;

/** Prints a trial's end as one line. */
function printer(total: () => number) {
  let finished = 0;
  return (event: SweepEvent, t: TrialRecord) => {
    if (event === "start") return;
    if (event === "lost") {
      console.log(`trial ${t.index} (seed ${t.seed}): lease lost, taken over; result refused`);
      return;
    }
    finished++;
    // A metric that was not finite (NaN, ±Infinity) is stored as null: printed as "–".
    const evals = Object.entries(JSON.parse(t.final ?? "{}") as Record<string, number | null>)
      .filter(([k]) => k.startsWith("eval/"))
      .map(([k, v]) => `${k.slice(5)} ${Number.isFinite(v) ? +v!.toPrecision(4) : "–"}`);
    const detail = event === "done" ? evals.join(", ") : t.error;
    void total;
    console.log(`[${finished}] trial ${t.index} (seed ${t.seed}) ${event}: ${detail}`);
  };
}

/** Opens a store with a user-facing error (no password) when it cannot be reached. */
async function open(spec: string, name: string, create: boolean): Promise<SweepStore> {
  try {
    return await openStore(spec, name, create);
  } catch (e) {
    throw storeError(spec, e);
  }
}

async function status(spec: string, only: string | undefined): Promise<number> {
  const names = only ? [only] : await sweepsIn(spec);
  if (names.length === 0) console.log(`${storeLabel(spec)}: no sweeps`);
  for (const name of names) {
    const store = await open(spec, name, false);
    try {
      for (const line of statusLines(name, await store.all(), await store.attempts())) {
        console.log(line);
      }
    } finally {
      await store.close();
    }
  }
  return 0;
}

async function worker(
  spec: string,
  only: string | undefined,
  parallel: number,
  root: string,
  leaseMs: number | undefined,
): Promise<number> {
  announceAlive(); // workers on this machine free this one's trials at once if it dies
  const notice = (line: string) => console.error(`duel: ${redactIn(line, spec)}`);
  // A store never reached is the user's one-line error; once it answered, an outage is waited out.
  let reached = false;
  const ask = <T>(fn: () => Promise<T>) => reached ? retryWhileUnreachable(fn, notice) : fn();
  let failed = 0;
  const done = new Set<string>();
  for (;;) {
    const names = (only ? [only] : await ask(() => sweepsIn(spec))).filter((n) => !done.has(n));
    if (names.length === 0) break;
    for (const name of names) {
      done.add(name);
      const store = await ask(() => open(spec, name, false));
      reached = true;
      try {
        const rows = await runWorker(store, name, {
          parallel,
          root,
          leaseMs,
          onEvent: printer(() => 0),
          onNotice: notice,
        });
        failed += rows.filter((r) => r.state !== "done").length;
        console.log(
          `sweep ${name}: ${
            rows.length - rows.filter((r) => r.state !== "done").length
          }/${rows.length} trials done`,
        );
      } finally {
        await store.close();
      }
    }
    if (only) break;
  }
  return failed ? 1 : 0;
}

/** An error's message with the password of every store in `specs` replaced; same kind of error. */
function redacted(e: unknown, specs: ReadonlySet<string>): unknown {
  if (!(e instanceof Error)) return e;
  let message = e.message;
  for (const spec of specs) message = redactIn(message, spec);
  if (message === e.message) return e;
  if (e instanceof UsageError) return new UsageError(message);
  if (e instanceof UserError) return new UserError(message);
  return new Error(message);
}

async function main(parsed: Parsed<typeof OPTIONS>): Promise<number> {
  // Every store named, so that no message that escapes shows its password.
  const specs = new Set<string>();
  try {
    return await sweepMain(parsed, specs);
  } catch (e) {
    throw redacted(e, specs);
  }
}

async function sweepMain(parsed: Parsed<typeof OPTIONS>, specs: Set<string>): Promise<number> {
  const { values, positionals } = parsed;
  for (const spec of [values.store, storeFromEnv()]) if (spec) specs.add(spec);
  const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
  if (parallel !== undefined && (!Number.isInteger(parallel) || parallel < 1)) {
    throw new UsageError("expected --parallel >= 1");
  }
  const why = checkWritable(values.root, { allowOutside: values["allow-outside"], typed: true });
  if (why) {
    throw new UserError(`--root ${JSON.stringify(values.root)}: ${why} (valid: ${OUTSIDE_VALID})`);
  }
  if (positionals[0] === "status" && positionals.length === 1) {
    const spec = values.store ?? storeFromEnv();
    if (!spec) throw new UsageError("status needs --store (or DUEL_STORE)");
    return await status(spec, values.sweep);
  }
  if (values.worker) {
    const spec = values.store ?? storeFromEnv();
    if (positionals.length !== 0 || !spec) {
      throw new UsageError("--worker takes no sweep file and needs --store (or DUEL_STORE)");
    }
    const lease = values.lease === undefined ? undefined : Number(values.lease);
    if (lease !== undefined && !(lease >= 1 && lease <= 86400)) {
      throw new UsageError(`--lease ${values.lease}: expected seconds from 1 to 86400`);
    }
    return await worker(
      spec,
      values.sweep,
      parallel ?? 1,
      values.root,
      lease === undefined ? undefined : lease * 1000,
    );
  }
  if (positionals.length !== 1) throw new UsageError("expected one sweep file");
  const maxTrials = values["max-trials"] === undefined ? MAX_TRIALS : Number(values["max-trials"]);
  if (!Number.isSafeInteger(maxTrials) || maxTrials < 1) {
    throw new UsageError(`--max-trials ${values["max-trials"]}: expected an integer >= 1`);
  }
  const sweep = await loadSweep(positionals[0], { maxTrials });
  if (sweep.spec.store) specs.add(sweep.spec.store);
  const spec = values.store ?? sweep.spec.store ?? storeFromEnv() ??
    `${values.root}/sweeps/${sweep.spec.name}/sweep.db`;
  const total = sweep.trials.length;
  if (values.submit) {
    const store = await open(spec, sweep.spec.name, true);
    try {
      await submitSweep(sweep, store, values.root);
    } finally {
      await store.close();
    }
    console.log(`${total} trials of ${sweep.spec.name} submitted; store: ${storeLabel(spec)}`);
    return 0;
  }
  // By default as many trials at once as the cores hold, given the threads each trial uses.
  const threads = Math.max(1, ...sweep.trials.map((t) => t.experiment.config.backend.threads));
  const running = parallel ?? Math.max(1, Math.floor(navigator.hardwareConcurrency / threads));
  const store = isPostgresUrl(spec) || values.store || sweep.spec.store || storeFromEnv()
    ? await open(spec, sweep.spec.name, true)
    : undefined;
  announceAlive();
  let rows;
  try {
    rows = await runSweep(sweep, {
      parallel: running,
      root: values.root,
      store,
      onEvent: printer(() => total),
      onNotice: (line) => console.error(`duel: ${redactIn(line, spec)}`),
    });
  } finally {
    await store?.close();
  }
  const failed = rows.filter((r) => r.state !== "done");
  const diverged = rows.filter((r) => r.state === "diverged").length;
  console.log(
    `${total - failed.length}/${total} trials done${diverged ? `, ${diverged} diverged` : ""}; ` +
      `store: ${storeLabel(spec)}`,
  );
  return failed.length ? 1 : 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: OPTIONS, main }, Deno.args));
}
