/**
 * Two builds of Duel's kernels module side by side on the dense-chain passes
 * of the README's networks (ring8 and toy2d: `2-128-128-1` critic, `2-128-128-2`
 * generator, batch 256) and on single thin layers (the DCGAN critic's
 * `6272-1`, a 2-D generator's `128-2`), the fused kernels on 1 thread, rounds
 * interleaved in one process so that host load hits both alike. Prints the
 * host's SIMD features and per case each module's median and minimum µs.
 *
 *     git show HEAD~1:kernels/duel_kernels.wasm > /tmp/before.wasm
 *     deno run -A bench/chain_passes_ab.ts /tmp/before.wasm [kernels/duel_kernels.wasm] [rounds=15]
 * @module
 */
import { parseCpuInfo } from "./peer/e2e.ts";
import { median } from "./_stats.ts";
import { countArg } from "./_args.ts";

const [before, after = new URL("../kernels/duel_kernels.wasm", import.meta.url).pathname] =
  Deno.args;
const rounds = countArg(2, "rounds", 15);
if (!before) {
  console.error("usage: chain_passes_ab.ts BEFORE.wasm [AFTER.wasm] [rounds]");
  Deno.exit(2);
}
const memory = new WebAssembly.Memory({ initial: 2048 });
type Exports = Record<string, (...args: number[]) => void>;
const modules: [string, Exports][] = [["before", before], ["after", after]].map(([name, path]) => {
  const module = new WebAssembly.Module(Deno.readFileSync(path));
  return [name, new WebAssembly.Instance(module, { env: { memory } }).exports as Exports];
});

const f32 = new Float32Array(memory.buffer), u32 = new Uint32Array(memory.buffer);
let top = 4096;
/** `floats` floats, 4 KiB aligned, filled with a smooth pattern scaled by `scale`. */
function alloc(floats: number, scale = 0): number {
  const at = top;
  top = (top + floats * 4 + 4095) & ~4095;
  for (let i = 0; i < floats; i++) f32[(at >> 2) + i] = scale * Math.sin(i * 0.7 + at);
  return at;
}
const work = alloc(600_000);

/** A chain's table (kernels/src/dense_chain.rs `ENTRY`) and buffers; acts: 0 linear, 1 relu, 4 leaky. */
function chain(batch: number, widths: number[], acts: number[]) {
  const x = alloc(batch * widths[0], 1), table = alloc(13 * acts.length);
  const dy = alloc(batch * widths[widths.length - 1], 0.1);
  let input = x;
  acts.forEach((act, l) => {
    const [fanIn, units] = [widths[l], widths[l + 1]];
    const w = alloc(fanIn * units, 0.1), b = alloc(units), z = alloc(batch * units);
    const h = act ? alloc(batch * units) : z;
    const dz = alloc(batch * units), dw = alloc(fanIn * units), db = alloc(units);
    const dh = l === acts.length - 1 ? dy : dz;
    const e = (table >> 2) + 13 * l;
    u32.set([fanIn, units, act, 0, input, w, b, z, h, dh, dz, dw, db], e);
    f32[e + 3] = 0.2;
    input = h;
  });
  const stacked = widths.slice(0, -1).reduce((a, b) => a + b, 0);
  const pass = (k: Exports, name: string, rows: number) => () =>
    k[`${name}_fma`](table, acts.length, batch, work, 0, rows);
  return {
    forward: (k: Exports) => pass(k, "dense_chain_f32", batch),
    grad: (k: Exports) => pass(k, "dense_chain_grad_f32", batch),
    weights: (k: Exports) => pass(k, "dense_chain_weights_f32", stacked),
  };
}

const critic = chain(256, [2, 128, 128, 1], [4, 4, 0]);
const generator = chain(256, [2, 128, 128, 2], [1, 1, 0]);
const dcgan = chain(64, [6272, 1], [0]);
const out2 = chain(256, [128, 2], [0]);
const CASES: [string, (k: Exports) => () => void][] = [
  ["critic forward (256 x 2-128-128-1)", critic.forward],
  ["critic grad", critic.grad],
  ["critic weights", critic.weights],
  ["generator forward (256 x 2-128-128-2)", generator.forward],
  ["generator grad", generator.grad],
  ["generator weights", generator.weights],
  ["layer 128-2 forward (256 rows)", out2.forward],
  ["layer 128-2 weights", out2.weights],
  ["DCGAN critic 6272-1 forward (64 rows)", dcgan.forward],
  ["DCGAN critic 6272-1 weights", dcgan.weights],
];

const cpu = parseCpuInfo(await Deno.readTextFile("/proc/cpuinfo").catch(() => ""));
console.log(`host: ${cpu.model}; ${cpu.simd}; before ${before}, after ${after}`);
for (const [, k] of modules) CASES.forEach(([, c]) => [...Array(300)].forEach(c(k)));
const times = CASES.map(() => modules.map(() => [] as number[]));
for (let r = 0; r < rounds; r++) {
  CASES.forEach(([, c], i) =>
    modules.forEach(([, k], m) => {
      const run = c(k), t0 = performance.now();
      for (let n = 0; n < 200; n++) run();
      times[i][m].push(((performance.now() - t0) / 200) * 1000);
    })
  );
}
console.log(
  "| case | before µs (min) | after µs (min) | after / before |\n| --- | --- | --- | --- |",
);
CASES.forEach(([name], i) => {
  const [b, a] = times[i];
  const cell = (t: number[]) => `${median(t).toFixed(1)} (${Math.min(...t).toFixed(1)})`;
  console.log(`| ${name} | ${cell(b)} | ${cell(a)} | ${(median(a) / median(b)).toFixed(3)} |`);
});
