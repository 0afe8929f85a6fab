/**
 * The FID Inception network on tfjs (the active backend: Duel's wasm build
 * by default): each `BasicConv2d` is a convolution whose batch norm (eps
 * 0.001, running statistics) is folded into its filter and a bias, then ReLU;
 * the blocks are pytorch-fid's: `A`, `C` and `E_1` average-pool their
 * `branch_pool` input 3x3 (stride 1, padding 1) without counting the padding
 * (TensorFlow's pooling, `count_include_pad=False`), `E_2` max-pools it;
 * `B` and `D` are torchvision's reduction blocks. The pool3 features are the
 * spatial mean of `Mixed_7c`'s 8x8x2048 output.
 * @module
 */
import * as tf from "../../deps/tfjs_core.ts";
import type { PthEntry } from "../torch_pth.ts";
import { type BlockKind, BN_EPS, type ConvSpec, FID_CONVS, FID_INCEPTION } from "./layout.ts";

/** A convolution with its batch norm folded in: filter `[kh, kw, cin, cout]` and bias `[cout]`. */
interface FoldedConv {
  readonly spec: ConvSpec;
  readonly filter: tf.Tensor4D;
  readonly bias: tf.Tensor1D;
}

/** The network's weights on the backend, by convolution name. */
export type InceptionParams = ReadonlyMap<string, FoldedConv>;

/** Folds `<name>.bn` into `<name>.conv` (in float64) and uploads both (kept until disposed). */
export function foldWeights(tensors: ReadonlyMap<string, PthEntry>): InceptionParams {
  const out = new Map<string, FoldedConv>();
  for (const spec of FID_CONVS) {
    const { name, cin, cout, kh, kw } = spec;
    const read = (key: string) => tensors.get(`${name}.${key}`)!.read();
    const w = read("conv.weight"), gamma = read("bn.weight"), beta = read("bn.bias");
    const mean = read("bn.running_mean"), variance = read("bn.running_var");
    const filter = new Float32Array(w.length), bias = new Float32Array(cout);
    for (let o = 0; o < cout; o++) {
      const s = gamma[o] / Math.sqrt(variance[o] + BN_EPS);
      bias[o] = beta[o] - mean[o] * s;
      for (let i = 0; i < cin; i++) {
        for (let y = 0; y < kh; y++) {
          for (let x = 0; x < kw; x++) {
            filter[((y * kw + x) * cin + i) * cout + o] = w[((o * cin + i) * kh + y) * kw + x] * s;
          }
        }
      }
    }
    out.set(name, {
      spec,
      filter: tf.keep(tf.tensor4d(filter, [kh, kw, cin, cout])),
      bias: tf.keep(tf.tensor1d(bias)),
    });
  }
  return out;
}

type T = tf.Tensor4D;

/** One `BasicConv2d`: convolution, folded batch norm, ReLU. */
function basic(params: InceptionParams, name: string, x: T): T {
  const { spec, filter, bias } = params.get(name)!;
  return tf.relu(tf.add(tf.conv2d(x, filter, spec.stride, spec.pad), bias));
}

const maxPool3s2 = (x: T): T => tf.maxPool(x, 3, 2, "valid");
/** 3x3 stride-1 average over the window's pixels inside the image (padding not counted). */
const avgPool3 = (x: T): T => tf.avgPool(x, 3, 1, "same");

/** A block's forward pass: `c(short)` runs the block's convolution of that name. */
type Forward = (x: T, c: (short: string, input: T) => T) => T;

const cat = (parts: T[]): T => tf.concat(parts, 3);

const e = (pool: (x: T) => T): Forward => (x, c) => {
  const b3 = c("branch3x3_1", x), d = c("branch3x3dbl_2", c("branch3x3dbl_1", x));
  return cat([
    c("branch1x1", x),
    c("branch3x3_2a", b3),
    c("branch3x3_2b", b3),
    c("branch3x3dbl_3a", d),
    c("branch3x3dbl_3b", d),
    c("branch_pool", pool(x)),
  ]);
};

/** What each kind of step computes (pytorch-fid's forward passes). */
const FORWARD: Record<BlockKind, Forward> = {
  conv: (x, c) => c("conv", x),
  maxpool: (x) => maxPool3s2(x),
  A: (x, c) =>
    cat([
      c("branch1x1", x),
      c("branch5x5_2", c("branch5x5_1", x)),
      c("branch3x3dbl_3", c("branch3x3dbl_2", c("branch3x3dbl_1", x))),
      c("branch_pool", avgPool3(x)),
    ]),
  B: (x, c) =>
    cat([
      c("branch3x3", x),
      c("branch3x3dbl_3", c("branch3x3dbl_2", c("branch3x3dbl_1", x))),
      maxPool3s2(x),
    ]),
  C: (x, c) => {
    let d = x;
    for (let k = 1; k <= 5; k++) d = c(`branch7x7dbl_${k}`, d);
    return cat([
      c("branch1x1", x),
      c("branch7x7_3", c("branch7x7_2", c("branch7x7_1", x))),
      d,
      c("branch_pool", avgPool3(x)),
    ]);
  },
  D: (x, c) =>
    cat([
      c("branch3x3_2", c("branch3x3_1", x)),
      c("branch7x7x3_4", c("branch7x7x3_3", c("branch7x7x3_2", c("branch7x7x3_1", x)))),
      maxPool3s2(x),
    ]),
  E_1: e(avgPool3),
  E_2: e((x) => tf.maxPool(x, 3, 1, "same")),
};

/** Pool3 features `[n, 2048]` of a batch `[n, 299, 299, 3]` in [-1, 1]. */
export function pool3(params: InceptionParams, input: T): tf.Tensor2D {
  let x = input;
  for (const block of FID_INCEPTION) {
    // One scope per block: its branches' intermediates are freed before the next block runs.
    const next = tf.tidy(() =>
      FORWARD[block.kind](x, (short, at) => basic(params, block.convs[short].name, at))
    );
    if (x !== input) x.dispose();
    x = next;
  }
  const features = tf.mean(x, [1, 2]) as tf.Tensor2D;
  if (x !== input) x.dispose();
  return features;
}
