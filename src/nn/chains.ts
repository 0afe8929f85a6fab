/**
 * Dense chains in a network: runs of dense layers (without spectral norm),
 * each optionally followed by a `relu`, `leaky_relu` or `linear` layer,
 * applied as one op (`denseChain`, backend/rust/dense_chain_op.ts) where the
 * backend has it (`dense_chain_rust` in `KERNEL_FIXES`, with Duel's Rust
 * matmul in force: `denseChainRounding`), in the per-op layers' bits; the
 * layers one by one otherwise.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { denseChainRounding } from "../backend/kernels.ts";
import { type ChainLayer, denseChain } from "../backend/rust/dense_chain_op.ts";
import { type Tensor, tfjs } from "../tensor.ts";
import type { ApplyMode, Layer } from "./layer_kind.ts";

/** A stretch of a network: layers applied one by one, or a dense chain and the layers it replaces. */
interface Segment {
  readonly layers: readonly Layer[];
  readonly chain?: readonly ChainLayer[];
}

/** The network's layers as segments: each maximal dense chain, and the layers between. */
function segments(layers: readonly Layer[]): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < layers.length) {
    const start = i;
    const chain: ChainLayer[] = [];
    while (layers[i]?.chain?.kind === "dense") {
      const { kernel, bias } = layers[i++].chain!;
      const next = layers[i]?.chain;
      const act = next && next.kind !== "dense" ? next.kind : undefined;
      if (act) i++;
      const alpha = act ? layers[i - 1].chain!.alpha ?? 0 : 0;
      chain.push({ kernel: tfjs(kernel!), bias: tfjs(bias!), act: act ?? "linear", alpha });
    }
    if (chain.length > 0) out.push({ layers: layers.slice(start, i), chain });
    else out.push({ layers: [layers[i++]] });
  }
  return out;
}

/**
 * The whole network as one dense chain (every layer in it, every parameter a
 * chain's kernel or bias), or undefined: what a training step without tfjs's
 * tape needs (`train/direct_grads.ts`).
 *
 * Inside Duel it is used as `const chain = wholeChain(built);` in `buildNetwork`.
 */
export function wholeChain(layers: readonly Layer[]): readonly ChainLayer[] | undefined {
  const parts = segments(layers);
  const covered = layers.every((l) =>
    (l.params.length === 0 || l.chain?.kind === "dense") && !l.state?.length
  );
  return parts.length === 1 && parts[0].chain && covered ? parts[0].chain : undefined;
}

/** Whether tfjs is recording operations for gradients (its tape needs every intermediate). */
const tapeOn = () => (tf.engine() as unknown as { isTapeOn(): boolean }).isTapeOn();

/**
 * The function of a batch that applies `layers` in order, each dense chain as
 * one op when {@link denseChainRounding} allows it at the time of the call
 * (so a switch turned off between calls restores the per-op layers).
 *
 * Outside training, where no gradient is being recorded (sampling, evaluations), each layer or
 * chain runs in a tidy scope of its own and its input, unless it is the caller's `x`, is freed
 * once used: the same operations in the same order, but at most a layer's input, internals and
 * output alive at once, not every activation until the caller's scope ends. A DCGAN generator on
 * 2,000 samples peaked at 640 MiB of tfjs's heap without this and 299 MiB with it, and the first
 * touch of fresh memory is dear on the hosts measured (filling 640 MiB of it took 1.9 s).
 */
export function chainedApply(layers: readonly Layer[]): (x: Tensor, mode: ApplyMode) => Tensor {
  const parts = segments(layers);
  return (x, mode) => {
    const rounding = denseChainRounding();
    const lean = !mode.training && !tapeOn();
    const step = (h: Tensor, f: (h: Tensor) => Tensor): Tensor => {
      if (!lean) return f(h);
      const next = tf.tidy(() => tfjs(f(h)));
      if (h !== x && next !== h && !(h instanceof tf.Variable)) h.dispose();
      return next;
    };
    return parts.reduce((h, seg) => {
      const t = h as tf.Tensor;
      if (!seg.chain || !rounding || t.dtype !== "float32" || t.rank !== 2) {
        return seg.layers.reduce((v, layer) => step(v, (u) => layer.apply(u, mode)), h);
      }
      return step(h, (u) => denseChain(tfjs(u), seg.chain!, rounding));
    }, x);
  };
}
