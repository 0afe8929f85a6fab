/**
 * The alternating trainer: with G fixed, k critic updates; then, with D
 * fixed, one generator update; repeat. It yields step metrics and never
 * prints or saves; its whole state can be taken and restored exactly.
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { dataSourceOf } from "../data/factory.ts";
import { buildPlayers, type Players } from "./players.ts";
import type { Experiment } from "../config/schema.ts";
import type { DataSource } from "../data/source.ts";
import { type ApplyMode, EVAL_MODE, type Param } from "../nn/layers.ts";
import { type Network } from "../nn/network.ts";
import { pack } from "../nn/packing.ts";
import { OBJECTIVES } from "../objectives/objectives.ts";
import { type RegularizerKind, REGULARIZERS } from "../objectives/regularizers.ts";
import type { InferShape, Shape } from "../fields.ts";
import { Rng } from "../rng.ts";
import {
  deriveStreams,
  namedVariables,
  restoreState,
  type StreamName,
  takeState,
  type TrainerState,
} from "./state.ts";
import { createOptimizer, type Optimizer } from "./optimizers.ts";
import { scheduleFactor } from "./schedules.ts";
import { directCritic, directGenerator, directPlayers } from "./direct_grads.ts";
import { updateEma } from "../backend/rust/ema.ts";
import { normalNoise } from "../backend/rust/normal_noise.ts";
import { type Tensor, tfjs } from "../tensor.ts";
import { readScalars } from "./scalars.ts";
import { HEALTH_EVERY, type StepMetrics } from "./step_metrics.ts";

export type { StepMetrics } from "./step_metrics.ts";

/** The global norm of a set of gradients (a scalar tensor, read with the step's other numbers). */
const gradNorm = (grads: Readonly<Record<string, tf.Tensor>>): tf.Tensor =>
  tf.tidy(() => tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g))))));

type Objective = (typeof OBJECTIVES)["least_squares"];
type AnyRegularizer = RegularizerKind<Shape>;
type RegularizerParams = InferShape<Shape>;

/** A penalty's `every` (lazy regularisation; 1 when the regulariser has none). */
const lazyEvery = (params: RegularizerParams): number => (params.every as number | undefined) ?? 1;

/** What {@link Trainer.create} can be given instead of building it from the config. */
export interface TrainerParts {
  /** The real data (default: built from `config.data`). */
  readonly data?: DataSource;
  /** The networks (default: {@link buildPlayers} from the config's seed). */
  readonly players?: Players;
  /**
   * Whether dense-chain players take their gradients without tfjs's tape
   * where that applies (default true; `train/direct_grads.ts`): the same
   * bits, fewer ops. False takes every gradient through `tf.variableGrads`.
   */
  readonly directGrads?: boolean;
}

const mean = (t: tf.Tensor) => tf.mean(t);

/**
 * A GAN being trained. Build it with {@link Trainer.create}; the active tfjs
 * backend must be set first (see `useBackend`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseExperiment, Trainer, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * const { config } = parseExperiment(`name: tiny
 * data: { name: ring8 }
 * train: { steps: 3, batch_size: 8 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * `);
 * const trainer = Trainer.create(config);
 * for await (const m of trainer.run()) assert.ok(Number.isFinite(m["d/loss"]));
 * trainer.dispose();
 * ```
 */
export class Trainer {
  /** Last completed generator step (0 before training). */
  step = 0;
  /** The real data. */
  readonly data: DataSource;
  /** The generator G(z). */
  readonly generator: Network;
  /**
   * The generator evaluations measure: `eval.generator` (`raw`: `generator`; `ema`: its moving
   * average); absent, the moving average when `train.ema` > 0, else `generator`.
   */
  readonly evalGenerator: Network;
  /** The critic D(x), returning raw scores (logits); its input is a pack (`discriminator.packing`). */
  readonly discriminator: Network;
  /** The moving average of `generator` (`train.ema` > 0), or `generator` itself. */
  #ema: Network;
  /** Examples per critic input (`discriminator.packing`, 1 when absent). */
  #m: number;
  #rng: Record<StreamName, Rng>;
  #regularizers: { kind: AnyRegularizer; params: RegularizerParams }[];
  #opt: { generator: Optimizer; discriminator: Optimizer };
  #objective: Objective;
  #objectiveParams: Parameters<Objective["generator"]>[2];
  #directGrads: boolean;

  private constructor(
    readonly config: Experiment,
    data: DataSource,
    players: Players,
    directGrads: boolean,
  ) {
    const seed = config.seed;
    this.data = data;
    this.generator = players.generator;
    this.#ema = players.evalGenerator;
    this.evalGenerator = config.eval.generator === "raw" ? players.generator : this.#ema;
    this.discriminator = players.discriminator;
    this.#m = config.discriminator.packing ?? 1;
    this.#rng = deriveStreams(seed);
    this.#regularizers = config.regularizers.map(({ name, ...params }) => ({
      kind: REGULARIZERS[name] as AnyRegularizer,
      params: params as RegularizerParams,
    }));
    this.#opt = {
      generator: createOptimizer(config.optimizer.generator, this.generator.params),
      discriminator: createOptimizer(config.optimizer.discriminator, this.discriminator.params),
    };
    const { name, ...params } = config.objective;
    this.#objective = OBJECTIVES[name] as Objective;
    this.#objectiveParams = params as Parameters<Objective["generator"]>[2];
    this.#directGrads = directGrads;
  }

  /**
   * A trainer of `config` with its optimisers. The data source and the players
   * are built from `config` unless given (`parts`): a caller that has read the
   * data already (the loader, for its checks) passes it on instead of reading it again.
   */
  static create(config: Experiment, parts: TrainerParts = {}): Trainer {
    const data = parts.data ?? dataSourceOf(config.data);
    const players = parts.players ?? buildPlayers(config, data.shape);
    return new Trainer(config, data, players, parts.directGrads ?? true);
  }

  /** A batch of noise z from `rng`, shape `[n, noise.dim]`. */
  #noise(n: number, rng: Rng): tf.Tensor2D {
    const shape: [number, number] = [n, this.config.noise.dim];
    if (this.config.noise.distribution === "normal") return normalNoise(rng, shape) as tf.Tensor2D;
    return tf.tensor2d(rng.fillUniform(new Float32Array(n * shape[1]), -1, 1), shape);
  }

  /** `n` samples of the evaluation generator (see {@link Trainer.evalGenerator}), row-major. */
  sample(n: number, rng: Rng): Float32Array {
    // tf.tidy walks whatever it returns looking for tensors: return the tensor, not its data.
    const out = tf.tidy(() => tfjs(this.evalGenerator.apply(this.#noise(n, rng), EVAL_MODE)));
    const data = out.dataSync() as Float32Array;
    out.dispose();
    return data;
  }

  /**
   * The divergence the critic's value implies (see the objective's `divergence`),
   * measured on `n` fresh real and generated examples (packs, with packing) from `rng`; undefined for
   * objectives without one. Low-variance where the per-step `d/divergence` is not.
   */
  divergenceEstimate(n: number, rng: Rng): number | undefined {
    const estimate = this.#objective.divergence;
    if (!estimate) return undefined;
    const loss = tf.tidy(() => {
      const real = pack(this.#realBatch(n * this.#m, rng), this.#m);
      const fake = pack(this.#G(this.#noise(n * this.#m, rng), EVAL_MODE), this.#m);
      const value = this.#objective.discriminator(
        this.#D(real, EVAL_MODE),
        this.#D(fake, EVAL_MODE),
        this.#objectiveParams,
      );
      return tfjs(value).dataSync()[0];
    });
    return estimate.fromCriticLoss(loss);
  }

  /**
   * ema = decay ema + (1 - decay) w, for every generator weight. Non-trainable
   * state (batch norm running averages, spectral norm vectors) is copied, not
   * averaged, as StyleGAN2-ADA does with buffers: the running averages are
   * already averages, and the copies make the EMA generator's state a
   * function of the generator's (checkpoints need not hold it).
   */
  #updateEma(): void {
    if (this.config.train.ema === 0) return;
    const decay = this.config.train.ema;
    const variables = (ps: readonly Param[]) => ps.map((p) => tfjs(p.variable));
    updateEma(variables(this.#ema.params), variables(this.generator.params), decay);
    this.#copyEmaState();
  }

  #copyEmaState(): void {
    if (this.#ema === this.generator) return;
    tf.tidy(() =>
      this.generator.state.forEach((s, i) =>
        tfjs(this.#ema.state[i].variable).assign(tf.clone(tfjs(s.variable)))
      )
    );
  }

  /** Both players for a step without tfjs's tape, where that applies (`direct_grads.ts`). */
  #direct() {
    if (!this.#directGrads) return undefined;
    return directPlayers(this.generator, this.discriminator, this.#m);
  }

  /** Training mode: batch statistics, dropout masks from the `dropout` stream. */
  get #training(): ApplyMode {
    return { training: true, rng: this.#rng.dropout };
  }

  #G = (z: tf.Tensor, mode = this.#training): tf.Tensor => tfjs(this.generator.apply(z, mode));
  #D = (x: tf.Tensor, mode = this.#training): tf.Tensor => tfjs(this.discriminator.apply(x, mode));

  #realBatch(n: number, rng = this.#rng.data): tf.Tensor {
    return tf.tensor(this.data.sample(n, rng), [n, ...this.data.shape]);
  }

  /** One critic update; `update` counts critic updates from 0 (lazy penalties use it). */
  async #criticStep(
    update: number,
    health = false,
  ): Promise<{ loss: number; penalty: number; real: number; fake: number; norm?: number }> {
    const batch = this.config.train.batch_size * this.#m;
    const [objective, params] = [this.#objective, this.#objectiveParams];
    const result = tf.tidy(() => {
      // Packs of m (PacGAN): the critic, its loss and its penalties see packed batches.
      const real = pack(this.#realBatch(batch), this.#m);
      const z = this.#noise(batch, this.#rng.noise);
      const logits: tf.Tensor[] = [];
      const parts: tf.Tensor[] = [];
      let scores: tf.Tensor | undefined;
      const due = this.#regularizers.filter((r) =>
        r.kind.penalty && update % lazyEvery(r.params) === 0
      );
      const direct = due.length === 0 ? this.#direct() : undefined;
      let grads: Record<string, tf.Tensor>;
      if (direct) {
        const d = directCritic(direct, real, z, objective, params);
        [grads, scores] = [d.grads, d.scores];
        logits.push(...(d.logits ?? []));
        parts.push(d.loss);
      } else {
        const fake = pack(this.#G(z), this.#m);
        const vars = this.discriminator.params.map((p) => tfjs(p.variable));
        const critic = (x: Tensor) => this.#D(tfjs(x));
        const ctx = { critic, real, fake, rng: this.#rng.penalty };
        ({ grads } = tf.variableGrads(() => {
          logits.push(tf.keep(this.#D(real)), tf.keep(this.#D(fake)));
          const loss = tfjs(objective.discriminator(logits[0], logits[1], params));
          const penalties = due.map((r) =>
            tf.mul(lazyEvery(r.params), tfjs(r.kind.penalty!(ctx, r.params)))
          );
          const penalty = penalties.length ? tf.addN(penalties) : tf.scalar(0);
          parts.push(tf.keep(loss), tf.keep(penalty));
          return tf.add(loss, penalty) as tf.Scalar;
        }, vars));
      }
      const norm = health ? gradNorm(grads) : undefined;
      this.#opt.discriminator.apply(grads, scheduleFactor(this.config.train, this.step));
      // The mean scores of both batches, [real, fake].
      scores ??= tf.stack(logits.map((l) => mean(tfjs(objective.score(l)))));
      tf.dispose(logits);
      return { loss: parts[0], penalty: parts[1], scores, norm };
    });
    for (const r of this.#regularizers) r.kind.afterCriticUpdate?.(this.discriminator, r.params);
    const { scores, ...reads } = result;
    const read = await readScalars({ ...reads, real: [scores, 0], fake: [scores, 1] });
    const { norm, penalty, ...numbers } = read;
    return { ...numbers, penalty: penalty ?? 0, ...(health ? { norm } : {}) };
  }

  async #generatorStep(health = false): Promise<{ loss: number; norm?: number }> {
    const batch = this.config.train.batch_size * this.#m;
    const result = tf.tidy(() => {
      const z = this.#noise(batch, this.#rng.noise);
      // Relativistic losses compare with real logits; others never draw a real batch here.
      const real = this.#objective.generatorUsesReal
        ? pack(this.#realBatch(batch), this.#m)
        : undefined;
      const [objective, params] = [this.#objective, this.#objectiveParams];
      const loss = (fake: tf.Tensor, realLogits: tf.Tensor) =>
        tfjs(objective.generator(fake, realLogits, params)) as tf.Scalar;
      const direct = this.#direct();
      let value: tf.Tensor, grads: Record<string, tf.Tensor>;
      if (direct) {
        const realLogits = real && this.#D(real);
        ({ loss: value, grads } = directGenerator(direct, z, objective, params, realLogits));
      } else {
        const vars = this.generator.params.map((p) => tfjs(p.variable));
        ({ value, grads } = tf.variableGrads(() => {
          const fake = this.#D(pack(this.#G(z), this.#m));
          return loss(fake, real ? this.#D(real) : fake);
        }, vars));
      }
      const norm = health ? gradNorm(grads) : undefined;
      this.#opt.generator.apply(grads, scheduleFactor(this.config.train, this.step));
      return { loss: value, norm };
    });
    const { norm, loss } = await readScalars(result);
    return { loss, ...(health ? { norm } : {}) };
  }

  /** Trains from the current step to `until` (default: `train.steps`), yielding each step's metrics. */
  async *run(until = this.config.train.steps): AsyncGenerator<StepMetrics> {
    while (this.step < until) {
      const every = this.config.eval.health_every ?? HEALTH_EVERY;
      const health = every > 0 && (this.step + 1) % every === 0;
      let critic: { loss: number; penalty: number; real: number; fake: number; norm?: number } = {
        loss: NaN,
        penalty: 0,
        real: NaN,
        fake: NaN,
      };
      const criticSteps = this.config.train.discriminator_steps;
      for (let k = 0; k < criticSteps; k++) {
        critic = await this.#criticStep(
          this.step * criticSteps + k,
          health && k === criticSteps - 1,
        );
      }
      let gLoss: number | undefined, gNorm: number | undefined;
      const generatorSteps = this.config.train.generator_steps;
      for (let k = 0; k < generatorSteps; k++) {
        ({ loss: gLoss, norm: gNorm } = await this.#generatorStep(
          health && k === generatorSteps - 1,
        ));
        this.#updateEma();
      }
      this.step++;
      yield {
        step: this.step,
        "d/loss": critic.loss + critic.penalty,
        ...(gLoss === undefined ? {} : { "g/loss": gLoss }),
        "d/real_score": critic.real,
        "d/fake_score": critic.fake,
        ...(this.#regularizers.some((r) => r.kind.penalty) ? { "d/penalty": critic.penalty } : {}),
        ...(this.#objective.divergence
          ? { "d/divergence": this.#objective.divergence.fromCriticLoss(critic.loss) }
          : {}),
        ...(critic.norm === undefined ? {} : { "d/grad_norm": critic.norm }),
        ...(gNorm === undefined ? {} : { "g/grad_norm": gNorm }),
      };
      await Promise.resolve();
    }
  }

  #named(): [string, tf.Variable][] {
    return namedVariables({
      generator: this.generator.params,
      discriminator: this.discriminator.params,
      "generator.state": this.generator.state,
      "discriminator.state": this.discriminator.state,
      ema: this.#ema !== this.generator ? this.#ema.params : [],
      "optimizer.generator": this.#opt.generator.slots,
      "optimizer.discriminator": this.#opt.discriminator.slots,
    });
  }

  /**
   * Every tensor the trainer owns (players, their state, the EMA generator,
   * the optimisers' slots): what `enterHost` reads back before evaluation and
   * checkpoints on webgpu.
   */
  tensors(): Tensor[] {
    const own: Tensor[] = this.#named().map(([, v]) => v);
    const copied = this.evalGenerator !== this.generator ? this.evalGenerator.state : [];
    return [...own, ...copied.map((p) => p.variable)];
  }

  /** A copy of the whole state, for a checkpoint. */
  state(): TrainerState {
    return takeState(this.step, this.#rng, this.#named());
  }

  /** Continues from `state` exactly; throws if it belongs to a different architecture. */
  load(state: TrainerState): void {
    this.#rng = restoreState(state, this.#named(), deriveStreams(this.config.seed));
    this.#copyEmaState();
    this.step = state.step;
  }

  /** Frees every tensor the trainer owns (the EMA generator's copied state too). */
  dispose(): void {
    for (const [, v] of this.#named()) v.dispose();
    if (this.#ema !== this.generator) {
      for (const p of this.#ema.state) tfjs(p.variable).dispose();
    }
  }
}
