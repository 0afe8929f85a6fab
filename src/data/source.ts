/**
 * What every data set gives the trainer and the metrics.
 * @module
 */
import type { Rng } from "../rng.ts";

/** A mode of a data set with known structure: a centre and a per-axis spread. */
export interface Mode {
  /** The mode's centre. */
  readonly centre: readonly number[];
  /** Its standard deviation along each axis. */
  readonly std: readonly number[];
}

/** A source of real examples. */
export interface DataSource {
  /** Shape of one example (toy sets: `[d]`). */
  readonly shape: readonly number[];
  /** Draws `n` examples, row-major `[n, ...shape]`, from `rng`. */
  sample(n: number, rng: Rng): Float32Array;
  /** Known modes, when the set has them (enables the mode metrics). */
  readonly modes?: readonly Mode[];
}
