/**
 * Divergence, caught from what the trainer already reports: each step's
 * losses (numbers the metrics row holds anyway, so no extra host sync) must be
 * finite, and, when `train.divergence_guard` sets bounds, within them. The
 * run layer stops on the first step that fails and says why in one line.
 * @module
 */
import type { Experiment } from "../config/schema.ts";

/** The values checked for being finite: the losses and the critic's mean scores. */
export const CHECKED: readonly string[] = [
  "d/loss",
  "g/loss",
  "d/penalty",
  "d/real_score",
  "d/fake_score",
];

/** Why a step is divergent, in words (`g/loss is NaN`), or undefined when it is not. */
export type Verdict = string | undefined;

const shown = (v: number) => Number.isNaN(v) ? "NaN" : `${+v.toPrecision(4)}`;

/**
 * Judges one metrics row: a checked value that is not finite, or past a bound
 * of `guard` (`max_abs_loss` for `d/loss` and `g/loss`, `max_abs_score` for
 * the critic's mean scores).
 */
export function verdict(
  metrics: object,
  guard?: Experiment["train"]["divergence_guard"],
): Verdict {
  const row = metrics as Readonly<Record<string, number | undefined>>;
  for (const key of CHECKED) {
    const v = row[key];
    if (v !== undefined && !Number.isFinite(v)) return `${key} is ${shown(v)}`;
  }
  const bounds: [readonly string[], string, number | undefined][] = [
    [["d/loss", "g/loss"], "max_abs_loss", guard?.max_abs_loss],
    [["d/real_score", "d/fake_score"], "max_abs_score", guard?.max_abs_score],
  ];
  for (const [keys, name, bound] of bounds) {
    if (bound === undefined) continue;
    for (const key of keys) {
      const v = row[key];
      if (v !== undefined && Math.abs(v) > bound) {
        return `${key} is ${v.toExponential(0)}, past train.divergence_guard.${name} ${bound}`;
      }
    }
  }
  return undefined;
}

/** The names of the tensors of a state that hold a value that is not finite (at most 3). */
export function nonFiniteTensors(
  tensors: readonly { readonly name: string; readonly data: Float32Array }[],
): string[] {
  const bad: string[] = [];
  for (const t of tensors) {
    if (!t.data.every(Number.isFinite)) bad.push(t.name);
    if (bad.length === 3) break;
  }
  return bad;
}

/**
 * The stop line: where, what, the last finite values, and hints.
 */
export function stopLine(
  dir: string,
  step: number,
  why: string,
  lastFinite: Readonly<Record<string, number>> | undefined,
  config: Experiment,
  checkpoint: string | undefined,
): string {
  const last = lastFinite
    ? `last finite at step ${lastFinite.step}: ` +
      CHECKED.filter((k) => lastFinite[k] !== undefined)
        .map((k) => `${k} ${shown(lastFinite[k])}`).join(", ")
    : "no finite step before it";
  const { generator: g, discriminator: d } = config.optimizer;
  const resume = checkpoint
    ? `kept ${checkpoint}; continue with --resume ${dir} --set optimizer.generator.lr=...`
    : "no checkpoint before it";
  return `${dir}: diverged at step ${step}: ${why} (${last}); hints: generator lr ${g.lr}, ` +
    `critic lr ${d.lr}, objective ${config.objective.name}; ${resume}`;
}
