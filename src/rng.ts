/**
 * Explicit, seedable, serialisable randomness. One root seed; named streams
 * are derived from it, so adding a stream never shifts another one.
 *
 * The generator is sfc32 (Chris Doty-Humphrey's small fast chaotic PRNG,
 * 128-bit state), seeded through a string hash of `root/name`.
 * @module
 */

/** The four 32-bit words of an {@link Rng}'s state; plain data, JSON-safe. */
export type RngState = readonly [number, number, number, number];

/** Mixes a string into a 32-bit hash (FNV-1a followed by a murmur3 finaliser). */
function hash32(text: string, salt: number): number {
  let h = (0x811c9dc5 ^ salt) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A deterministic random stream with Float32-friendly samplers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "../mod.ts";
 * const a = Rng.derive(42, "noise");
 * const b = Rng.fromState(a.state());
 * assert.ok(a.uniform() === b.uniform());
 * ```
 */
export class Rng {
  #s: [number, number, number, number];

  private constructor(state: RngState) {
    this.#s = [state[0] >>> 0, state[1] >>> 0, state[2] >>> 0, state[3] >>> 0];
  }

  /** The stream called `name` under the root seed `root`. */
  static derive(root: number, name: string): Rng {
    const key = `${root}/${name}`;
    const rng = new Rng([hash32(key, 1), hash32(key, 2), hash32(key, 3), 1]);
    for (let i = 0; i < 12; i++) rng.nextU32();
    return rng;
  }

  /** A stream that continues exactly where `state` was taken. */
  static fromState(state: RngState): Rng {
    return new Rng(state);
  }

  /** A copy of the current state, for checkpoints. */
  state(): RngState {
    return [...this.#s];
  }

  /** The next 32 random bits as an unsigned integer. */
  nextU32(): number {
    const s = this.#s;
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0;
    s[3] = (s[3] + 1) >>> 0;
    s[0] = s[1] ^ (s[1] >>> 9);
    s[1] = (s[2] + (s[2] << 3)) >>> 0;
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0;
    s[2] = (s[2] + t) >>> 0;
    return t;
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /**
   * Fills `out` with independent N(mean, std^2) draws (Box-Muller, no cached
   * spare): per pair of values two draws, `u1 = 1 - uniform()`, `u2 = uniform()`,
   * then {@link boxMullerPair}.
   */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i += 2) {
      boxMullerPair(out, i, this.nextU32(), this.nextU32(), mean, std);
    }
    return out;
  }

  /** Fills `out` with the next `out.length` values of {@link nextU32}, in order. */
  fillU32(out: Uint32Array): Uint32Array {
    // nextU32's steps on the state in locals (the same integers; no array access per draw).
    const s = this.#s;
    let [a, b, c, d] = s;
    for (let i = 0; i < out.length; i++) {
      const t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = ((c << 21) | (c >>> 11)) >>> 0;
      c = (c + t) >>> 0;
      out[i] = t;
    }
    [s[0], s[1], s[2], s[3]] = [a, b, c, d];
    return out;
  }

  /** Fills `out` with independent U[lo, hi) draws. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo = 0, hi = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }
}

/**
 * Values `i` and `i + 1` (where `out` has it) of a Box-Muller draw from the
 * two 32-bit draws `a`, `b` ({@link Rng.nextU32}): `u1 = 1 - a / 2^32` (in
 * (0, 1], so the log is finite), `u2 = b / 2^32`, `r = sqrt(-2 ln u1)`, then
 * `mean + std r cos(2π u2)` and `mean + std r sin(2π u2)`. In float64, as
 * {@link Rng.fillNormal} computes them, so that any caller that has the same
 * draws gets the same values (a kernel thread among them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { boxMullerPair, Rng } from "../mod.ts";
 * const out = new Float32Array(2);
 * const raw = Rng.derive(1, "z").fillU32(new Uint32Array(2));
 * boxMullerPair(out, 0, raw[0], raw[1], 0, 1);
 * assert.deepEqual(out, Rng.derive(1, "z").fillNormal(new Float32Array(2)));
 * ```
 */
export function boxMullerPair(
  out: Float32Array | Float64Array,
  i: number,
  a: number,
  b: number,
  mean: number,
  std: number,
): void {
  const u1 = 1 - a / 4294967296;
  const u2 = b / 4294967296;
  const r = Math.sqrt(-2 * Math.log(u1));
  out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
  if (i + 1 < out.length) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
}
