/**
 * `deno task bench:peer`: Duel against PyTorch on the same machine, in one
 * run: the peer workloads (toy2d, dcgan_mnist training steps; 512^3 matmul)
 * on 1 and 2 threads each, PyTorch (Debian's python3-torch with the OpenMP
 * build of OpenBLAS in front, as `../shared/peers/README.md` prescribes) and
 * Duel interleaved, `--repeats` times over (default 3), then a table of each
 * side's best median per configuration, the Duel / PyTorch ratio of the fastest
 * configuration of each, and that ratio's range and median over the repeats.
 * The host time-shares this VM's second core, so one measurement can be off by
 * 40%: the best of a few medians is the steadier estimate of each side, the
 * per-repeat ratios pair the sides under the same load, and the range shows
 * the noise. `--readme` writes the table into README.md. `--webgpu` adds a
 * column: Duel on the webgpu backend (one process per workload and repeat;
 * on Mesa's llvmpipe a software rasteriser, for correctness, not speed).
 * @module
 */
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import { writeAtomic } from "../../src/files.ts";
import { markdownTable, spreadCell } from "../_table.ts";
import { KERNEL_SHAPES } from "./kernel_shapes.ts";
import {
  E2E_WORKLOADS,
  type E2eResult,
  e2eTable,
  type E2eWorkload,
  hostCpu,
  prepareE2e,
  runE2e,
} from "./e2e.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PEER = `${ROOT}bench/peer/torch_gan_bench.py`;
const PEER_KERNELS = `${ROOT}bench/peer/torch_kernels.py`;
/** The launcher that puts OpenBLAS in front of Debian's BLAS before torch loads. */
export const WITH_OPENBLAS = `${ROOT}bench/peer/with_openblas.py`;
const OPENBLAS = `${ROOT}.openblas`;
/** Where the OpenMP OpenBLAS's `libblas.so.3` is, once unpacked. */
export const OPENBLAS_LIB = `${OPENBLAS}/usr/lib/x86_64-linux-gnu/openblas-openmp`;
const MARK = ["<!-- bench:peer:start -->", "<!-- bench:peer:end -->"] as const;

/** One result line of either side. */
export interface Result {
  readonly impl: "torch" | "duel" | "duel_webgpu";
  readonly config: string;
  readonly threads: number;
  readonly median_ms: number;
  readonly gflops?: number;
  /** duel_webgpu: the adapter's description. */
  readonly adapter?: string;
  /** Which pass over all configurations measured it (0-based). */
  readonly repeat: number;
}

/** One kernel timing of either side (`torch_kernels.py`, `duel_kernels.ts`). */
export interface KernelResult {
  readonly impl: "torch" | "duel";
  /** `torch`, or Duel's implementation: `builtin`, `rust`, `rust_fma`. */
  readonly variant: string;
  readonly kernel: string;
  readonly threads: number;
  readonly median_ms: number;
  readonly gflops: number;
}

/** The kernel table's implementation columns, in order. */
const KERNEL_COLUMNS = [
  ["torch", "PyTorch"],
  ["builtin", "tfjs-wasm built-in"],
  ["rust", "Duel Rust"],
  ["rust_fma", "Duel Rust, fused"],
] as const;

/**
 * The kernel table (Markdown): per kernel, each implementation's median on
 * every thread count (ms, `1T / 2T`), then Duel's fastest over PyTorch's
 * fastest, with both GFLOP/s.
 */
export function kernelTable(results: KernelResult[], kernels: string[], threads: number[]): string {
  const head = [
    "kernel",
    ...KERNEL_COLUMNS.map(([, label]) =>
      `${label} ${threads.map((t) => `${t}T`).join(" / ")} (ms)`
    ),
    "Duel / PyTorch (fastest of each; GFLOP/s)",
  ];
  const rows = kernels.map((k) => {
    const of = (variant: string) => results.filter((r) => r.kernel === k && r.variant === variant);
    const cells = KERNEL_COLUMNS.map(([variant]) => {
      const byThreads = threads.map((t) => of(variant).find((r) => r.threads === t)?.median_ms);
      return byThreads.every((v) => v === undefined) ? "–" : byThreads.map(fmt).join(" / ");
    });
    const best = (rs: KernelResult[]) => rs.toSorted((a, b) => a.median_ms - b.median_ms)[0];
    const d = best(results.filter((r) => r.kernel === k && r.impl === "duel"));
    const p = best(of("torch"));
    const ratio = d && p
      ? `${(d.median_ms / p.median_ms).toFixed(2)} (${fmt(d.gflops)} / ${fmt(p.gflops)})`
      : "–";
    return [k, ...cells, ratio];
  });
  return markdownTable(head, rows);
}

const decoder = new TextDecoder();

async function run(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, {
    args,
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
  })
    .output();
  return {
    ok: out.success,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/**
 * Whether the OpenMP OpenBLAS is unpacked in `.openblas/` (Debian's package, not installed). The
 * task may run only Deno and python3, so it prints the commands that unpack it instead.
 */
export async function openblas(): Promise<boolean> {
  if (await Deno.stat(`${OPENBLAS_LIB}/libopenblas.so.0`).then(() => true, () => false)) {
    return true;
  }
  console.error(
    `bench:peer: no OpenBLAS in ${OPENBLAS}/ (PyTorch would run Debian's reference BLAS); ` +
      `unpack it with: mkdir -p ${OPENBLAS} && cd ${OPENBLAS} && ` +
      `apt-get download libopenblas0-openmp && dpkg -x libopenblas0-openmp*.deb .`,
  );
  return false;
}

function lines(stdout: string): Result[] {
  return stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

const fmt = (v: number | undefined) => v === undefined ? "–" : String(+v.toPrecision(3));

/** The fastest of `candidates` (by median), if any. */
const fastest = (candidates: (Result | undefined)[]) =>
  candidates.filter((r): r is Result => !!r).sort((a, b) => a.median_ms - b.median_ms)[0];

/**
 * The comparison table (Markdown): best median over repeats per cell; the
 * ratio of the fastest of each side; and the ratios of each repeat's fastest
 * (each repeat pairs the two sides under one spell of host load): their range
 * and median, the steadier figure when one side has a lucky repeat.
 */
export function table(
  results: Result[],
  configs: string[],
  threads: number[],
  repeats: number,
): string {
  const get = (impl: string, config: string, t: number, repeat?: number) =>
    fastest(results.filter((r) =>
      r.impl === impl && r.config === config && r.threads === t &&
      (repeat === undefined || r.repeat === repeat)
    ));
  const best = (impl: string, config: string, repeat?: number) =>
    fastest(threads.map((t) => get(impl, config, t, repeat)));
  const gpu = results.find((r) => r.impl === "duel_webgpu");
  const head = [
    "workload",
    ...threads.map((t) => `PyTorch ${t}T`),
    ...threads.map((t) => `Duel ${t}T`),
    ...(gpu ? [`Duel webgpu (${gpu.adapter ?? "adapter"})`] : []),
    "Duel / PyTorch (fastest of each)",
    `per repeat over ${repeats}: range (median)`,
  ];
  const rows = configs.map((c) => {
    const cell = (impl: string, t: number) => {
      const r = get(impl, c, t);
      if (!r) return "–";
      return r.gflops
        ? `${fmt(r.median_ms)} ms (${fmt(r.gflops)} GFLOP/s)`
        : `${fmt(r.median_ms)} ms`;
    };
    const ratio = (repeat?: number) => {
      const [d, p] = [best("duel", c, repeat), best("torch", c, repeat)];
      return d && p ? { value: d.median_ms / p.median_ms, d, p } : undefined;
    };
    const all = ratio();
    const each = Array.from({ length: repeats }, (_, i) => ratio(i)?.value)
      .filter((v): v is number => v !== undefined);
    return [
      c,
      ...threads.map((t) => cell("torch", t)),
      ...threads.map((t) => cell("duel", t)),
      ...(gpu ? [cell("duel_webgpu", 1)] : []),
      all ? `${all.value.toFixed(2)} (${all.d.threads}T / ${all.p.threads}T)` : "–",
      spreadCell(each),
    ];
  });
  return markdownTable(head, rows);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      configs: {
        type: "string",
        default: `toy2d,dcgan_mnist,matmul,kernels,${E2E_WORKLOADS.join(",")}`,
      },
      threads: { type: "string", default: "1,2" },
      "max-seconds": { type: "string", default: "15" },
      repeats: { type: "string", default: "3" },
      readme: { type: "boolean", default: false },
      webgpu: { type: "boolean", default: false },
    },
  });
  // `kernels` is the kernel comparison (kernel_shapes.ts), not a peer workload.
  // The end-to-end workloads (e2e.ts) are whole runs, timed from process start.
  const all = values.configs.split(",");
  const e2e = E2E_WORKLOADS.filter((w) => all.includes(w));
  const configs = all.filter((c) => c !== "kernels" && !e2e.includes(c as E2eWorkload));
  const withKernels = all.includes("kernels");
  const unknown = configs.filter((c) => !["toy2d", "dcgan_mnist", "matmul"].includes(c));
  if (unknown.length) {
    console.error(
      `bench:peer: --configs: unknown ${unknown.join(", ")} (valid: toy2d, dcgan_mnist, matmul, ` +
        `kernels, ${E2E_WORKLOADS.join(", ")})`,
    );
    Deno.exit(2);
  }
  const threads = values.threads.split(",").map(Number);
  const repeats = Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) {
    console.error(`bench:peer: --repeats: got ${values.repeats} (valid: an integer >= 1)`);
    Deno.exit(2);
  }
  const torch = await run("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"]);
  if (!torch.ok) {
    console.error(
      "PyTorch is not installed: apt-get install -y python3-torch python3-numpy (see ../shared/peers/README.md)",
    );
    Deno.exit(1);
  }
  const host = await hostCpu();
  const cpu = `${host.model}; ${host.simd}; PyTorch's vector code ${host.torch}`;
  console.error(`host: ${cpu}; ${cpus().length} cores`);
  const fastBlas = await openblas();
  if (!fastBlas) Deno.exit(1);
  // Every PyTorch script starts through with_openblas.py (OpenBLAS loaded before torch).
  const viaBlas = (script: string) => [WITH_OPENBLAS, OPENBLAS_LIB, script];
  const limit = ["--max-seconds", values["max-seconds"]];
  const results: Result[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const config of configs) {
      for (const t of threads) {
        // Interleaved, so drift in machine load hits both sides alike.
        const p = await run("/usr/bin/python3", [
          ...viaBlas(PEER),
          "--config",
          config,
          "--threads",
          String(t),
          ...limit,
        ]);
        if (!p.ok) {
          throw new Error(`PyTorch ${config} ${t}T failed: ${p.stderr.trim().split("\n").at(-1)}`);
        }
        const d = await run(Deno.execPath(), [
          "run",
          "-A",
          `${ROOT}bench/peer/duel_step.ts`,
          "--config",
          config,
          "--threads",
          String(t),
          ...limit,
        ]);
        if (!d.ok) {
          throw new Error(`Duel ${config} ${t}T failed: ${d.stderr.trim().split("\n").at(-1)}`);
        }
        const g = values.webgpu && t === threads[0]
          ? await run(Deno.execPath(), [
            "run",
            "-A",
            `${ROOT}bench/peer/duel_step.ts`,
            "--config",
            config,
            "--backend",
            "webgpu",
            ...limit,
          ])
          : undefined;
        if (g && !g.ok) {
          throw new Error(`Duel webgpu ${config} failed: ${g.stderr.trim().split("\n").at(-1)}`);
        }
        for (const r of [...lines(p.stdout), ...lines(d.stdout), ...lines(g?.stdout ?? "")]) {
          results.push({ ...r, repeat });
          console.error(
            `${repeat + 1}/${repeats} ${r.impl} ${r.config} ${r.threads}T: ${fmt(r.median_ms)} ms`,
          );
        }
      }
    }
  }
  const e2eResults: E2eResult[] = [];
  const scratch = await Deno.makeTempDir({ prefix: "duel-bench-peer-" });
  const ctx = { scratch, torchPrefix: viaBlas, threads };
  for (const w of e2e) await prepareE2e(w, ctx);
  for (let repeat = 0; repeat < repeats; repeat++) {
    for (const w of e2e) {
      for (const r of await runE2e(w, ctx, repeat)) {
        e2eResults.push(r);
        console.error(
          `${repeat + 1}/${repeats} ${r.impl} ${r.config} ${r.threads}T: ${r.seconds.toFixed(1)} s`,
        );
      }
    }
  }
  await Deno.remove(scratch, { recursive: true });
  const kernelResults: KernelResult[] = [];
  const kernels = Object.keys(KERNEL_SHAPES);
  for (const t of withKernels ? threads : []) {
    const p = await run("/usr/bin/python3", [
      ...viaBlas(PEER_KERNELS),
      "--shapes",
      JSON.stringify(KERNEL_SHAPES),
      "--threads",
      String(t),
      "--max-seconds",
      "3",
    ]);
    if (!p.ok) {
      throw new Error(`PyTorch kernels ${t}T failed: ${p.stderr.trim().split("\n").at(-1)}`);
    }
    const d = await run(Deno.execPath(), [
      "run",
      "-A",
      `${ROOT}bench/peer/duel_kernels.ts`,
      "--threads",
      String(t),
    ]);
    if (!d.ok) throw new Error(`Duel kernels ${t}T failed: ${d.stderr.trim().split("\n").at(-1)}`);
    for (const r of [...p.stdout.split("\n"), ...d.stdout.split("\n")]) {
      if (!r.startsWith("{")) continue;
      const k = JSON.parse(r) as KernelResult;
      kernelResults.push(k);
      console.error(`${k.variant} ${k.kernel} ${k.threads}T: ${fmt(k.median_ms)} ms`);
    }
  }
  const text = [
    ...(configs.length ? [table(results, configs, threads, repeats), ""] : []),
    (configs.length
      ? `Best of ${repeats} medians, ms per step (one critic + one generator update) or per ` +
        `512^3 matmul; measured by `
      : "Measured by ") +
    `\`deno task bench:peer\` on ${
      new Date().toISOString().slice(0, 10)
    }, ${cpus().length} cores ` +
    `(${cpu}), PyTorch ${torch.stdout.trim()} with ${
      fastBlas ? "OpenBLAS (OpenMP build)" : "Debian's reference BLAS"
    }, ` +
    `both sides interleaved in one run. Ratios below 1 mean Duel is faster.`,
    ...(e2e.length
      ? [
        "",
        e2eTable(e2eResults, e2e, threads),
        "",
        `Whole runs, best of ${repeats}, wall seconds from process start to the last file ` +
        "written, each into a fresh folder (`bench/peer/e2e.ts`): Duel's real `deno task` " +
        "commands (ring8_run: the README's `experiments/ring8.yaml`, on each thread count with " +
        "`--set backend.threads=N`, the same bits; ring8_sweep: 8 seeds of it at 2,000 steps, 1 " +
        "thread each, `--parallel 2`; dcgan_run: `experiments/dcgan-mnist.yaml` (2 threads) for " +
        "500 steps with its image metrics) against `bench/peer/torch_ring8.py` (the same recipe and " +
        "evaluations, their standard errors from 5 fresh draws included, without views and " +
        "report.html; the sweep as 8 processes of 1 thread, 2 at a time) and `bench/peer/torch_dcgan_quality.py` (samples, no metrics). Fewer files and " +
        "metrics favour PyTorch.",
      ]
      : []),
    ...(withKernels
      ? [
        "",
        kernelTable(kernelResults, kernels, threads),
        "",
        "Kernels of the two workloads, median ms per call, in the same run (`bench/peer/duel_kernels.ts`: " +
        "tfjs's op on the wasm backend with each set of kernels, rounds interleaved; " +
        "`bench/peer/torch_kernels.py`: aten's convolution and its backward as autograd calls them, " +
        "NCHW). tfjs-wasm has no Conv2DBackpropFilter: its column is Duel's XNNPACK-based replacement.",
      ]
      : []),
  ].join("\n");
  console.log(text);
  if (values.readme) {
    const readme = await Deno.readTextFile(`${ROOT}README.md`);
    const [a, b] = [readme.indexOf(MARK[0]), readme.indexOf(MARK[1])];
    if (a < 0 || b < a) throw new Error(`README.md has no ${MARK[0]} ... ${MARK[1]} section`);
    await writeAtomic(
      `${ROOT}README.md`,
      `${readme.slice(0, a + MARK[0].length)}\n\n${text}\n\n${readme.slice(b)}`,
    );
    await run(Deno.execPath(), ["fmt", `${ROOT}README.md`]); // deno fmt --check must pass
    console.error("README.md updated");
  }
}
