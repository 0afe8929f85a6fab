/**
 * What a claim is: a run (an experiment file, overrides, fresh seeds), a
 * metric read from each seed's evaluations, a verdict rule over the seeds'
 * values, and the sentence the README shows, filled from the measurement.
 * The claims themselves are data in `claims/table.ts`; `claims/measured.json`
 * holds the last measurement of each, and the README's claims block is
 * generated from both (`claims/render.ts`).
 * @module
 */

/** How one seed's value is read from its run's evaluation rows. */
export const READS = {
  final: {
    doc: "at the final step",
    read: (xs: readonly number[]) => xs[xs.length - 1],
  },
  best: {
    doc: "the highest over all evaluations",
    read: (xs: readonly number[]) => Math.max(...xs),
  },
  final_over_first: {
    doc: "at the final step, as a share of the first evaluation",
    read: (xs: readonly number[]) => xs[xs.length - 1] / xs[0],
  },
} as const satisfies Record<string, { doc: string; read: (xs: readonly number[]) => number }>;
/** A name of {@link READS}. */
export type ReadName = keyof typeof READS;

/** Statistics over the seeds' values, for rules and for the text. */
export const STATS = {
  mean: (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length,
  se: (xs: readonly number[]) => {
    if (xs.length < 2) return NaN;
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
    return Math.sqrt(v / xs.length);
  },
  min: (xs: readonly number[]) => Math.min(...xs),
  max: (xs: readonly number[]) => Math.max(...xs),
} as const satisfies Record<string, (xs: readonly number[]) => number>;
/** A name of {@link STATS}. */
export type StatName = keyof typeof STATS;

/** Comparisons a rule may make. */
export const OPS = {
  ">=": (a: number, b: number) => a >= b,
  "<=": (a: number, b: number) => a <= b,
} as const satisfies Record<string, (a: number, b: number) => boolean>;

/** One condition of a verdict: `stat(values) op value`, e.g. `min >= 21`. */
export interface Condition {
  readonly stat: StatName;
  readonly op: keyof typeof OPS;
  readonly value: number;
}

/** The runs a claim reads: an experiment file (from the repository root) and `--set` overrides. */
export interface RunSpec {
  readonly file: string;
  readonly set?: Readonly<Record<string, string | number | boolean>>;
  /** The seeds, fresh: none of them was used to write the claim. */
  readonly seeds: readonly number[];
}

/** One quantitative claim, written once. */
export interface Claim {
  /** Stable name, for `--only` and `claims/measured.json`. */
  readonly id: string;
  readonly run: RunSpec;
  /** A metric key of `metrics.jsonl`, e.g. `eval/modes`. */
  readonly metric: string;
  readonly read: ReadName;
  /** Every condition must hold for a pass. */
  readonly pass: readonly Condition[];
  /**
   * The README's sentence. Placeholders: `{mean}`, `{se}`, `{min}`, `{max}`
   * (with `digits` decimals), `{n}` (seeds), `{seeds}`, `{rule}`, `{read}`.
   */
  readonly text: string;
  readonly digits: number;
  /** Why these seeds and this length (cost), where it matters. */
  readonly note?: string;
  /** Too long for a routine `deno task claims` (run it with `--only` or `--slow`). */
  readonly slow?: boolean;
}

/** A claim's measurement, as `claims/measured.json` stores it. */
export interface Measurement {
  readonly id: string;
  /** {@link definitionKey} of the claim it measured; another key means the claim has changed. */
  readonly key: string;
  readonly seeds: readonly number[];
  readonly values: readonly number[];
  readonly verdict: "pass" | "fail";
  /** Mean wall seconds of one run (this host, shared with other work). */
  readonly run_s: number;
  /** When (ISO time) and at which commit (`+dirty` with local changes) it was measured. */
  readonly date: string;
  readonly commit: string;
}

/** The committed table: where and when it was measured, and each claim's measurement. */
export interface MeasuredTable {
  readonly host: string;
  readonly cpus: number;
  readonly date: string;
  readonly commit: string;
  readonly deno: string;
  readonly wall_s: number;
  readonly claims: readonly Measurement[];
}

/** The condition as text, e.g. `min >= 21`. */
export function conditionText(c: Condition): string {
  return `${c.stat} ${c.op} ${c.value}`;
}

/** Whether every condition holds for `values`. */
export function verdictOf(claim: Claim, values: readonly number[]): "pass" | "fail" {
  const ok = values.length > 0 && values.every(Number.isFinite) &&
    claim.pass.every((c) => OPS[c.op](STATS[c.stat](values), c.value));
  return ok ? "pass" : "fail";
}

/**
 * What a measurement depends on (run, metric, read, rule), as a string: a
 * measurement whose key differs was taken for another definition. Seeds are
 * not in it (`--seeds n` measures fewer or more, and says so).
 */
export function definitionKey(claim: Claim): string {
  const { file, set } = claim.run;
  const sorted = Object.fromEntries(Object.entries(set ?? {}).sort(([a], [b]) => a < b ? -1 : 1));
  return JSON.stringify([file, sorted, claim.metric, claim.read, claim.pass]);
}

/** The `--set` arguments of a run spec. */
export function overrides(run: RunSpec): string[] {
  return Object.entries(run.set ?? {}).map(([k, v]) => `${k}=${v}`);
}

/** The command that reruns one seed of a claim's run. */
export function commandOf(run: RunSpec, seed: number): string {
  const sets = [...overrides(run), `seed=${seed}`].map((s) => `--set ${s}`).join(" ");
  return `deno task experiment ${run.file} ${sets}`;
}
