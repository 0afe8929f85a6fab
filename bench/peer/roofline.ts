/**
 * A measured roofline for each peer workload (issue #20): how fast a
 * training step (one critic + one generator update) could be on
 * WebAssembly's 128-bit SIMD on this host, against what Duel and PyTorch
 * measure, in one run and one Markdown table:
 *
 *   deno run -A bench/peer/roofline.ts [--workloads toy2d,dcgan_mnist,ring8]
 *     [--threads 1,2] [--rounds 10] [--max-seconds 3] [--warmup 20] [--min-steps 10]
 *     [--meter-steps 5]
 *     [--no-torch]
 *
 * 1. The arithmetic of one step, counted from what runs (`step_flops.ts`:
 *    every tfjs kernel call of a 1-thread wasm trainer, charged by its
 *    shapes), split into products and everything else.
 * 2. The measured peak: `peak_flops` (kernels/src/probes.rs) on 1 thread in
 *    this process, best of `--rounds` by CPU time (half before the step
 *    measurements, half after); Duel's floor per thread count is the
 *    counted flop at that peak, times the threads (ideal scaling).
 * 3. Duel's step per thread count, measured by `duel_step.ts` as
 *    `bench:peer` does, and the share of its floor it reaches.
 * 4. PyTorch's step per thread count (`torch_gan_bench.py` behind
 *    `with_openblas.py`, interleaved with Duel's), unless `--no-torch` or
 *    PyTorch or OpenBLAS is missing, and its floor at the native width
 *    (`roofline_table.ts` `nativeWidth`: which it assumed and why is printed).
 * 5. A verdict on Duel / PyTorch ≤ 1.0 per workload.
 *
 * The table goes to stdout, progress to stderr.
 * @module
 */
import { parseArgs } from "node:util";
import { median } from "../_stats.ts";
import { cpus } from "node:os";
import process from "node:process";
import { useBackend } from "../../src/backend/tfjs.ts";
import { rustKernels } from "../../src/backend/rust/loader.ts";
import { loadExperiment } from "../../src/config/load.ts";
import { Trainer } from "../../src/train/trainer.ts";
import { WORKLOADS } from "./duel_step.ts";
import { hostCpu, parseCpuInfo } from "./e2e.ts";
import { openblas, OPENBLAS_LIB, WITH_OPENBLAS } from "./run.ts";
import { meterSteps, type StepArithmetic } from "./step_flops.ts";
import {
  type HostSimd,
  nativeWidth,
  parseTorchProbe,
  type RooflineRow,
  rooflineTable,
  simdFlags,
} from "./roofline_table.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const PEER = `${ROOT}bench/peer/torch_gan_bench.py`;
const decoder = new TextDecoder();

async function run(cmd: string, args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(cmd, {
    args,
    env,
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
  })
    .output().catch((e: Error) => ({
      success: false,
      stdout: new Uint8Array(),
      stderr: new TextEncoder().encode(e.message),
    }));
  return {
    ok: out.success,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** The median ms of the one JSON line a step benchmark prints. */
function medianOf(stdout: string, what: string): number {
  const line = stdout.split("\n").find((l) => l.startsWith("{"));
  if (!line) throw new Error(`${what}: no result line`);
  return JSON.parse(line).median_ms;
}

/** The process's CPU milliseconds so far (all threads; the probe runs on one). */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * `peak_flops` (multiplies and adds mixed, the matmul's shape), one thread,
 * GFLOP/s per round by the process's CPU time: on a shared core wall time
 * also counts the time the thread waited (half the peak at a load of 2 per
 * core), CPU time only what it ran; on a quiet host the two agree.
 */
function peakRounds(rounds: number): number[] {
  const k = rustKernels(new WebAssembly.Memory({ initial: 256 }));
  const iters = 2_000_000, flop = iters * k.peak_flops_per_iter();
  for (let i = 0; i < 2; i++) k.peak_flops(iters, 0, 0, 0); // warm-up (V8 tier-up)
  return Array.from({ length: rounds }, () => {
    const t0 = cpuMs();
    k.peak_flops(iters, 0, 0, 0);
    return flop / (cpuMs() - t0) / 1e6;
  });
}

/** One step's arithmetic on a 1-thread wasm trainer: the first metered step's counts, median times. */
async function arithmetic(workload: string, meter: number): Promise<StepArithmetic> {
  const loaded = await loadExperiment(`${ROOT}${WORKLOADS[workload]}`, [
    "backend.name=wasm",
    "backend.threads=1",
  ]);
  const trainer = Trainer.create(loaded.config, loaded.data ? { data: loaded.data } : {});
  try {
    for await (const _ of trainer.run(3)); // warm-up
    const steps: StepArithmetic[] = [];
    for (let i = 0; i < meter; i++) steps.push(await meterSteps(trainer, 1));
    const flops = new Set(steps.map((s) => s.productFlop));
    if (flops.size > 1) {
      console.error(`${workload}: product flop differ between steps: ${[...flops].join(", ")}`);
    }
    return {
      ...steps[0],
      productMs: median(steps.map((s) => s.productMs)),
      wallMs: median(steps.map((s) => s.wallMs)),
    };
  } finally {
    trainer.dispose();
  }
}

/**
 * The probe of what PyTorch's products run on (python3, oneDNN's verbose log
 * on): OpenBLAS's core, then a Conv2d and a ConvTranspose2d forward and
 * backward on 1 thread, each after a `layer <name>` line
 * (`roofline_table.ts` `parseTorchProbe` reads it).
 */
const TORCH_PROBE = `import ctypes, os, sys
b = ctypes.CDLL(os.path.join(sys.argv[1], 'libblas.so.3'), mode=ctypes.RTLD_GLOBAL)
import torch
libc = ctypes.CDLL(None)
f = getattr(b, 'openblas_get_corename', None)
if f: f.restype = ctypes.c_char_p
print('core', f().decode() if f else 'unknown', flush=True)
torch.set_num_threads(1)
x = torch.randn(8, 16, 8, 8, requires_grad=True)
for name, layer in [('Conv2d', torch.nn.Conv2d(16, 16, 4, 2, 1)),
                    ('ConvTranspose2d', torch.nn.ConvTranspose2d(16, 16, 4, 2, 1))]:
    print('layer', name, flush=True)
    layer(x).sum().backward()
    libc.fflush(None)
`;

/** What PyTorch runs on: ATen's vector code, OpenBLAS's core, its convolutions' code. */
async function torchSimd(simd: string, torch: string, withTorch: boolean): Promise<HostSimd> {
  const flags = simdFlags(simd);
  if (!withTorch) return { ...flags, torch };
  const out = await run("/usr/bin/python3", ["-c", TORCH_PROBE, OPENBLAS_LIB], {
    DNNL_VERBOSE: "1",
    ONEDNN_VERBOSE: "1",
  });
  return { ...flags, torch, ...(out.ok ? parseTorchProbe(out.stdout) : {}) };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      workloads: { type: "string", default: "toy2d,dcgan_mnist,ring8" },
      threads: { type: "string", default: "1,2" },
      rounds: { type: "string", default: "10" },
      "max-seconds": { type: "string", default: "3" },
      warmup: { type: "string", default: "20" },
      "min-steps": { type: "string", default: "10" },
      "meter-steps": { type: "string", default: "5" },
      "no-torch": { type: "boolean", default: false },
    },
  });
  const workloads = values.workloads.split(",");
  const threads = values.threads.split(",").map(Number);
  const [rounds, meter] = [Number(values.rounds), Number(values["meter-steps"])];
  const bad = [
    ...workloads.filter((w) => !(w in WORKLOADS)).map((w) =>
      `--workloads: unknown ${w} (valid: ${Object.keys(WORKLOADS).join(", ")})`
    ),
    ...(threads.every((t) => Number.isInteger(t) && t >= 1) && threads.length
      ? []
      : [`--threads: got ${values.threads} (valid: integers >= 1, e.g. 1,2)`]),
    ...([rounds, meter, Number(values.warmup), Number(values["min-steps"])].every((n) =>
        Number.isInteger(n) && n >= 1
      )
      ? []
      : [
        `--rounds, --meter-steps, --warmup, --min-steps: got ${rounds}, ${meter}, ${values.warmup}, ` +
        `${values["min-steps"]} (valid: integers >= 1)`,
      ]),
    ...(Number(values["max-seconds"]) > 0
      ? []
      : [`--max-seconds: got ${values["max-seconds"]} (valid: a number > 0)`]),
  ];
  if (bad.length) {
    console.error(`roofline: ${bad[0]}`);
    Deno.exit(2);
  }
  const host = await hostCpu();
  if (host.model === "unknown CPU") {
    const info = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
    Object.assign(host, parseCpuInfo(info));
  }
  const torchVersion = values["no-torch"]
    ? undefined
    : await run("/usr/bin/python3", ["-c", "import torch; print(torch.__version__)"]);
  const withTorch = !!torchVersion?.ok && await openblas();
  if (!values["no-torch"] && !withTorch) {
    console.error("roofline: PyTorch skipped (python3-torch or the OpenMP OpenBLAS missing)");
  }
  const simd = await torchSimd(host.simd, host.torch, withTorch);
  console.error(`host: ${host.model}; ${host.simd}; PyTorch: ${JSON.stringify(simd)}`);
  // Each width assumed, with why, and its workloads, for the caption.
  const widths = new Map<string, string[]>();

  const peaks = peakRounds(Math.ceil(rounds / 2));
  await useBackend("wasm", 1);
  const rows: RooflineRow[] = [];
  for (const w of workloads) {
    const a = await arithmetic(w, meter);
    console.error(
      `${w}: ${(a.productFlop / 1e9).toFixed(4)} GFLOP in products, ` +
        `${(a.otherFlop / 1e9).toFixed(4)} other; products ${a.productMs.toFixed(2)} ms of ` +
        `${a.wallMs.toFixed(2)} ms (1T, metered): ` +
        [...a.kernels].filter(([, c]) => c.macs > 0).map(([k, c]) =>
          `${k} ${c.calls}× ${(2 * c.macs / 1e9).toFixed(4)} GFLOP`
        ).join(", "),
    );
    const duel: Record<number, number> = {}, torch: Record<number, number> = {};
    const limit = ["--max-seconds", values["max-seconds"], "--warmup", values.warmup];
    limit.push("--min-steps", values["min-steps"]);
    for (const t of threads) {
      if (withTorch) {
        const p = await run("/usr/bin/python3", [
          WITH_OPENBLAS,
          OPENBLAS_LIB,
          PEER,
          ...["--config", w, "--threads", `${t}`, ...limit],
        ]);
        if (!p.ok) {
          throw new Error(`PyTorch ${w} ${t}T failed: ${p.stderr.trim().split("\n").at(-1)}`);
        }
        torch[t] = medianOf(p.stdout, `PyTorch ${w} ${t}T`);
        console.error(`${w} PyTorch ${t}T: ${torch[t]} ms`);
      }
      const d = await run(Deno.execPath(), [
        "run",
        "-A",
        `${ROOT}bench/peer/duel_step.ts`,
        ...["--config", w, "--threads", `${t}`, ...limit],
      ]);
      if (!d.ok) throw new Error(`Duel ${w} ${t}T failed: ${d.stderr.trim().split("\n").at(-1)}`);
      duel[t] = medianOf(d.stdout, `Duel ${w} ${t}T`);
      console.error(`${w} Duel ${t}T: ${duel[t]} ms`);
    }
    // Convolutions take oneDNN's path in PyTorch where it has one.
    const width = nativeWidth(simd, [...a.kernels.keys()].some((k) => /Conv/.test(k)));
    const why = `×${width.factor}: ${width.why}`;
    widths.set(why, [...(widths.get(why) ?? []), w]);
    rows.push({
      workload: w,
      productFlop: a.productFlop,
      otherFlop: a.otherFlop,
      productMs: a.productMs,
      meteredMs: a.wallMs,
      duel,
      ...(withTorch ? { torch } : {}),
      nativeFactor: width.factor,
    });
  }
  peaks.push(...peakRounds(Math.floor(rounds / 2) || 1));
  const peak = Math.max(...peaks);
  const load = Deno.loadavg().map((x) => x.toFixed(1)).join(" ");
  console.log([
    rooflineTable(rows, { peakGflops: peak, threads }),
    "",
    `Per training step (one critic + one generator update), \`deno run -A bench/peer/roofline.ts\` ` +
    `on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${host.model}; ` +
    `${host.simd}), load average ${load}. Wasm peak: \`peak_flops\` on 1 thread, best of ` +
    `${peaks.length} rounds by CPU time, ${
      peak.toFixed(1)
    } GFLOP/s. GFLOP counted from one step's tfjs ` +
    "kernel calls on a 1-thread trainer (`bench/peer/step_flops.ts`): products exactly " +
    "(2 × multiply-adds), other kernels one flop per element (a lower estimate). A floor is all " +
    "counted flop at the peak times the threads (ideal scaling): Duel's at the wasm peak, " +
    `PyTorch's at the native width's multiple of it (${
      [...widths].map(([why, ws]) => `${ws.join(", ")} ${why}`).join("; ")
    }). Measured: ` +
    `median ms per step over ${values["max-seconds"]} s of steps (at least ` +
    `${values["min-steps"]}) after ${values.warmup} warm-up steps (\`duel_step.ts\`` +
    (withTorch
      ? `; PyTorch ${torchVersion!.stdout.trim()}, \`torch_gan_bench.py\` with OpenBLAS, ` +
        "interleaved)."
      : "; PyTorch not measured).") +
    " Duel's products: the median of the metered steps' time inside product kernels, 1 thread.",
  ].join("\n"));
  Deno.exit(0);
}
