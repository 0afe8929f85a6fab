import assert from "node:assert/strict";
import { loadRustKernels, rustKernels } from "../src/backend/rust/loader.ts";
import { proxyConvLayers } from "../src/backend/rust/proxy_conv.ts";
import { squaredDistanceBlocks } from "../src/metrics/distances.ts";
import { PROXY_EXTRACTOR, proxyFeatures } from "../src/metrics/proxy_features.ts";
import { Rng } from "../src/rng.ts";

await loadRustKernels();

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/** Values with exact zeros, negative zeros, repeats and a wide range of magnitudes. */
function values(n: number, seed: number): Float32Array {
  const r = Rng.derive(seed, "metric kernels");
  return Float32Array.from({ length: n }, () => {
    const u = r.uniform();
    return u < 0.15
      ? 0
      : u < 0.2
      ? -0
      : u < 0.25
      ? 0.5
      : (r.uniform() - 0.5) * 10 ** (r.int(7) - 3);
  });
}

/** All squared distances through `squaredDistanceBlocks`, on the Rust kernel or in JavaScript. */
function distances(a: Float32Array, b: Float32Array, dim: number, rust: boolean, rows = 5) {
  const nb = b.length / dim, out = new Float32Array((a.length / dim) * nb);
  squaredDistanceBlocks(
    a,
    b,
    dim,
    (start, n, block) => {
      out.set(block.subarray(0, n * nb), start * nb);
    },
    rows,
    rust,
  );
  return out;
}

/** `sqdist_f64` or its reference in a memory of their own, `b` packed in row pairs. */
function sqdistDirect(a: Float32Array, b: Float32Array, dim: number, ref: boolean) {
  const na = a.length / dim, nb = b.length / dim, pairs = Math.ceil(nb / 2);
  const memory = new WebAssembly.Memory({ initial: 4 });
  const k = rustKernels(memory);
  // At odd multiples of 8 bytes, so that unaligned vector loads are exercised.
  const bAt = 8, aAt = bAt + 16 * pairs * dim, outAt = aAt + 8 * na * dim;
  const packed = new Float64Array(memory.buffer, bAt, 2 * pairs * dim);
  for (let j = 0; j < nb; j++) {
    for (let q = 0; q < dim; q++) packed[2 * ((j >> 1) * dim + q) + (j & 1)] = b[j * dim + q];
  }
  new Float64Array(memory.buffer, aAt, na * dim).set(a);
  (ref ? k.sqdist_f64_ref : k.sqdist_f64)(outAt, aAt, bAt, na, nb, dim);
  return new Float32Array(memory.buffer, outAt, na * nb).slice();
}

Deno.test("sqdist_f64 equals its scalar reference and the JavaScript loop bit for bit", () => {
  for (const dim of [1, 2, 3, 7, 112]) {
    for (const na of [0, 1, 3, 4, 5, 9]) {
      for (const nb of [1, 2, 3, 4, 5, 6, 11]) {
        const a = values(na * dim, na * 100 + nb * 10 + dim), b = values(nb * dim, dim + 7);
        const want = distances(a, b, dim, false);
        const what = `${na} x ${nb}, dim ${dim}`;
        assert.ok(sameBits(distances(a, b, dim, true), want), `blocks on the kernel, ${what}`);
        assert.ok(sameBits(sqdistDirect(a, b, dim, false), want), `kernel, ${what}`);
        assert.ok(sameBits(sqdistDirect(a, b, dim, true), want), `reference, ${what}`);
      }
    }
  }
});

Deno.test("sqdist_f64 sums (a - b)^2 in doubles, in column order, then rounds to float32", () => {
  // 2^24 + 1 + 1 is 2^24 in float32 sums (each + 1 ties back to even), 2^24 + 2 in doubles.
  const a = new Float32Array([4096, 1, 1]), b = new Float32Array([0, 0, 0]);
  assert.deepEqual([...distances(a, b, 3, true)], [Math.fround(4096 ** 2 + 2)]);
  // Non-finite inputs give what the loop gives.
  const c = new Float32Array([Infinity, 0, NaN, 1]), d = new Float32Array([Infinity, 0, 0, 1]);
  assert.ok(sameBits(distances(c, d, 2, true), distances(c, d, 2, false)));
});

/** Random weights `[3, 3, cin, cout]` (finite), scaled as the proxy's. */
function weights(cin: number, cout: number, seed: number): Float32Array {
  const w = Rng.derive(seed, "proxy conv test").fillNormal(new Float32Array(9 * cin * cout));
  return w.map((v) => v * Math.sqrt(2 / (9 * cin)));
}

/** One layer on `proxy_conv_f64` or its reference in a memory of their own. */
function convDirect(
  x: Float32Array,
  n: number,
  side: number,
  cin: number,
  cout: number,
  w: Float32Array,
  ref: boolean,
) {
  const memory = new WebAssembly.Memory({ initial: 8 });
  const k = rustKernels(memory);
  const wAt = 8, xAt = wAt + 8 * w.length, yAt = xAt + 4 * x.length + 4;
  new Float64Array(memory.buffer, wAt, w.length).set(w);
  new Float32Array(memory.buffer, xAt, x.length).set(x);
  (ref ? k.proxy_conv_f64_ref : k.proxy_conv_f64)(yAt, xAt, wAt, n, side, cin, cout);
  return new Float32Array(memory.buffer, yAt, n * (side / 2) ** 2 * cout).slice();
}

Deno.test("proxy_conv_f64 equals its scalar reference and the JavaScript loop bit for bit", () => {
  for (const side of [2, 4, 6, 8]) {
    for (const cin of [1, 3, 5]) {
      for (const cout of [1, 2, 3, 16, 17, 34, 64]) {
        const n = 3, seed = side * 1000 + cin * 100 + cout;
        const x = values(n * side * side * cin, seed), w = weights(cin, cout, seed);
        const layer = [{ cin, cout, w }];
        const [want] = proxyConvLayers(x, n, side, layer, false);
        const what = `side ${side}, ${cin} -> ${cout}`;
        assert.ok(sameBits(proxyConvLayers(x, n, side, layer, true)[0], want), `layers, ${what}`);
        assert.ok(sameBits(convDirect(x, n, side, cin, cout, w, false), want), `kernel, ${what}`);
        assert.ok(sameBits(convDirect(x, n, side, cin, cout, w, true), want), `reference, ${what}`);
      }
    }
  }
});

Deno.test("proxy_conv_f64: ReLU of a sum in doubles; NaN gives 0, as the loop", () => {
  // A 2x2 image of one channel: the one output sums the 4 taps inside it, w[1][1], w[1][2],
  // w[2][1], w[2][2] (the padding takes row and column 0).
  const w = new Float32Array(9);
  for (const k of [4, 5, 7, 8]) w[k] = 1;
  const run = (x: number[]) =>
    proxyConvLayers(new Float32Array(x), 1, 2, [{ cin: 1, cout: 1, w }])[0][0];
  assert.equal(run([2 ** 30, 1, -(2 ** 30), 1]), 2); // float32 sums would give 0
  assert.equal(run([1, 2, 3, -10]), 0);
  assert.ok(Object.is(run([NaN, 1, 1, 1]), 0));
  assert.equal(run([Infinity, 1, 1, 1]), Infinity);
});

Deno.test("the proxy features are the same bits on the Rust kernels and in JavaScript", () => {
  // 70 images: one whole chunk of 64 and a partial one.
  const images = values(70 * 28 * 28, 5).map((v) => Math.max(-1, Math.min(1, v)));
  const shape = [28, 28, 1];
  assert.ok(sameBits(proxyFeatures(images, shape, true), proxyFeatures(images, shape, false)));
  assert.ok(sameBits(PROXY_EXTRACTOR.features(images, shape), proxyFeatures(images, shape, false)));
});
