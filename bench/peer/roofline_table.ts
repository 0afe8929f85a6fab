/**
 * The pure part of `bench/peer/roofline.ts`: the floors a measured peak
 * allows, the native width PyTorch's kernels may use, the verdict on the
 * Duel / PyTorch ≤ 1.0 goal, and the Markdown table. No timing, no I/O.
 * @module
 */
import { markdownTable } from "../_table.ts";

/** Milliseconds per thread count (1, 2, …); absent where not measured. */
export type ByThreads = Readonly<Record<number, number | undefined>>;

/**
 * The compute floor of `flop` on `threads` threads at `gflops` per thread
 * (ideal scaling), in milliseconds.
 */
export function floorMs(flop: number, gflops: number, threads: number): number {
  if (!(gflops > 0) || !(threads > 0)) {
    throw new Error(`floorMs: needs a positive peak and thread count (got ${gflops}, ${threads})`);
  }
  return flop / (gflops * 1e6 * threads);
}

/** What is known of the host's and PyTorch's vector code. */
export interface HostSimd {
  readonly avx2: boolean;
  readonly fma: boolean;
  readonly avx512f: boolean;
  /** PyTorch's ATen vector code (`CPU capability usage`: `AVX2`, `AVX512`, `DEFAULT`, …). */
  readonly torch: string;
  /** The OpenBLAS core PyTorch's products run on (`openblas_get_corename`), if known. */
  readonly blasCore?: string;
  /**
   * What runs PyTorch's convolution layers, per layer type: oneDNN's implementation (it picks
   * the host's widest vectors, e.g. `Conv2d jit:avx512_core`) or `BLAS`; {@link parseTorchProbe}.
   */
  readonly onednn?: string;
}

/** OpenBLAS cores whose SGEMM kernels use AVX-512. */
const AVX512_BLAS_CORES = new Set(["skylakex", "cooperlake", "sapphirerapids"]);

/** Parses `avx2 yes, fma yes, avx512f no` (e2e.ts `parseCpuInfo`'s `simd`) into flags. */
export function simdFlags(simd: string): Pick<HostSimd, "avx2" | "fma" | "avx512f"> {
  const has = (f: string) => new RegExp(`\\b${f} yes\\b`).test(simd);
  return { avx2: has("avx2"), fma: has("fma"), avx512f: has("avx512f") };
}

/**
 * How many times wasm's 16 flop/cycle per core PyTorch's products may reach
 * in a workload: 4 (two 16-lane FMA pipes, 64 flop/cycle) where the host has
 * AVX-512F and a path the workload's products take uses it, else 2 with AVX2
 * and FMA (two 8-lane FMA pipes, 32 flop/cycle), else 1. Dense layers run in
 * the BLAS: AVX-512 with an AVX-512 OpenBLAS core, or, where the core is
 * unknown (another BLAS), when ATen's vector code is AVX512. Convolutions
 * (`convolutions`) run in oneDNN where PyTorch uses it (it picks the host's
 * widest vectors), else in the BLAS too; where only some layer types take
 * the wider path the wider is assumed (a lower bound). `why` names the
 * evidence.
 */
export function nativeWidth(
  host: HostSimd,
  convolutions = false,
): { factor: number; why: string } {
  const core = host.blasCore && host.blasCore !== "unknown" ? host.blasCore : undefined;
  const evidence = [
    `OpenBLAS core ${core ?? "unknown"}`,
    `PyTorch's vector code ${host.torch}`,
    ...(convolutions ? [`convolutions: ${host.onednn ?? "unknown"}`] : []),
  ].join(", ");
  const blas = core
    ? AVX512_BLAS_CORES.has(core.toLowerCase())
    : host.torch.toUpperCase().startsWith("AVX512");
  const wide = [
    blas ? (core ? "OpenBLAS" : "the BLAS (as ATen)") : "",
    convolutions && /avx512/i.test(host.onednn ?? "") ? "oneDNN" : "",
  ].filter((s) => s !== "");
  if (host.avx512f && wide.length) {
    return {
      factor: 4,
      why: `AVX-512F, used by ${wide.join(" and ")} (${evidence}): 2 × 16-lane FMA = 64 ` +
        `flop/cycle, 4 × wasm's 16${
          convolutions && !blas && /BLAS/.test(host.onednn ?? "")
            ? " (a lower bound: not every layer type takes it)"
            : ""
        }`,
    };
  }
  if (host.avx2 && host.fma) {
    return {
      factor: 2,
      why: `AVX2 + FMA${host.avx512f ? ", no AVX-512 path" : ""} (${evidence}): 2 × 8-lane ` +
        `FMA = 32 flop/cycle, 2 × wasm's 16`,
    };
  }
  return { factor: 1, why: `no AVX2 + FMA (${evidence}): 16 flop/cycle, as wasm` };
}

/**
 * Parses the output of `roofline.ts`'s PyTorch probe (`core <name>`, then per
 * layer `layer <name>` followed by what oneDNN's verbose log printed while it
 * ran forward and backward): the OpenBLAS core, and per layer the oneDNN
 * convolution implementation that ran (e.g. `jit:avx512_core`), or `BLAS`
 * where none did (ATen's im2col and the BLAS).
 */
export function parseTorchProbe(out: string): Pick<HostSimd, "blasCore" | "onednn"> {
  const core = out.match(/^core (\S+)$/m)?.[1];
  const marks = [...out.matchAll(/^layer (\S+)$/gm)];
  const layers = marks.map((m, i) => {
    const text = out.slice(m.index, marks[i + 1]?.index ?? out.length);
    const impl = text.match(/^onednn_verbose,exec,cpu,convolution,([^,]+),/m)?.[1];
    return `${m[1]} ${impl ?? "BLAS"}`;
  });
  return { blasCore: core, onednn: layers.length ? layers.join(", ") : undefined };
}

/** One workload's measurements and counts. */
export interface RooflineRow {
  readonly workload: string;
  /** Flop per step in products (2 × multiply-adds, counted). */
  readonly productFlop: number;
  /** The lower estimate of the other kernels' operations per step. */
  readonly otherFlop: number;
  /** Milliseconds per step inside Duel's product kernels on 1 thread (metered). */
  readonly productMs: number;
  /** Wall milliseconds of those metered 1-thread steps, in the same process. */
  readonly meteredMs: number;
  /** Duel's median step per thread count. */
  readonly duel: ByThreads;
  /** PyTorch's median step per thread count (absent when not measured). */
  readonly torch?: ByThreads;
  /** {@link nativeWidth}'s factor for this workload: PyTorch's peak over the wasm peak. */
  readonly nativeFactor: number;
}

/** What every row shares: the measured peak and the thread counts. */
export interface RooflineHost {
  /** `peak_flops`, one thread, GFLOP/s. */
  readonly peakGflops: number;
  /** Thread counts, in column order. */
  readonly threads: readonly number[];
}

const fmt = (v: number | undefined) => v === undefined ? "–" : String(+v.toPrecision(3));
const pct = (v: number | undefined) => v === undefined ? "–" : `${Math.round(100 * v)}%`;

/** The fastest entry of `ms`: its thread count and time. */
export function fastest(ms: ByThreads | undefined): { threads: number; ms: number } | undefined {
  const all = Object.entries(ms ?? {})
    .filter((e): e is [string, number] => e[1] !== undefined)
    .map(([t, v]) => ({ threads: +t, ms: v }));
  return all.sort((a, b) => a.ms - b.ms)[0];
}

/** Duel's floor per thread count of `host.threads` for `row`: all counted flop at the peak. */
export function duelFloors(row: RooflineRow, host: RooflineHost): Record<number, number> {
  const flop = row.productFlop + row.otherFlop;
  return Object.fromEntries(host.threads.map((t) => [t, floorMs(flop, host.peakGflops, t)]));
}

/** PyTorch's floor per thread count: the same flop at the row's `nativeFactor` × the peak. */
export function torchFloors(row: RooflineRow, host: RooflineHost): Record<number, number> {
  const flop = row.productFlop + row.otherFlop;
  return Object.fromEntries(
    host.threads.map((t) => [t, floorMs(flop, row.nativeFactor * host.peakGflops, t)]),
  );
}

/**
 * The verdict on Duel / PyTorch ≤ 1.0 (each side's fastest thread count):
 * reached where Duel's fastest step is already at most PyTorch's; else
 * impossible at a thread count whose floor exceeds PyTorch's fastest measured
 * step; where the floor is below it, the gap is overhead, and the time
 * outside Duel's products on 1 thread (a metered step less its time in
 * product kernels, both in one process) says how much.
 */
export function verdict(row: RooflineRow, host: RooflineHost): string {
  const p = fastest(row.torch);
  if (!p) return "no PyTorch measurement";
  const floors = duelFloors(row, host);
  const torch = `PyTorch's measured ${fmt(p.ms)} ms (${p.threads}T)`;
  const d = fastest(row.duel);
  if (d && d.ms <= p.ms) return `1.0 reached: Duel's ${fmt(d.ms)} ms (${d.threads}T) ≤ ${torch}`;
  const over = host.threads.filter((t) => floors[t] > p.ms);
  const under = host.threads.filter((t) => floors[t] <= p.ms);
  const outside = `; Duel's metered 1T step spends ${
    fmt(Math.max(0, row.meteredMs - row.productMs))
  } ms outside products`;
  if (!under.length) {
    const t = host.threads[host.threads.length - 1];
    return `1.0 impossible: Duel's floor ${fmt(floors[t])} ms (${t}T, ideal) > ${torch}`;
  }
  const reach = under[0];
  const head = over.length
    ? `1.0 at ${over.map((t) => `${t}T`).join(", ")} impossible: Duel's floor ` +
      `${over.map((t) => `${fmt(floors[t])} ms`).join(", ")} > ${torch}; at ${reach}T reachable: ` +
      `floor ${fmt(floors[reach])} ms`
    : `reachable: floor ${fmt(floors[reach])} ms (${reach}T) < ${torch}`;
  return `${head}; the gap is overhead${outside}`;
}

/** The Markdown table: one row per workload, the columns `bench/peer/roofline.ts` documents. */
export function rooflineTable(rows: readonly RooflineRow[], host: RooflineHost): string {
  const ts = host.threads;
  const slash = (f: (t: number) => string) => ts.map(f).join(" / ");
  const tags = ts.map((t) => `${t}T`).join(" / ");
  const head = [
    "workload",
    "GFLOP per step: products + other ≈",
    "products' share",
    `Duel floor ${tags} (ms)`,
    `Duel measured ${tags} (ms)`,
    `Duel's share of its roofline ${tags}`,
    "Duel's products, 1T metered: ms of the step's ms (GFLOP/s, share of peak)",
    `PyTorch measured ${tags} (ms)`,
    `PyTorch floor ${tags} (ms, × the wasm peak)`,
    "verdict",
  ];
  const body = rows.map((r) => {
    const [df, tf] = [duelFloors(r, host), torchFloors(r, host)];
    const flop = r.productFlop + r.otherFlop;
    const gflops = r.productMs > 0 ? r.productFlop / r.productMs / 1e6 : undefined;
    return [
      r.workload,
      `${fmt(r.productFlop / 1e9)} + ${fmt(r.otherFlop / 1e9)}`,
      flop > 0 ? `${(100 * r.productFlop / flop).toFixed(1)}%` : "–",
      slash((t) => fmt(df[t])),
      slash((t) => fmt(r.duel[t])),
      slash((t) => pct(r.duel[t] ? df[t] / r.duel[t]! : undefined)),
      `${fmt(r.productMs)} of ${fmt(r.meteredMs)} (${fmt(gflops)}, ${
        pct(gflops && gflops / host.peakGflops)
      })`,
      slash((t) => fmt(r.torch?.[t])),
      `${slash((t) => fmt(tf[t]))} (×${r.nativeFactor})`,
      verdict(r, host),
    ];
  });
  return markdownTable(head, body);
}
