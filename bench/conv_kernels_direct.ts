/**
 * The DCGAN's conv kernels (batch 64, 4x4, stride 2, pad 1; 1 -> 64 and 64 -> 128
 * channels) called directly on the Rust kernels' own memory, no tfjs: the minimum
 * and median of 80 calls each (the first ones run on V8's baseline compiler), and
 * GFLOP/s. For quick A/B work on kernels/src/conv*.rs (one thread).
 *
 *     deno run --allow-read --allow-env bench/conv_kernels_direct.ts [case,case,...]
 */
import { rustKernels } from "../src/backend/rust_kernels.ts";
import {
  runRustConv,
  RUST_CONV_KERNELS,
  type RustConvKind,
} from "../src/backend/rust_conv_kernels.ts";
const memory = new WebAssembly.Memory({ initial: 512 });
const k = rustKernels(memory);
const f = new Float32Array(memory.buffer);
for (let i = 0; i < f.length; i++) f[i] = Math.sin(i);
const cases: [RustConvKind, Record<string, number>][] = [
  ["backprop_input", {
    n: 64,
    h: 28,
    w: 28,
    cin: 1,
    oh: 14,
    ow: 14,
    cout: 64,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  }],
  ["conv2d", {
    n: 64,
    h: 28,
    w: 28,
    cin: 1,
    oh: 14,
    ow: 14,
    cout: 64,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  }],
  ["backprop_filter", {
    n: 64,
    h: 28,
    w: 28,
    cin: 1,
    oh: 14,
    ow: 14,
    cout: 64,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  }],
  ["backprop_input", {
    n: 64,
    h: 14,
    w: 14,
    cin: 64,
    oh: 7,
    ow: 7,
    cout: 128,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  }],
  ["conv2d", {
    n: 64,
    h: 14,
    w: 14,
    cin: 64,
    oh: 7,
    ow: 7,
    cout: 128,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  }],
  ["backprop_filter", {
    n: 64,
    h: 14,
    w: 14,
    cin: 64,
    oh: 7,
    ow: 7,
    cout: 128,
    kh: 4,
    kw: 4,
    sh: 2,
    sw: 2,
    dh: 1,
    dw: 1,
    top: 1,
    left: 1,
  }],
];
const which = Deno.args[0] ? Deno.args[0].split(",").map(Number) : cases.map((_, i) => i);
for (const i of which) {
  const [kind, g] = cases[i];
  const t: number[] = [];
  const rows = RUST_CONV_KERNELS[kind].rows(g as never);
  for (let r = 0; r < 80; r++) {
    const s = performance.now();
    runRustConv(k, kind, g as never, 0, 16 << 20, 24 << 20, 0, rows, 30 << 20);
    t.push(performance.now() - s);
  }
  t.sort((a, b) => a - b);
  const macs = g.n * g.oh * g.ow * g.kh * g.kw * g.cin * g.cout;
  console.log(
    `${i} ${kind} cin ${g.cin}: min ${t[0].toFixed(2)} med ${t[40].toFixed(2)} ms, ${
      (2 * macs / t[0] / 1e6).toFixed(1)
    } GF/s`,
  );
}
