/**
 * What every data set gives the trainer and the metrics.
 * @module
 */
import type { Rng } from "../rng.ts";
import type { Component } from "./toy.ts";

/** A mode of a data set with known structure: a centre and a per-axis spread. */
export interface Mode {
  /** The mode's centre. */
  readonly centre: readonly number[];
  /** Its standard deviation along each axis. */
  readonly std: readonly number[];
}

/**
 * A fixed set of examples held in memory: `n` examples row-major
 * `[n, ...shape]` (images: `[n, h, w, c]`, values in [-1, 1]), with one
 * class label per example when the set has labels (MNIST: the digit).
 */
export interface ExampleSet {
  /** The examples, row-major `[n, ...shape]`. */
  readonly images: Float32Array;
  /** One label per example, when the data set has labels. */
  readonly labels?: Uint8Array;
  /** How many examples. */
  readonly n: number;
}

/** A source of real examples. */
export interface DataSource {
  /** Shape of one example (toy sets: `[d]`; images: `[h, w, c]`). */
  readonly shape: readonly number[];
  /** Draws `n` examples, row-major `[n, ...shape]`, from `rng` (file sets: from `train`). */
  sample(n: number, rng: Rng): Float32Array;
  /** Known modes, when the set has them (enables the mode metrics). */
  readonly modes?: readonly Mode[];
  /**
   * The Gaussian components when the set is a known mixture: its exact
   * density, the ground truth divergences are measured against.
   */
  readonly components?: readonly Component[];
  /** The training split of a finite data set (MNIST, an image folder); `sample` draws from it. */
  readonly train?: ExampleSet;
  /** The held-out split of a finite data set, never trained on; absent when it has none. */
  readonly heldOut?: ExampleSet;
  /** SHA-256 (hex) of which examples are in which split; present with `train`. */
  readonly splitHash?: string;
}
