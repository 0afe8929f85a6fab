import assert from "node:assert/strict";
import {
  floorMs,
  nativeWidth,
  parseTorchProbe,
  type RooflineHost,
  type RooflineRow,
  rooflineTable,
  simdFlags,
  verdict,
} from "../bench/peer/roofline_table.ts";

// 0.1 GFLOP per step at a 50 GFLOP/s peak: floors 2 ms (1T) and 1 ms (2T); PyTorch's at 2x: 1, 0.5.
const HOST: RooflineHost = { peakGflops: 50, threads: [1, 2] };
const row = (over: Partial<RooflineRow>): RooflineRow => ({
  workload: "toy",
  productFlop: 9.8e7,
  otherFlop: 2e6,
  productMs: 2.5,
  meteredMs: 4,
  duel: { 1: 4, 2: 5 },
  torch: { 1: 2.5, 2: 3 },
  nativeFactor: 2,
  ...over,
});

Deno.test("roofline floor: flop at the peak times the threads", () => {
  assert.equal(floorMs(1e9, 50, 1), 20);
  assert.equal(floorMs(1e9, 50, 2), 10);
  assert.equal(floorMs(1e8, 100, 1), 1);
  assert.throws(() => floorMs(1e9, 0, 1), /positive peak/);
  assert.throws(() => floorMs(1e9, 50, 0), /positive peak/);
});

Deno.test("roofline native width: 4 only where the host has AVX-512F and the workload's path uses it", () => {
  const zen5 = simdFlags("avx2 yes, fma yes, avx512f yes");
  assert.deepEqual(zen5, { avx2: true, fma: true, avx512f: true });
  assert.deepEqual(simdFlags("avx2 yes, fma no, avx512f no"), {
    avx2: true,
    fma: false,
    avx512f: false,
  });
  // The host has AVX-512F, OpenBLAS runs its Zen (AVX2) core: dense layers 2x; convolutions 4x
  // where oneDNN does them.
  const host = {
    ...zen5,
    torch: "AVX2",
    blasCore: "Zen",
    onednn: "Conv2d jit:avx512_core, ConvTranspose2d BLAS",
  };
  const dense = nativeWidth(host);
  assert.equal(dense.factor, 2);
  assert.equal(
    dense.why,
    "AVX2 + FMA, no AVX-512 path (OpenBLAS core Zen, PyTorch's vector code AVX2): 2 × 8-lane " +
      "FMA = 32 flop/cycle, 2 × wasm's 16",
  );
  const conv = nativeWidth(host, true);
  assert.equal(conv.factor, 4);
  assert.match(
    conv.why,
    /^AVX-512F, used by oneDNN \(.*ConvTranspose2d BLAS\): 2 × 16-lane FMA = 64 .*a lower bound/,
  );
  assert.equal(
    nativeWidth({ ...host, onednn: "Conv2d BLAS, ConvTranspose2d BLAS" }, true).factor,
    2,
  );
  // An AVX-512 OpenBLAS core; an unknown BLAS follows ATen's vector code.
  assert.match(nativeWidth({ ...host, blasCore: "SkylakeX" }).why, /^AVX-512F, used by OpenBLAS/);
  assert.equal(nativeWidth({ ...host, blasCore: undefined }).factor, 2);
  assert.equal(nativeWidth({ ...host, blasCore: "unknown", torch: "AVX512" }).factor, 4);
  // No AVX-512F on the host: an AVX-512 name cannot raise it; no FMA: wasm's width.
  const noAvx512 = { avx2: true, fma: true, avx512f: false, torch: "AVX512", blasCore: "SkylakeX" };
  assert.equal(nativeWidth(noAvx512, true).factor, 2);
  assert.equal(nativeWidth({ avx2: true, fma: false, avx512f: false, torch: "DEFAULT" }).factor, 1);
});

Deno.test("roofline probe: the OpenBLAS core and what runs each convolution layer", () => {
  const out = [
    "core Haswell",
    "layer Conv2d",
    "onednn_verbose,exec,cpu,reorder,jit:blk,undef,src_f32::blocked:abcd:f0",
    "onednn_verbose,exec,cpu,convolution,jit:avx512_core,forward_training,src_f32",
    "layer ConvTranspose2d",
    "onednn_verbose,exec,cpu,reorder,jit:uni,undef,src_f32",
  ].join("\n");
  assert.deepEqual(parseTorchProbe(out), {
    blasCore: "Haswell",
    onednn: "Conv2d jit:avx512_core, ConvTranspose2d BLAS",
  });
  assert.deepEqual(parseTorchProbe(""), { blasCore: undefined, onednn: undefined });
});

Deno.test("roofline verdict: reached, impossible, impossible on 1 thread only, reachable", () => {
  assert.equal(
    verdict(row({ duel: { 1: 2, 2: 2.2 } }), HOST),
    "1.0 reached: Duel's 2 ms (1T) ≤ PyTorch's measured 2.5 ms (1T)",
  );
  assert.equal(
    verdict(row({ torch: { 1: 0.8, 2: 0.9 } }), HOST),
    "1.0 impossible: Duel's floor 1 ms (2T, ideal) > PyTorch's measured 0.8 ms (1T)",
  );
  assert.equal(
    verdict(row({ torch: { 1: 1.6, 2: 1.5 } }), HOST),
    "1.0 at 1T impossible: Duel's floor 2 ms > PyTorch's measured 1.5 ms (2T); at 2T " +
      "reachable: floor 1 ms; the gap is overhead; Duel's metered 1T step spends 1.5 ms outside products",
  );
  assert.equal(
    verdict(row({}), HOST),
    "reachable: floor 2 ms (1T) < PyTorch's measured 2.5 ms (1T); the gap is overhead; " +
      "Duel's metered 1T step spends 1.5 ms outside products",
  );
  assert.equal(verdict(row({ torch: undefined }), HOST), "no PyTorch measurement");
});

Deno.test("roofline table: one row per workload, floors, shares and PyTorch's floor", () => {
  const lines = rooflineTable([row({}), row({ workload: "none", torch: undefined })], HOST)
    .split("\n");
  assert.equal(lines.length, 4);
  assert.equal(
    lines[0],
    "| workload | GFLOP per step: products + other ≈ | products' share | Duel floor 1T / 2T (ms) | " +
      "Duel measured 1T / 2T (ms) | Duel's share of its roofline 1T / 2T | " +
      "Duel's products, 1T metered: ms of the step's ms (GFLOP/s, share of peak) | PyTorch measured 1T / 2T (ms) | " +
      "PyTorch floor 1T / 2T (ms, × the wasm peak) | verdict |",
  );
  // Products 0.098 GFLOP in 2.5 ms: 39.2 GFLOP/s, 78% of 50.
  assert.equal(
    lines[2],
    "| toy | 0.098 + 0.002 | 98.0% | 2 / 1 | 4 / 5 | 50% / 20% | 2.5 of 4 (39.2, 78%) | 2.5 / 3 | " +
      "1 / 0.5 (×2) | reachable: floor 2 ms (1T) < PyTorch's measured 2.5 ms (1T); the gap is " +
      "overhead; Duel's metered 1T step spends 1.5 ms outside products |",
  );
  assert.equal(
    lines[3],
    "| none | 0.098 + 0.002 | 98.0% | 2 / 1 | 4 / 5 | 50% / 20% | 2.5 of 4 (39.2, 78%) | – / – | " +
      "1 / 0.5 (×2) | no PyTorch measurement |",
  );
});
