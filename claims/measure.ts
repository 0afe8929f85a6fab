/**
 * Measures claims: runs each claim's experiment once per seed as a
 * subprocess of the experiment command (`--run-dir`, `--quiet`), at most
 * `parallel` at a time, and reads each seed's value from its metrics log.
 * Claims that name the same run share it.
 * @module
 */
import { evaluationRows, readMetrics } from "../src/runs/files.ts";
import { experimentArgs } from "../src/runs/subprocess.ts";
import {
  type Claim,
  definitionKey,
  type Measurement,
  overrides,
  READS,
  type RunSpec,
  verdictOf,
} from "./claim.ts";

/** Options of {@link measure}. */
export interface MeasureOptions {
  /**
   * Folder the run folders go under (one per run and seed, named by {@link runFolder}); a run
   * whose folder already holds a finished run (`summary.json`) is read, not run again, and one
   * stopped part-way resumes from its last checkpoint.
   */
  readonly root: string;
  /** Runs at once (at most 2 on a shared machine). */
  readonly parallel: number;
  /** Seeds per claim: the claim's first seed and the ones after it (default: the claim's seeds). */
  readonly seeds?: number;
  /** Overrides added to every run (`--quick`: a few steps, to check the machinery). */
  readonly extra?: readonly string[];
  /** The commit measured (`git rev-parse HEAD`, `+dirty` with local changes). */
  readonly commit: string;
  /** One line per run that ends. */
  readonly onRun?: (line: string) => void;
}

/** One seed's run: its key, and what it measured. */
interface RunResult {
  readonly series: Readonly<Record<string, readonly number[]>>;
  readonly seconds: number;
  readonly error?: string;
}

/** The seeds a claim is measured on under `options`. */
export function seedsFor(claim: Claim, n?: number): number[] {
  if (n === undefined) return [...claim.run.seeds];
  return Array.from({ length: n }, (_, i) => claim.run.seeds[0] + i);
}

const runKey = (run: RunSpec, seed: number) =>
  JSON.stringify([run.file, overrides(run).sort(), seed]);

/** FNV-1a, 32 bits, as 8 hex digits: a short stable name for a run's configuration. */
function fnv(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** The run folder of one seed: the same run, overrides and seed always get the same name. */
export function runFolder(
  root: string,
  run: RunSpec,
  seed: number,
  extra: readonly string[],
): string {
  const name = run.file.replace(/^.*\//, "").replace(/\.yaml$/, "");
  const key = fnv(JSON.stringify([run.file, overrides(run).sort(), [...extra].sort()]));
  return `${root}/${name}-${key}-seed${seed}`;
}

async function readSeries(dir: string): Promise<Record<string, number[]>> {
  const series: Record<string, number[]> = {};
  for (const row of evaluationRows(await readMetrics(`${dir}/metrics.jsonl`))) {
    for (const [k, v] of Object.entries(row)) (series[k] ??= []).push(v);
  }
  return series;
}

/** A finished run in `dir` (its summary written), or undefined. */
async function finished(dir: string): Promise<RunResult | undefined> {
  try {
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    return { series: await readSeries(dir), seconds: Number(summary.elapsed) };
  } catch {
    return undefined;
  }
}

async function runOne(
  run: RunSpec,
  seed: number,
  dir: string,
  extra: readonly string[],
): Promise<RunResult> {
  const done = await finished(dir);
  if (done) return done;
  // A run stopped part-way continues from its last checkpoint (runs are deterministic).
  const started = await Deno.stat(`${dir}/config.resolved.yaml`).then(() => true, () => false);
  if (!started) await Deno.remove(dir, { recursive: true }).catch(() => {});
  const sets = [...overrides(run), ...extra, `seed=${seed}`].flatMap((s) => ["--set", s]);
  const target = started ? ["--resume", dir] : [run.file, ...sets, "--run-dir", dir];
  const start = performance.now();
  const out = await new Deno.Command(Deno.execPath(), {
    args: experimentArgs([...target, "--quiet"]),
    stdout: "null",
    stderr: "piped",
  }).output();
  const seconds = (performance.now() - start) / 1000;
  if (!out.success) {
    const lines = new TextDecoder().decode(out.stderr).trim().split("\n").filter(Boolean);
    return { series: {}, seconds, error: lines.at(-1) ?? `exit code ${out.code}` };
  }
  return { series: await readSeries(dir), seconds };
}

/** Measures `claims`; returns one measurement per claim, in order. */
export async function measure(
  claims: readonly Claim[],
  options: MeasureOptions,
): Promise<Measurement[]> {
  const jobs = new Map<string, { run: RunSpec; seed: number }>();
  for (const claim of claims) {
    for (const seed of seedsFor(claim, options.seeds)) {
      jobs.set(runKey(claim.run, seed), { run: claim.run, seed });
    }
  }
  const results = new Map<string, RunResult>();
  const queue = [...jobs.entries()].map(([key, job]) => ({ key, ...job }));
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const dir = runFolder(options.root, job.run, job.seed, options.extra ?? []);
      const result = await runOne(job.run, job.seed, dir, options.extra ?? []);
      results.set(job.key, result);
      options.onRun?.(
        `${job.run.file} ${overrides(job.run).join(" ")} seed=${job.seed}: ` +
          `${result.error ?? "done"} (${result.seconds.toFixed(0)} s, ${dir})`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel) }, worker));
  return claims.map((claim) => {
    const seeds = seedsFor(claim, options.seeds);
    const runs = seeds.map((s) => results.get(runKey(claim.run, s))!);
    const values = runs.map((r) => {
      const xs = r.series[claim.metric];
      return xs && xs.length > 0 ? READS[claim.read].read(xs) : NaN;
    });
    return {
      id: claim.id,
      key: definitionKey(claim),
      seeds,
      values,
      verdict: verdictOf(claim, values),
      run_s: Math.round(runs.reduce((a, r) => a + r.seconds, 0) / runs.length),
      date: new Date().toISOString(),
      commit: options.commit,
    };
  });
}
