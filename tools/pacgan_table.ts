/**
 * PacGAN's Table 1 beside Duel's reproduction: reads the four sweeps of
 * `experiments/pacgan/sweeps/` (their trial folders under `<root>/sweeps/`),
 * recomputes each trial's mode metrics from its last samples file with its
 * own geometry and code (not Duel's metric: a check), compares them with the
 * trial's `summary.json`, and prints one markdown table of mean ± standard
 * error over the trials of each row (the README's), then the diagnostics
 * behind it: the median sample's distance to its nearest mode (in std) and
 * the modes with at least 10 high-quality samples.
 *
 *   deno run --allow-read tools/pacgan_table.ts [--root runs]
 * @module
 */
import { parseArgs } from "node:util";
import { mean, std } from "../src/report/stats.ts";

/** PacGAN's geometry (Lin et al. 2018, their code): mode centres and their std. */
export const GEOMETRY = {
  ring8: {
    centres: Array.from({ length: 8 }, (_, k) => [
      Math.cos((2 * Math.PI * k) / 8),
      Math.sin((2 * Math.PI * k) / 8),
    ]),
    std: 0.01,
  },
  grid25: {
    centres: [-4, -2, 0, 2, 4].flatMap((x) => [-4, -2, 0, 2, 4].map((y) => [x, y])),
    std: 0.05,
  },
} as const;

/** One data set's modes. */
export type Geometry = { readonly centres: readonly (readonly number[])[]; readonly std: number };

/** The metrics of one set of samples, by PacGAN's rule (threshold 3 std). */
export interface PacganMetrics {
  /** Modes with at least one high-quality sample. */
  readonly modes: number;
  /** Modes with at least 10. */
  readonly modes10: number;
  /** Share of samples within 3 std of their nearest mode. */
  readonly hq: number;
  /** KL(histogram of the high-quality samples over the modes || uniform), nats. */
  readonly reverseKl: number;
  /** The median sample's distance to its nearest mode, in std. */
  readonly medianStd: number;
}

/**
 * PacGAN's metrics of `points` (pairs x, y) for `geometry`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GEOMETRY, pacganMetrics } from "./pacgan_table.ts";
 * const m = pacganMetrics([[1, 0.005], [0, 1], [0, 0]], GEOMETRY.ring8);
 * assert.equal(m.modes, 2);
 * assert.equal(m.hq, 2 / 3);
 * ```
 */
export function pacganMetrics(
  points: readonly (readonly number[])[],
  geometry: Geometry,
): PacganMetrics {
  const counts = geometry.centres.map(() => 0);
  const distances = points.map(([x, y]) => {
    let best = 0, bestD = Infinity;
    geometry.centres.forEach(([cx, cy], k) => {
      const d = Math.hypot(x - cx, y - cy) / geometry.std;
      if (d < bestD) [best, bestD] = [k, d];
    });
    if (bestD <= 3) counts[best]++;
    return bestD;
  });
  const hq = counts.reduce((a, b) => a + b, 0), m = counts.length;
  const reverseKl = hq === 0
    ? Math.log(m)
    : counts.reduce((s, c) => (c ? s + (c / hq) * Math.log((c / hq) * m) : s), 0);
  const sorted = distances.sort((a, b) => a - b);
  return {
    modes: counts.filter((c) => c > 0).length,
    modes10: counts.filter((c) => c >= 10).length,
    hq: hq / points.length,
    reverseKl,
    medianStd: sorted[Math.floor(sorted.length / 2)],
  };
}

/** Mean and standard error (sample std / sqrt n; the report's `mean` and `std`). */
export function meanSe(values: readonly number[]): { mean: number; se: number } {
  return { mean: mean(values), se: std(values) / Math.sqrt(values.length) };
}

/** Table 1 of Lin et al. 2018 (mean ± s.e. over 10 trials; some cells have no s.e.). */
const PAPER = {
  GAN: "6.3 ± 0.5 | 98.2 ± 0.2 | 0.45 ± 0.09 | 17.3 ± 0.8 | 94.8 | 0.70 ± 0.07",
  PacGAN2: "7.9 ± 0.1 | 95.6 | 0.07 | 23.8 ± 0.7 | 91.3 | 0.13",
} as const;

const ROWS = [["GAN", "gan"], ["PacGAN2", "pacgan2"]] as const;
const SETS = ["ring8", "grid25"] as const;

interface Trial {
  readonly seed: number;
  readonly steps: number;
  readonly recomputed: PacganMetrics;
  /** Each evaluation's `eval/modes` and `eval/hq` by step (from `metrics.jsonl`). */
  readonly curve: ReadonlyMap<number, { modes: number; hq: number }>;
}

async function trials(root: string, set: string, row: string): Promise<Trial[]> {
  const dir = `${root}/sweeps/pacgan-${set}-${row}/trials`;
  const out: Trial[] = [];
  const entries = await Array.fromAsync(Deno.readDir(dir)).catch(() => []); // not run yet: none
  for (const e of entries) {
    // A trial not finished yet has no summary: left out.
    const text = await Deno.readTextFile(`${dir}/${e.name}/summary.json`).catch(() => undefined);
    if (!e.isDirectory || text === undefined) continue;
    const summary = JSON.parse(text);
    const steps: number = summary.steps;
    const csv = await Deno.readTextFile(
      `${dir}/${e.name}/samples/step-${String(steps).padStart(8, "0")}.csv`,
    );
    const points = csv.trim().split("\n").slice(1).map((l) => l.split(",").map(Number));
    const recomputed = pacganMetrics(points, GEOMETRY[set as keyof typeof GEOMETRY]);
    const f = summary.final;
    const same = f["eval/modes"] === recomputed.modes && f["eval/hq"] === recomputed.hq &&
      Math.abs(f["eval/reverse_kl"] - recomputed.reverseKl) < 1e-9;
    if (!same) {
      throw new Error(
        `${dir}/${e.name}: summary.json (${f["eval/modes"]}, ${f["eval/hq"]}, ` +
          `${f["eval/reverse_kl"]}) differs from the samples' metrics ` +
          `(${recomputed.modes}, ${recomputed.hq}, ${recomputed.reverseKl})`,
      );
    }
    const seed = Number(
      (await Deno.readTextFile(`${dir}/${e.name}/config.resolved.yaml`))
        .match(/^seed: (\d+)/m)![1],
    );
    const curve = new Map<number, { modes: number; hq: number }>();
    for (const line of (await Deno.readTextFile(`${dir}/${e.name}/metrics.jsonl`)).split("\n")) {
      if (!line.includes('"eval/hq"')) continue;
      const row = JSON.parse(line);
      curve.set(row.step, { modes: row["eval/modes"], hq: row["eval/hq"] });
    }
    out.push({ seed, steps, recomputed, curve });
  }
  return out.sort((a, b) => a.seed - b.seed);
}

const cell = (values: readonly number[], digits: number, scale = 1) => {
  if (values.length === 0) return "–";
  const { mean: m, se } = meanSe(values.map((v) => v * scale));
  return `${m.toFixed(digits)} ± ${se.toFixed(digits)}`;
};

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { root: { type: "string" } } });
  const root = values.root ?? "runs";
  const lines = [
    "| row | ring modes /8 | ring HQ % | ring rev. KL | grid modes /25 | grid HQ % | grid rev. KL |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  const notes: string[] = [];
  for (const [label, row] of ROWS) {
    const sets = await Promise.all(SETS.map((set) => trials(root, set, row)));
    const steps = [...new Set(sets.flat().map((t) => t.steps))].join(", ");
    const n = sets.map((s) => s.length).join(" / ");
    lines.push(`| ${label}, paper | ${PAPER[label]} |`);
    lines.push(
      `| ${label}, Duel, ${steps} steps (${n} seeds) | ` +
        sets.map((s) => {
          const m = s.map((t) => t.recomputed);
          return [
            cell(m.map((x) => x.modes), 1),
            cell(m.map((x) => x.hq), 1, 100),
            cell(m.map((x) => x.reverseKl), 2),
          ].join(" | ");
        }).join(" | ") + " |",
    );
    SETS.forEach((set, i) => {
      const m = sets[i].map((t) => t.recomputed);
      notes.push(
        `${label} ${set}: median distance to the nearest mode ` +
          `${cell(m.map((x) => x.medianStd), 1)} std; modes with >= 10 HQ samples ` +
          `${cell(m.map((x) => x.modes10), 1)}; by evaluation (step: modes, HQ %): ` +
          [...(sets[i][0]?.curve.keys() ?? [])].map((step) => {
            const at = sets[i].map((t) => t.curve.get(step)!).filter((v) => v);
            return `${step}: ${cell(at.map((v) => v.modes), 1)}, ${
              cell(at.map((v) => v.hq), 1, 100)
            }`;
          }).join("; ") + `; per seed (seed: modes, HQ %): ` +
          sets[i].map((t) =>
            `${t.seed}: ${t.recomputed.modes}, ${(100 * t.recomputed.hq).toFixed(1)}`
          ).join("; "),
      );
    });
  }
  console.log(lines.join("\n"));
  console.log("\nEvery trial's summary.json equals the metrics recomputed from its samples.\n");
  for (const line of notes) console.log(`- ${line}`);
}
