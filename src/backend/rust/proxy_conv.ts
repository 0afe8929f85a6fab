/**
 * The proxy feature extractor's convolutions (src/metrics/proxy_features.ts)
 * on Duel's Rust kernel `proxy_conv_f64` (kernels/src/proxy_conv.rs) in the
 * scratch memory (`scratch.ts`), or in plain JavaScript where the kernels are
 * not loaded: the same sums in the same order, so both give the same bits.
 * @module
 */
import { rustKernelsLoaded } from "./loader.ts";
import { scratch } from "./scratch.ts";

/** One layer: a 3x3 convolution, stride 2, padding 1, no bias, then ReLU. */
export interface ProxyConv {
  /** Input channels. */
  readonly cin: number;
  /** Output channels. */
  readonly cout: number;
  /** Weights `[3, 3, cin, cout]`, row-major, finite (the kernel adds the `0 · w` the loop skips). */
  readonly w: Float32Array;
}

/**
 * `n` images `[side, side, layers[0].cin]` (NHWC, `side` a multiple of 2 per layer) through
 * every layer in turn; each layer's outputs for all `n` images (`[n, side / 2^l, side / 2^l,
 * cout]`). Per output value: a sum in doubles over the taps inside the image, row, column, input
 * channel in order (inputs equal to 0 skipped), then ReLU (NaN gives 0) and rounding to float32.
 * `rust`: on the Rust kernel (default: where the kernels are loaded) or in JavaScript.
 */
export function proxyConvLayers(
  x: Float32Array,
  n: number,
  side: number,
  layers: readonly ProxyConv[],
  rust = rustKernelsLoaded(),
): Float32Array[] {
  return rust ? layersRust(x, n, side, layers) : layersJs(x, n, side, layers);
}

function layersRust(
  x: Float32Array,
  n: number,
  side: number,
  layers: readonly ProxyConv[],
): Float32Array[] {
  // The weights as doubles, then the input, then each layer's output.
  const wAt: number[] = [], yAt: number[] = [];
  let bytes = 0;
  for (const { w } of layers) wAt.push(bytes), bytes += 8 * w.length;
  const xAt = bytes;
  bytes += 4 * x.length;
  const sides = layers.map((_, l) => side >> (l + 1));
  layers.forEach(({ cout }, l) => {
    yAt.push(bytes);
    bytes += 4 * n * sides[l] * sides[l] * cout;
    bytes += (16 - (bytes % 16)) % 16;
  });
  const { kernels, buffer } = scratch(bytes);
  layers.forEach(({ w }, l) => new Float64Array(buffer, wAt[l], w.length).set(w));
  new Float32Array(buffer, xAt, x.length).set(x);
  let from = xAt, at = side;
  layers.forEach(({ cin, cout }, l) => {
    kernels.proxy_conv_f64(yAt[l], from, wAt[l], n, at, cin, cout);
    from = yAt[l];
    at = sides[l];
  });
  return layers.map(({ cout }, l) =>
    new Float32Array(buffer, yAt[l], n * sides[l] * sides[l] * cout).slice()
  );
}

function layersJs(
  x: Float32Array,
  n: number,
  side: number,
  layers: readonly ProxyConv[],
): Float32Array[] {
  const outs: Float32Array[] = [];
  let input = x, at = side;
  for (const conv of layers) {
    const inSize = at * at * conv.cin, half = at / 2, outSize = half * half * conv.cout;
    const y = new Float32Array(n * outSize);
    for (let i = 0; i < n; i++) {
      y.set(convRelu(input.subarray(i * inSize, (i + 1) * inSize), at, conv), i * outSize);
    }
    outs.push(y);
    input = y;
    at = half;
  }
  return outs;
}

/** One image `[side, side, cin]` through a 3x3 stride-2 convolution (padding 1) and ReLU. */
function convRelu(x: Float32Array, side: number, { cin, cout, w }: ProxyConv): Float32Array {
  const out = side / 2, y = new Float32Array(out * out * cout);
  const acc = new Float64Array(cout);
  for (let oy = 0; oy < out; oy++) {
    for (let ox = 0; ox < out; ox++) {
      acc.fill(0);
      for (let ky = 0; ky < 3; ky++) {
        const iy = 2 * oy + ky - 1;
        if (iy < 0 || iy >= side) continue;
        for (let kx = 0; kx < 3; kx++) {
          const ix = 2 * ox + kx - 1;
          if (ix < 0 || ix >= side) continue;
          const xo = (iy * side + ix) * cin, wo = (ky * 3 + kx) * cin * cout;
          for (let ci = 0; ci < cin; ci++) {
            const v = x[xo + ci];
            if (v === 0) continue;
            const wr = wo + ci * cout;
            for (let co = 0; co < cout; co++) acc[co] += v * w[wr + co];
          }
        }
      }
      const yo = (oy * out + ox) * cout;
      for (let co = 0; co < cout; co++) y[yo + co] = acc[co] > 0 ? acc[co] : 0;
    }
  }
  return y;
}
