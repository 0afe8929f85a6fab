/**
 * The DCGAN's conv kernels (batch 64, 4x4, stride 2, pad 1; 1 -> 64 and 64 -> 128
 * channels) called directly on the Rust kernels' own memory, no tfjs, one thread:
 * the minimum and median of 80 calls each (the first ones run on V8's baseline
 * compiler) and GFLOP/s. Given builds of kernels/ (.wasm files), they are
 * interleaved call by call in this one process, so that load from other jobs hits
 * each alike: an A/B test for work on kernels/src/conv*.rs.
 *
 *     deno run --allow-read bench/conv_kernels_direct.ts [case,case,...] [a.wasm,b.wasm,...]
 */
import type { RustKernels } from "../src/backend/rust/abi.ts";
import {
  type ConvGeometry,
  runRustConv,
  RUST_CONV_KERNELS,
  type RustConvKind,
} from "../src/backend/rust/conv.ts";
import { argumentError } from "./_args.ts";

const dcgan = (cin: number, cout: number, h: number): ConvGeometry => ({
  n: 64,
  h,
  w: h,
  cin,
  oh: h / 2,
  ow: h / 2,
  cout,
  kh: 4,
  kw: 4,
  sh: 2,
  sw: 2,
  dh: 1,
  dw: 1,
  top: 1,
  left: 1,
});
const CASES: [RustConvKind, ConvGeometry][] = [
  ["backprop_input", dcgan(1, 64, 28)],
  ["conv2d", dcgan(1, 64, 28)],
  ["backprop_filter", dcgan(1, 64, 28)],
  ["backprop_input", dcgan(64, 128, 14)],
  ["conv2d", dcgan(64, 128, 14)],
  ["backprop_filter", dcgan(64, 128, 14)],
];
const which = Deno.args[0] ? Deno.args[0].split(",").map(Number) : CASES.map((_, i) => i);
if (!which.every((i) => Number.isInteger(i) && i >= 0 && i < CASES.length)) {
  argumentError(
    0,
    "cases",
    `"${Deno.args[0]}", expected indices in 0..${CASES.length - 1}, comma-separated`,
  );
}
const files = Deno.args[1]?.split(",") ??
  [new URL("../kernels/duel_kernels.wasm", import.meta.url).pathname];
const memory = new WebAssembly.Memory({ initial: 512 });
const modules = files.map((f) =>
  new WebAssembly.Instance(new WebAssembly.Module(Deno.readFileSync(f)), { env: { memory } })
    .exports as unknown as RustKernels
);
const f = new Float32Array(memory.buffer);
for (let i = 0; i < f.length; i++) f[i] = Math.sin(i);
const [A, B, OUT, WORK] = [0, 16 << 20, 24 << 20, 30 << 20]; // byte offsets
for (const i of which) {
  const [kind, g] = CASES[i];
  const rows = RUST_CONV_KERNELS[kind].rows(g);
  const times = modules.map(() => [] as number[]);
  for (let r = 0; r < 80; r++) {
    modules.forEach((k, m) => {
      const start = performance.now();
      runRustConv(k, kind, g, A, B, OUT, 0, rows, WORK);
      times[m].push(performance.now() - start);
    });
  }
  const macs = g.n * g.oh * g.ow * g.kh * g.kw * g.cin * g.cout;
  const stats = times.map((t) => {
    const s = t.slice(20).sort((a, b) => a - b); // after warm-up
    return { min: s[0], median: s[s.length >> 1] };
  });
  console.log(`${i} ${kind} ${g.cin} -> ${g.cout} channels (${g.h}x${g.w} input):`);
  stats.forEach(({ min, median }, m) =>
    console.log(
      `  ${files[m].split("/").pop()!.padEnd(24)} min ${min.toFixed(2)} ms  median ${
        median.toFixed(2)
      } ms  ${(2 * macs / min / 1e6).toFixed(1)} GF/s  median/first's ${
        (median / stats[0].median).toFixed(2)
      }`,
    )
  );
}
