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

  /** Fills `out` with independent N(mean, std^2) draws (Box-Muller, no cached spare). */
  fillNormal<T extends Float32Array | Float64Array>(out: T, mean = 0, std = 1): T {
    for (let i = 0; i < out.length; i += 2) {
      const u1 = 1 - this.uniform(); // (0, 1]: log is finite
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < out.length) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** Fills `out` with independent U[lo, hi) draws. */
  fillUniform<T extends Float32Array | Float64Array>(out: T, lo = 0, hi = 1): T {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
    return out;
  }
}
