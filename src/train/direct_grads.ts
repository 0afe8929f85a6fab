/**
 * A training step's gradients without tfjs's tape, for GANs whose players
 * are each one dense chain (dense layers and their ReLU / leaky ReLU /
 * linear activations, as `nn/chains.ts` applies them): each pass of each
 * network one call of the chain kernels, the objective's gradient with
 * respect to the logits by tfjs's autodiff on the logits alone (a few ops on
 * `[batch, 1]`), and the weights' gradients summed as the tape sums them.
 * The same kernels run on the same operands in the same order as under
 * `tf.variableGrads`, so the gradients, and every step after, keep their bits
 * (tests/direct_grads_test.ts compares whole runs both ways); what goes is
 * the tape's work per op: recording, saving, the per-layer bookkeeping of
 * the backward pass.
 *
 * The trainer uses it where it applies ({@link directPlayers}: both players
 * whole chains, the chain kernels in force, no packing) and where no
 * gradient penalty is due that update; otherwise the tape.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { denseChainRounding } from "../backend/kernels.ts";
import {
  chainBackward,
  chainForward,
  type ChainLayer,
  type ChainPass,
} from "../backend/rust/dense_chain_op.ts";
import type { GemmRounding } from "../backend/rust/gemm.ts";
import { type Network, networkChain } from "../nn/network.ts";
import { tfjs } from "../tensor.ts";

/** A player as one dense chain, with its parameters' names (the keys of `tf.variableGrads`). */
export interface DirectPlayer {
  /** The chain's layers (their kernels and biases are the player's variables). */
  readonly chain: readonly ChainLayer[];
  /** Per layer, the names of its kernel and bias variables. */
  readonly names: readonly { readonly kernel: string; readonly bias: string }[];
}

/** Both players as chains, and the GEMM rounding the chain kernels run in. */
export interface DirectPlayers {
  /** The generator's chain. */
  readonly generator: DirectPlayer;
  /** The critic's chain. */
  readonly critic: DirectPlayer;
  /** The rounding of the matmul in force (the chains' kernels' attr). */
  readonly rounding: GemmRounding;
}

/** `net` as a {@link DirectPlayer}, when it is one dense chain whose kernels and biases are all its parameters. */
function directPlayer(net: Network): DirectPlayer | undefined {
  const chain = networkChain(net);
  if (!chain) return undefined;
  const names = new Map<tf.Tensor, string>(
    net.params.map((p) => [tfjs(p.variable), tfjs(p.variable).name]),
  );
  const layers = chain.map((l) => ({ kernel: names.get(l.kernel), bias: names.get(l.bias) }));
  const all = layers.every((l) => l.kernel !== undefined && l.bias !== undefined) &&
    2 * layers.length === net.params.length;
  return all ? { chain, names: layers as DirectPlayer["names"] } : undefined;
}

/**
 * Both players for a step without the tape, or undefined where it does not
 * apply: a player that is not one dense chain, critic packs of more than one
 * example, or the chain kernels not in force now (checked at each call, as
 * `nn/chains.ts` does, so a kernel switch turned off brings the tape back).
 *
 * Inside Duel it is used as `const direct = directPlayers(generator, critic, packing);`.
 */
export function directPlayers(
  generator: Network,
  critic: Network,
  packing: number,
): DirectPlayers | undefined {
  const rounding = denseChainRounding();
  if (!rounding || packing !== 1) return undefined;
  const g = directPlayer(generator), d = directPlayer(critic);
  return g && d ? { generator: g, critic: d, rounding } : undefined;
}

/** Per variable name, the kernel's and the bias's gradient of each layer. */
function named(
  player: DirectPlayer,
  weights: readonly { readonly kernel: tf.Tensor; readonly bias: tf.Tensor }[],
): Record<string, tf.Tensor> {
  const grads: Record<string, tf.Tensor> = {};
  player.names.forEach((n, l) => {
    grads[n.kernel] = weights[l].kernel;
    grads[n.bias] = weights[l].bias;
  });
  return grads;
}

/** The critic's update: its loss, its logits on both batches, its weights' gradients. */
export interface DirectCritic {
  /** The objective's critic loss. */
  readonly loss: tf.Tensor;
  /** The critic's logits on the real and the fake batch. */
  readonly logits: readonly [tf.Tensor, tf.Tensor];
  /** Per critic variable name, its gradient (as `tf.variableGrads` names them). */
  readonly grads: Record<string, tf.Tensor>;
}

/**
 * The critic's loss `loss(D(real), D(fake))` and its gradients, as
 * `tf.variableGrads` computes them: the critic on both batches, the loss's
 * gradient with respect to each batch's logits, each pass's weight gradients,
 * and their sums (the fake batch's plus the real one's). Call inside `tf.tidy`.
 *
 * Inside Duel it is used as `directCritic(players, real, fake, (r, f) => objective.discriminator(r, f, params))`.
 */
export function directCritic(
  players: DirectPlayers,
  real: tf.Tensor,
  fake: tf.Tensor,
  loss: (real: tf.Tensor, fake: tf.Tensor) => tf.Tensor,
): DirectCritic {
  const { critic, rounding } = players;
  const passes = [
    chainForward(real, critic.chain, rounding),
    chainForward(fake, critic.chain, rounding),
  ];
  const { value, grads } = tf.valueAndGrads(loss as (...xs: tf.Tensor[]) => tf.Tensor)(
    passes.map((p) => p.y),
  );
  const weights = (dy: tf.Tensor, pass: ChainPass) =>
    chainBackward(dy, pass, critic.chain, rounding, { weights: true }).weights!;
  const [fromReal, fromFake] = [weights(grads[0], passes[0]), weights(grads[1], passes[1])];
  const sums = fromFake.map((f, l) => ({
    kernel: tf.add(f.kernel, fromReal[l].kernel),
    bias: tf.add(f.bias, fromReal[l].bias),
  }));
  return { loss: value, logits: [passes[0].y, passes[1].y], grads: named(critic, sums) };
}

/**
 * The generator's loss `loss(D(G(z)))` and the generator's gradients, as
 * `tf.variableGrads` computes them: both chains forward, the loss's gradient
 * with respect to the logits, the critic's input gradient, the generator's
 * weight gradients. Call inside `tf.tidy`.
 *
 * Inside Duel it is used as `directGenerator(players, z, (f) => objective.generator(f, f, params))`.
 */
export function directGenerator(
  players: DirectPlayers,
  z: tf.Tensor,
  loss: (fake: tf.Tensor) => tf.Tensor,
): { readonly loss: tf.Tensor; readonly grads: Record<string, tf.Tensor> } {
  const { generator, critic, rounding } = players;
  const g = chainForward(z, generator.chain, rounding);
  const d = chainForward(g.y, critic.chain, rounding);
  const { value, grads } = tf.valueAndGrads(loss as (...xs: tf.Tensor[]) => tf.Tensor)([d.y]);
  const dx = chainBackward(grads[0], d, critic.chain, rounding, { x: true }).x!;
  const weights = chainBackward(dx, g, generator.chain, rounding, { weights: true }).weights!;
  return { loss: value, grads: named(generator, weights) };
}
