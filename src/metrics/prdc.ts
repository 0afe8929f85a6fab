/**
 * k-NN manifold metrics on feature vectors (REFERENCE.md §5):
 * improved precision and recall (Kynkaanniemi et al. 2019, k = 3) and
 * density and coverage (Naeem et al. 2020, k = 5). Each point owns a ball
 * whose radius is the distance to its k-th nearest neighbour in its own set.
 *
 * - precision: share of fake points inside at least one real ball;
 * - recall: share of real points inside at least one fake ball;
 * - density: `(1 / (k M)) sum_j #{real balls containing fake j}`;
 * - coverage: share of real balls that contain at least one fake point.
 *
 * "Inside" is strict (`distance < radius`), as in the authors' code. Exact
 * brute-force neighbours; the real side ({@link prdcReference}) is computed
 * once and reused across evaluations.
 *
 * Expected values when real and fake are i.i.d. from one continuous
 * distribution (N real, M fake points; exchangeability arguments): density
 * has expectation exactly 1; coverage `1 - prod_{i<k} (N-1-i)/(N-1+M-i)`,
 * about `1 - 2^-k` for M = N; precision and recall have no closed form and
 * lie below 1 for finite samples (they grow with k and fall with the
 * dimension; see tests/prdc_test.ts for measured values).
 * @module
 */
import { kthNeighbourSquaredDistances, squaredDistanceBlocks } from "./distances.ts";

/** The four k-NN metrics, each in [0, 1] except density (in [0, N/k]). */
export interface Prdc {
  /** Share of fake points inside the union of real k-NN balls (k = kPR). */
  readonly precision: number;
  /** Share of real points inside the union of fake k-NN balls (k = kPR). */
  readonly recall: number;
  /** Real balls (k = kDC) holding each fake point, averaged and divided by kDC. */
  readonly density: number;
  /** Share of real balls (k = kDC) holding at least one fake point. */
  readonly coverage: number;
}

/** Neighbourhood sizes for {@link prdc}. */
export interface PrdcOptions {
  /** k for precision and recall (default 3, Kynkaanniemi et al.). */
  readonly kPR?: number;
  /** k for density and coverage (default 5, Naeem et al.). */
  readonly kDC?: number;
}

/** The real side of {@link prdc}: features and their squared k-NN radii. */
export interface PrdcReference {
  /** Feature dimension. */
  readonly dim: number;
  /** Row-major real feature vectors. */
  readonly features: Float32Array;
  /** k for precision and recall. */
  readonly kPR: number;
  /** k for density and coverage. */
  readonly kDC: number;
  /** Squared distance of each real point to its kPR-th real neighbour. */
  readonly radiusPR: Float32Array;
  /** Squared distance of each real point to its kDC-th real neighbour. */
  readonly radiusDC: Float32Array;
}

/**
 * Precomputes the real balls for {@link prdc}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prdcReference } from "../../mod.ts";
 * const ref = prdcReference(new Float32Array([0, 1, 2, 3, 4, 5, 6]), 1);
 * assert.deepEqual([...ref.radiusPR], [9, 4, 4, 4, 4, 4, 9]); // 3rd neighbour, squared
 * ```
 */
export function prdcReference(
  real: Float32Array,
  dim: number,
  options: PrdcOptions = {},
): PrdcReference {
  const kPR = options.kPR ?? 3, kDC = options.kDC ?? 5;
  const [radiusPR, radiusDC] = kthNeighbourSquaredDistances(real, dim, [kPR, kDC]);
  return { dim, features: real, kPR, kDC, radiusPR, radiusDC };
}

/**
 * Precision, recall, density and coverage of `fake` feature vectors against
 * a real reference. Cost: one fake-fake and one real-fake distance pass.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prdc, prdcReference, Rng } from "../../mod.ts";
 * const real = Rng.derive(0, "real").fillNormal(new Float32Array(2000), 0, 1);
 * const far = Rng.derive(0, "fake").fillNormal(new Float32Array(2000), 100, 1);
 * const m = prdc(prdcReference(real, 2), far);
 * assert.deepEqual(m, { precision: 0, recall: 0, density: 0, coverage: 0 });
 * ```
 */
export function prdc(reference: PrdcReference, fake: Float32Array): Prdc {
  const { dim, features: real, kPR, kDC, radiusPR, radiusDC } = reference;
  const n = real.length / dim, m = fake.length / dim;
  const [fakeRadius] = kthNeighbourSquaredDistances(fake, dim, [kPR]);
  const fakeInReal = new Uint8Array(m); // fake j inside some real kPR-ball
  const realInFake = new Uint8Array(n); // real i inside some fake kPR-ball
  const realCovered = new Uint8Array(n); // real kDC-ball i contains some fake
  let densityCount = 0;
  squaredDistanceBlocks(real, fake, dim, (start, rows, block) => {
    for (let r = 0; r < rows; r++) {
      const i = start + r, rPR = radiusPR[i], rDC = radiusDC[i], row = r * m;
      let inFake = 0, covered = 0;
      for (let j = 0; j < m; j++) {
        const d = block[row + j];
        if (d < rPR) fakeInReal[j] = 1;
        if (d < rDC) {
          densityCount++;
          covered = 1;
        }
        if (d < fakeRadius[j]) inFake = 1;
      }
      realInFake[i] = inFake;
      realCovered[i] = covered;
    }
  });
  const share = (flags: Uint8Array) => flags.reduce((s, f) => s + f, 0) / flags.length;
  return {
    precision: share(fakeInReal),
    recall: share(realInFake),
    density: densityCount / (kDC * m),
    coverage: share(realCovered),
  };
}

/**
 * {@link prdc} from raw real and fake feature sets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prdcOf } from "../../mod.ts";
 * const x = new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]);
 * assert.ok(prdcOf(x, x, 1).precision === 1);
 * ```
 */
export function prdcOf(
  real: Float32Array,
  fake: Float32Array,
  dim: number,
  options: PrdcOptions = {},
): Prdc {
  return prdc(prdcReference(real, dim, options), fake);
}
