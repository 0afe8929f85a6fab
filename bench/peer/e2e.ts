/**
 * The end-to-end workloads of `deno task bench:peer`: what a user waits for,
 * from process start to the last file written, Duel's real commands against
 * PyTorch scripts of the same recipes (bench/peer/torch_ring8.py,
 * torch_dcgan_quality.py), each into a fresh temporary folder.
 *
 * - `ring8_run`: the README's run, `deno task experiment experiments/ring8.yaml`
 *   (6,000 steps, EMA, evaluations and checkpoints every 500 steps), on each
 *   thread count (`--set backend.threads=N`: the same bits), against
 *   torch_ring8.py on each thread count.
 * - `ring8_sweep`: 8 seeds of ring8 at 2,000 steps, `deno task sweep --parallel 2`,
 *   against torch_ring8.py as 8 processes (1 thread each), 2 at a time.
 * - `dcgan_run`: experiments/dcgan-mnist.yaml for 500 steps with its evaluations
 *   (image metrics at steps 0 and 500), against torch_dcgan_quality.py for 500
 *   steps (R1 every 4th update, EMA; it writes samples but measures no metric).
 *   Untimed first: the digits exported for PyTorch, Duel's classifier trained
 *   if it is not cached.
 * @module
 */
import { markdownTable, spreadCell } from "../_table.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const TORCH_RING8 = `${ROOT}bench/peer/torch_ring8.py`;
const TORCH_DCGAN = `${ROOT}bench/peer/torch_dcgan_quality.py`;

/** One timed end-to-end run of either side. */
export interface E2eResult {
  readonly impl: "torch" | "duel";
  readonly config: string;
  /** Threads per process (the sweep: per trial). */
  readonly threads: number;
  readonly seconds: number;
  readonly repeat: number;
}

/** The end-to-end workloads, in the order they run. */
export const E2E_WORKLOADS = ["ring8_run", "ring8_sweep", "dcgan_run"] as const;
/** An end-to-end workload's name. */
export type E2eWorkload = (typeof E2E_WORKLOADS)[number];

const decoder = new TextDecoder();

/** Runs a command to its end; its wall seconds, or an error naming it and its last line. */
async function timed(
  what: string,
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, {
    args,
    env,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const seconds = (performance.now() - t0) / 1000;
  if (!out.success) {
    const last = decoder.decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(`${what} failed (exit ${out.code}): ${last}`);
  }
  return seconds;
}

/** `n` jobs, `parallel` at a time; resolves when all have ended. */
async function pool(jobs: (() => Promise<unknown>)[], parallel: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, worker));
}

/** What the workloads share: a scratch folder, how PyTorch scripts start, the thread counts. */
export interface E2eContext {
  readonly scratch: string;
  /** python3's arguments before a script's own: the script behind a launcher (OpenBLAS). */
  readonly torchPrefix: (script: string) => string[];
  readonly threads: readonly number[];
}

/** Untimed preparation of a workload (data for PyTorch, Duel's cached classifier). */
export async function prepareE2e(workload: E2eWorkload, ctx: E2eContext): Promise<void> {
  if (workload !== "dcgan_run") return;
  const zeros = `${ctx.scratch}/zeros.f32`;
  await Deno.writeFile(zeros, new Uint8Array(4 * 28 * 28 * 16));
  await timed("Duel's MNIST export and classifier", Deno.execPath(), [
    "run",
    "-A",
    `${ROOT}bench/peer/score_samples.ts`,
    "--export-train",
    `${ctx.scratch}/train.f32`,
    zeros,
  ]);
}

/** Times one repeat of `workload`: PyTorch on each thread count, then Duel. */
export async function runE2e(
  workload: E2eWorkload,
  ctx: E2eContext,
  repeat: number,
): Promise<E2eResult[]> {
  const dir = await Deno.makeTempDir({ dir: ctx.scratch, prefix: `${workload}-${repeat}-` });
  const results: E2eResult[] = [];
  const add = (impl: E2eResult["impl"], threads: number, seconds: number) =>
    results.push({ impl, config: workload, threads, seconds, repeat });
  const python = (label: string, [script, ...args]: string[]) =>
    timed(`PyTorch ${workload} ${label}`, "/usr/bin/python3", [
      ...ctx.torchPrefix(script),
      ...args,
    ]);
  const task = (args: string[]) => timed(`Duel ${workload}`, Deno.execPath(), ["task", ...args]);
  if (workload === "ring8_run") {
    for (const t of ctx.threads) {
      add(
        "torch",
        t,
        await python(`${t}T`, [TORCH_RING8, "--out", `${dir}/torch-${t}`, "--threads", `${t}`]),
      );
    }
    for (const t of ctx.threads) {
      const args = ["experiments/ring8.yaml", "--set", `backend.threads=${t}`, "--quiet"];
      add("duel", t, await task(["experiment", ...args, "--run-dir", `${dir}/duel-${t}`]));
    }
  } else if (workload === "ring8_sweep") {
    const t0 = performance.now();
    await pool(
      Array.from({ length: 8 }, (_, seed) => () =>
        python(`seed ${seed}`, [
          TORCH_RING8,
          "--out",
          `${dir}/torch-${seed}`,
          "--steps",
          "2000",
          "--seed",
          `${seed}`,
          "--threads",
          "1",
        ])),
      2,
    );
    add("torch", 1, (performance.now() - t0) / 1000);
    const sweep = `${dir}/ring8-sweep.yaml`;
    await Deno.writeTextFile(
      sweep,
      `name: ring8-sweep\nbase: ${ROOT}experiments/ring8.yaml\nset: { train.steps: 2000 }\n` +
        `sweep: { seeds: 8 }\n`,
    );
    add("duel", 1, await task(["sweep", sweep, "--parallel", "2", "--root", `${dir}/duel`]));
  } else {
    for (const t of ctx.threads) {
      add(
        "torch",
        t,
        await python(`${t}T`, [
          TORCH_DCGAN,
          "--data",
          `${ctx.scratch}/train.f32`,
          "--out",
          `${dir}/torch-${t}`,
          "--steps",
          "500",
          "--save-every",
          "500",
          "--r1",
          "1",
          "--every",
          "4",
          "--threads",
          `${t}`,
        ]),
      );
    }
    const args = ["experiment", "experiments/dcgan-mnist.yaml", "--set", "train.steps=500"];
    add("duel", 2, await task([...args, "--run-dir", `${dir}/duel`, "--quiet"]));
  }
  await Deno.remove(dir, { recursive: true });
  return results;
}

const secs = (v: number | undefined) => v === undefined ? "–" : `${v.toFixed(1)} s`;

/**
 * The end-to-end table (Markdown): per workload, each side's best wall time
 * (PyTorch per thread count), the ratio of the fastest of each, and the
 * ratios of each repeat's fastest: range and median.
 */
export function e2eTable(results: E2eResult[], workloads: string[], threads: number[]): string {
  const head = [
    "workload (wall, process start to last file)",
    ...threads.map((t) => `PyTorch ${t}T`),
    ...threads.map((t) => `Duel ${t}T`),
    "Duel / PyTorch (best of each)",
    "per repeat: range (median)",
  ];
  const rows = workloads.map((w) => {
    const of = (impl: string, t?: number, repeat?: number) =>
      results.filter((r) =>
        r.config === w && r.impl === impl && (t === undefined || r.threads === t) &&
        (repeat === undefined || r.repeat === repeat)
      ).map((r) => r.seconds);
    const best = (xs: number[]) => xs.length ? Math.min(...xs) : undefined;
    const [d, p] = [best(of("duel")), best(of("torch"))];
    const repeats = [...new Set(results.filter((r) => r.config === w).map((r) => r.repeat))];
    const each = repeats.map((i) => {
      const [dr, pr] = [best(of("duel", undefined, i)), best(of("torch", undefined, i))];
      return dr !== undefined && pr !== undefined ? dr / pr : undefined;
    }).filter((v): v is number => v !== undefined);
    return [
      w,
      ...threads.map((t) => secs(best(of("torch", t)))),
      ...threads.map((t) => secs(best(of("duel", t)))),
      d !== undefined && p !== undefined ? (d / p).toFixed(2) : "–",
      spreadCell(each),
    ];
  });
  return markdownTable(head, rows);
}

/** The CPU model and the SIMD features ratios move with, from the text of `/proc/cpuinfo`. */
export function parseCpuInfo(info: string): { model: string; simd: string } {
  const model = info.match(/^model name\s*:\s*(.*)$/m)?.[1]?.trim() ?? "unknown CPU";
  const flags = new Set((info.match(/^flags\s*:\s*(.*)$/m)?.[1] ?? "").split(/\s+/));
  const simd = ["avx2", "fma", "avx512f"].map((f) => `${f} ${flags.has(f) ? "yes" : "no"}`)
    .join(", ");
  return { model, simd };
}

/**
 * The host's CPU model and SIMD features, and the vector code PyTorch chose
 * (`CPU capability usage` in `torch.__config__.show()`, e.g. `AVX2`). Read
 * through python3: Deno grants `/proc/cpuinfo` only to `--allow-all`.
 */
export async function hostCpu(): Promise<{ model: string; simd: string; torch: string }> {
  const script = "import re, torch\n" +
    "m = re.search(r'CPU capability usage: (\\w+)', torch.__config__.show())\n" +
    "print(m.group(1) if m else 'unknown')\nprint(open('/proc/cpuinfo').read())";
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", script],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  const text = out?.success ? decoder.decode(out.stdout) : "";
  const [first, ...rest] = text.split("\n");
  return { ...parseCpuInfo(rest.join("\n")), torch: first?.trim() || "unknown" };
}
