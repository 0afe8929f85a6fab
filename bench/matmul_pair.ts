/**
 * Does a core slow down when the other one computes? Each probe on the
 * calling thread alone, then with a worker busy on the second core running
 * the peak probe, the matmul or the clock probe (rounds interleaved, best of
 * N, GFLOP/s; the clock probe in GHz):
 *
 *   deno run -A bench/matmul_pair.ts [--rounds 12] [--wasm file.wasm]
 *
 * If `matmul 512³ | + matmul on 2nd core` is well below `| alone` while the
 * peak probe is not, the cores share something the matmul needs (caches,
 * memory, a sibling hyper-thread on the host) and no split of the work can
 * give 2x. Only meaningful with the second core otherwise idle: check the load
 * printed (2 cores, shared with other jobs).
 */
import { parseArgs } from "node:util";
import { withSharedMemoryImport } from "../src/backend/wasm_module.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "12" },
    wasm: {
      type: "string",
      default: new URL("../kernels/duel_kernels.wasm", import.meta.url).pathname,
    },
  },
});
const ROUNDS = +values.rounds, N = 512;
const module = new WebAssembly.Module(
  withSharedMemoryImport(Deno.readFileSync(values.wasm), 65536),
);
const memory = new WebAssembly.Memory({ initial: 1024, maximum: 65536, shared: true });
/** 0 idle (asleep), 1 peak, 2 matmul, 4 clock, 3 stop: what the worker runs. */
const ctl = new Int32Array(new SharedArrayBuffer(4));
const MODES: [string, number][] = [
  ["alone", 0],
  ["+ peak on 2nd core", 1],
  ["+ matmul on 2nd core", 2],
  ["+ clock on 2nd core", 4],
];

// Each thread's matrices and workspace: the caller's at 0, the worker's at 16 MiB.
const WORKER_AT = 16 << 20;
const matmulArgs = (
  at: number,
) => [at, at + N * N * 4, at + 2 * N * N * 4, 1, N, N, N, 0, 0, 0, 0, 0, 0, at + 3 * N * N * 4];
const f = new Float32Array(memory.buffer);
for (const at of [0, WORKER_AT]) {
  for (let i = 0; i < 2 * N * N; i++) f[at / 4 + i] = Math.sin(i);
}

const workerSource = `
self.onmessage = (e) => {
  const { module, memory, ctl, args } = e.data;
  const k = new WebAssembly.Instance(module, { env: { memory } }).exports;
  self.postMessage("ready");
  for (;;) {
    const mode = Atomics.load(ctl, 0);
    if (mode === 3) return;
    if (mode === 0) Atomics.wait(ctl, 0, 0, 50);
    else if (mode === 1) k.peak_flops(200000, 0, 0, 0);
    else if (mode === 2) k.matmul_f32(...args);
    else if (mode === 4) k.peak_clock(800000, 1, 2);
  }
};`;
const url = URL.createObjectURL(new Blob([workerSource], { type: "application/javascript" }));
const worker = new Worker(url, { type: "module" });
await new Promise((ready) => {
  worker.onmessage = ready;
  worker.postMessage({ module, memory, ctl, args: matmulArgs(WORKER_AT) });
});

// deno-lint-ignore no-explicit-any
const k = new WebAssembly.Instance(module, { env: { memory } }).exports as any;
const probes: [string, number, () => void][] = [
  ["peak mul→add (GFLOP/s)", 2e6 * 192, () => k.peak_flops(2_000_000, 0, 0, 0)],
  ["clock (GHz)", 8e6 * 8, () => k.peak_clock(8_000_000, 1, 2)],
  ["matmul 512³ (GFLOP/s)", 2 * N ** 3, () => k.matmul_f32(...matmulArgs(0))],
];
const best = new Map<string, number>();
for (let r = 0; r < ROUNDS + 2; r++) {
  for (const [mode, m] of MODES) {
    Atomics.store(ctl, 0, m);
    Atomics.notify(ctl, 0);
    await new Promise((settle) => setTimeout(settle, 5));
    for (const [probe, flops, call] of probes) {
      const t = performance.now();
      call();
      const ms = performance.now() - t;
      if (r < 2) continue; // warm-up (V8 tier-up)
      const key = `${probe} | ${mode}`;
      best.set(key, Math.max(best.get(key) ?? 0, flops / ms / 1e6));
    }
  }
}
Atomics.store(ctl, 0, 3);
Atomics.notify(ctl, 0);
worker.terminate();
console.log(`load average: ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")} (2 cores, shared)`);
console.table([...best].map(([what, v]) => ({ "probe | second core": what, best: +v.toFixed(2) })));
