/**
 * The learning-rate schedule table: a factor on both players' learning rates
 * as a function of training progress, chosen by `train.lr_schedule` in an
 * experiment file. The factor depends on the step only, so a resumed run
 * continues the same schedule.
 * @module
 */
import type { Experiment } from "../config/schema.ts";
import { type Field, type InferShape, num, type Shape } from "../fields.ts";

/** One record of the schedule table. */
export interface ScheduleKind<S extends Shape> {
  /** One line for the README reference. */
  readonly doc: string;
  /** Keys besides `name`. */
  readonly params: S;
  /** The learning-rate factor at `progress` = step / train.steps, in [0, 1). */
  factor(progress: number, p: InferShape<S>): number;
}

function defineSchedule<S extends Shape>(kind: ScheduleKind<S>): ScheduleKind<S> {
  return kind;
}

const decayParams = {
  start: num("fraction of train.steps after which the decay begins", {
    min: 0,
    lt: 1,
    default: 0,
  }),
  end: num("factor reached at the last step", { min: 0, max: 1, default: 0 }),
};

/** Where `progress` lies in the decay window `[start, 1]`, clamped to [0, 1]. */
const within = (progress: number, start: number) =>
  Math.min(1, Math.max(0, (progress - start) / (1 - start)));

/** The type of {@link SCHEDULES}: each schedule with its keys (a new entry is listed here too). */
export type Schedules = {
  readonly constant: ScheduleKind<Record<never, never>>;
  readonly linear: ScheduleKind<{ start: Field<number>; end: Field<number> }>;
  readonly cosine: ScheduleKind<{ start: Field<number>; end: Field<number> }>;
};

/**
 * Every schedule, by the name used in experiment files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCHEDULES } from "../../mod.ts";
 * // Linear decay over the last half of training, to 0.
 * const p = { start: 0.5, end: 0 };
 * assert.equal(SCHEDULES.linear.factor(0.25, p), 1);
 * assert.equal(SCHEDULES.linear.factor(0.75, p), 0.5);
 * assert.equal(SCHEDULES.constant.factor(0.75, {}), 1);
 * ```
 */
export const SCHEDULES: Schedules = {
  constant: defineSchedule({
    doc: "the configured learning rates throughout",
    params: {},
    factor: () => 1,
  }),
  linear: defineSchedule({
    doc: "constant until `start`, then linear to `end` times the configured rate at the last step",
    params: decayParams,
    factor: (progress, p) => 1 + (p.end - 1) * within(progress, p.start),
  }),
  cosine: defineSchedule({
    doc: "constant until `start`, then half a cosine down to `end` times the configured rate",
    params: decayParams,
    factor: (progress, p) =>
      p.end + (1 - p.end) * 0.5 * (1 + Math.cos(Math.PI * within(progress, p.start))),
  }),
};

/** The name of a schedule, as `train.lr_schedule.name` in experiment files. */
export type ScheduleName = keyof Schedules;

type AnySchedule = (typeof SCHEDULES)["linear"];

/**
 * The learning-rate factor of `train.lr_schedule` at generator step `step` (from 0).
 *
 * Inside Duel it is used as `optimizer.apply(grads, scheduleFactor(config.train, step))`.
 */
export function scheduleFactor(train: Experiment["train"], step: number): number {
  const { name, ...p } = train.lr_schedule;
  const kind = SCHEDULES[name] as AnySchedule;
  return kind.factor(step / train.steps, p as Parameters<AnySchedule["factor"]>[1]);
}
