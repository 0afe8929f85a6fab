/**
 * A training step's gradients without tfjs's tape, for GANs whose players
 * are each one dense chain (dense layers and their ReLU / leaky ReLU /
 * linear activations, as `nn/chains.ts` applies them): each pass one call
 * of the chain kernels (the critic's real and fake batches stacked, a
 * generator update's two networks as one chain); the objective's gradients with
 * respect to the logits in closed form where the objective has them
 * (`logitGradients`: the GAN and Wasserstein objectives), else by tfjs's autodiff on the
 * logits alone (a few ops on `[batch, 1]`); the weights' gradients summed as
 * the tape sums them. The same kernels run on the same operands in the same
 * order as under `tf.variableGrads`, so the gradients, and every step after,
 * keep their bits (tests/direct_grads_test.ts compares whole runs both
 * ways); what goes is the tape's work per op (recording, saving, the
 * backward pass's bookkeeping) and ops: `tf.profile` lists 31 kernels in a
 * toy2d step where the tape's lists 73.
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
  chainWeightSets,
} from "../backend/rust/dense_chain_op.ts";
import type { GemmRounding } from "../backend/rust/gemm.ts";
import { type Network, networkChain } from "../nn/network.ts";
import type { LogitGradients, LossGradients } from "../objectives/objectives.ts";
import { type Tensor, tfjs } from "../tensor.ts";

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

/** {@link directPlayer}'s answer per network (a network's layers and parameters never change). */
const PLAYERS = new WeakMap<Network, DirectPlayer | undefined>();

/** `net` as a {@link DirectPlayer}, when it is one dense chain whose kernels and biases are all its parameters. */
function directPlayer(net: Network): DirectPlayer | undefined {
  if (!PLAYERS.has(net)) PLAYERS.set(net, playerOf(net));
  return PLAYERS.get(net);
}

function playerOf(net: Network): DirectPlayer | undefined {
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

/** The critic's update: its loss, its scores (or logits) on both batches, its weights' gradients. */
export interface DirectCritic {
  /** The objective's critic loss. */
  readonly loss: tf.Tensor;
  /**
   * The critic's logits on the real and the fake batch; or, where the objective's gradients
   * came stacked, none and {@link scores} instead.
   */
  readonly logits?: readonly [tf.Tensor, tf.Tensor];
  /** The mean score (`score`) of the real and of the fake batch, `[2]`, when there are no {@link logits}. */
  readonly scores?: tf.Tensor;
  /** Per critic variable name, its gradient (as `tf.variableGrads` names them). */
  readonly grads: Record<string, tf.Tensor>;
}

/** An objective as a step without the tape reads it: an entry of `OBJECTIVES`. */
export interface DirectObjective<P> {
  /** The critic's loss of the real and the fake logits. */
  discriminator(real: Tensor, fake: Tensor, p: P): Tensor;
  /** The generator's loss of the fake and the real logits. */
  generator(fake: Tensor, real: Tensor, p: P): Tensor;
  /** The critic's per-example score (`d/real_score`, `d/fake_score`). */
  score(logits: Tensor): Tensor;
  /** The losses' logit gradients in closed form, where written (else autodiff). */
  readonly logitGradients?: LogitGradients<P>;
}

/** `loss(...logits)` and its gradients with respect to the logits, by tfjs's autodiff on them alone. */
function autodiff(loss: (...logits: tf.Tensor[]) => Tensor, logits: tf.Tensor[]): LossGradients {
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => tfjs(loss(...xs)))(logits);
  return { loss: value, grads };
}

/**
 * The critic's loss of `D(real)` and `D(fake)`, `fake = G(z)`, and its
 * gradients, as `tf.variableGrads` computes them: the generator's pass (one
 * chain call, as the trainer's `G(z)` would run it), the critic on both batches, the loss's
 * gradients with respect to each batch's logits (in closed form where the
 * objective has it, else by autodiff), each batch's weight gradients, and
 * their sums (the fake batch's plus the real one's). The two batches go
 * through the critic stacked, one kernel call each way (on two threads, one
 * batch a thread): a batch's rows never mix with the other's, and each
 * batch's `dW` is summed over its own rows alone ({@link chainWeightSets}),
 * so the bits are those of two passes. Call inside `tf.tidy`.
 *
 * Inside Duel it is used as `directCritic(players, real, z, objective, params)`.
 */
export function directCritic<P>(
  players: DirectPlayers,
  real: tf.Tensor,
  z: tf.Tensor,
  objective: DirectObjective<P>,
  p: P,
): DirectCritic {
  const { generator, critic, rounding } = players;
  const fake = chainForward(z, generator.chain, rounding).y;
  const n = real.shape[0];
  if (fake.shape[0] !== n) throw new Error(`directCritic: ${n} real rows, ${fake.shape[0]} fake`);
  // Both batches in one pass each way: rows never mix, so each batch keeps its own bits.
  const pass = chainForward(tf.concat([real, fake], 0), critic.chain, rounding);
  // Weight gradients of each batch, then their sums (fake + real, as the tape's add).
  const weigh = (dy: tf.Tensor) =>
    named(critic, chainWeightSets(dy, pass, critic.chain, rounding, 2, true)[2]);
  const stacked = objective.logitGradients?.discriminatorStacked?.(pass.y, p);
  if (stacked) {
    // The scores' means per batch: the stacked scores as [2, n], each row's mean.
    const scores = tf.mean(tf.reshape(tfjs(objective.score(pass.y)), [2, n]), 1);
    return { loss: tfjs(stacked.loss), scores, grads: weigh(tfjs(stacked.grad)) };
  }
  const [lr, lf] = tf.split(pass.y, 2, 0);
  const closed = objective.logitGradients?.discriminator?.(lr, lf, p);
  const { loss, grads } = closed ?? autodiff((r, f) => objective.discriminator(r, f, p), [lr, lf]);
  const dy = tf.concat([tfjs(grads[0]), tfjs(grads[1])], 0);
  return { loss: tfjs(loss), logits: [lr, lf], grads: weigh(dy) };
}

/**
 * The generator's loss of `D(G(z))` (and of `realLogits`, the critic's
 * logits on a real batch, for objectives whose generator reads them) and the
 * generator's gradients, as `tf.variableGrads` computes them: both chains
 * forward, the loss's gradient with respect to the fake logits (in closed
 * form where the objective has it, else by autodiff), the critic's input
 * gradient, the generator's weight gradients. The two chains run as one (the
 * generator's layers, then the critic's): one call forward, one for every
 * `dz` (the critic's input gradient among them, the product the tape's
 * `matMul` computes) and one for the generator's weights alone. Call inside
 * `tf.tidy`.
 *
 * Inside Duel it is used as `directGenerator(players, z, objective, params, realLogits)`.
 */
export function directGenerator<P>(
  players: DirectPlayers,
  z: tf.Tensor,
  objective: DirectObjective<P>,
  p: P,
  realLogits?: tf.Tensor,
): { readonly loss: tf.Tensor; readonly grads: Record<string, tf.Tensor> } {
  const { generator, critic, rounding } = players;
  // G and D as one chain: the same products per row, one kernel call each way.
  const both = [...generator.chain, ...critic.chain];
  const d = chainForward(z, both, rounding);
  const closed = realLogits ? undefined : objective.logitGradients?.generator?.(d.y, p);
  const { loss, grads } = closed ??
    autodiff((f) => objective.generator(f, realLogits ?? f, p), [d.y]);
  const weighed = generator.chain.length;
  const weights = chainBackward(tfjs(grads[0]), d, both, rounding, { weights: weighed }).weights!;
  return { loss: tfjs(loss), grads: named(generator, weights) };
}
