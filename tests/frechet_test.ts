import assert from "node:assert/strict";
import { frechetDistance, frechetDistanceOf, gaussianStats } from "../src/metrics/frechet.ts";
import { matrixFunction, symmetricEigen } from "../src/metrics/symmetric_eigen.ts";
import { Rng } from "../src/rng.ts";

/** A random orthogonal `[d, d]` matrix (Gram-Schmidt on Gaussian columns). */
function randomRotation(d: number, rng: Rng): Float64Array {
  const q = rng.fillNormal(new Float64Array(d * d));
  for (let c = 0; c < d; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += q[r * d + c] * q[r * d + p];
      for (let r = 0; r < d; r++) q[r * d + c] -= dot * q[r * d + p];
    }
    let norm = 0;
    for (let r = 0; r < d; r++) norm += q[r * d + c] ** 2;
    for (let r = 0; r < d; r++) q[r * d + c] /= Math.sqrt(norm);
  }
  return q;
}

/** Q diag(values) Q^T. */
function compose(q: Float64Array, values: number[]): Float64Array {
  const d = values.length, out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += q[i * d + k] * values[k] * q[j * d + k];
      out[i * d + j] = s;
    }
  }
  return out;
}

const stats = (mean: number[], cov: Float64Array | number[]) => ({
  dim: mean.length,
  count: 2,
  mean: Float64Array.from(mean),
  cov: Float64Array.from(cov),
});

/** n draws from N(mean, L L^T), L the lower Cholesky factor of cov. */
function sampleGaussian(mean: number[], cov: Float64Array, n: number, rng: Rng): Float64Array {
  const d = mean.length, l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = cov[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      l[i * d + j] = i === j ? Math.sqrt(s) : s / l[j * d + j];
    }
  }
  const z = rng.fillNormal(new Float64Array(n * d)), out = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < d; i++) {
      let s = mean[i];
      for (let k = 0; k <= i; k++) s += l[i * d + k] * z[r * d + k];
      out[r * d + i] = s;
    }
  }
  return out;
}

Deno.test("symmetricEigen reconstructs a random symmetric matrix with orthonormal vectors", () => {
  const d = 40, rng = Rng.derive(0, "eig");
  const g = rng.fillNormal(new Float64Array(d * d));
  const a = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) a[i * d + j] = g[i * d + j] + g[j * d + i];
  }
  const eig = symmetricEigen(a, d);
  const back = matrixFunction(eig, (x) => x);
  let err = 0, orth = 0;
  for (let i = 0; i < d * d; i++) err = Math.max(err, Math.abs(back[i] - a[i]));
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += eig.vectors[k * d + i] * eig.vectors[k * d + j];
      orth = Math.max(orth, Math.abs(dot - (i === j ? 1 : 0)));
    }
  }
  assert.ok(err < 1e-12, `reconstruction error ${err}`);
  assert.ok(orth < 1e-12, `orthogonality error ${orth}`);
  for (let i = 1; i < d; i++) assert.ok(eig.values[i - 1] <= eig.values[i]);
});

Deno.test("symmetricEigen recovers eigenvalues spanning 12 orders of magnitude", () => {
  const d = 8, values = [1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1, 10, 100];
  const a = compose(randomRotation(d, Rng.derive(1, "rot")), values);
  const eig = symmetricEigen(a, d);
  // Absolute accuracy is relative to the largest eigenvalue (100).
  values.forEach((v, i) => assert.ok(Math.abs(eig.values[i] - v) < 1e-12 * 100, `${i}`));
});

Deno.test("FD of a set with itself is 0", () => {
  const rng = Rng.derive(2, "self"), d = 32;
  // Correlated features: x = z A with a random A.
  const z = rng.fillNormal(new Float64Array(500 * d)), a = rng.fillNormal(new Float64Array(d * d));
  const x = new Float64Array(500 * d);
  for (let r = 0; r < 500; r++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += z[r * d + k] * a[k * d + j];
      x[r * d + j] = s;
    }
  }
  const s = gaussianStats(x, d);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += s.cov[i * d + i];
  const fd = frechetDistance(s, s);
  assert.ok(fd <= 1e-9 * trace, `FD ${fd} vs trace ${trace}`);
  // Singular covariance (fewer vectors than dimensions): still 0, no NaN.
  const few = gaussianStats(x.subarray(0, 10 * d), d);
  const fdFew = frechetDistance(few, few);
  assert.ok(Number.isFinite(fdFew) && fdFew <= 1e-9 * trace, `rank-deficient FD ${fdFew}`);
});

Deno.test("FD of diagonal Gaussians is |mu1 - mu2|^2 + sum (sqrt a - sqrt b)^2", () => {
  const a = [0.5, 1, 2, 3], b = [2, 1, 0.1, 7];
  const diag = (v: number[]) => {
    const m = new Float64Array(v.length * v.length);
    v.forEach((x, i) => m[i * v.length + i] = x);
    return m;
  };
  const expected = 1 + 4 + a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2, 0);
  const fd = frechetDistance(stats([1, 0, 0, 0], diag(a)), stats([0, 2, 0, 0], diag(b)));
  assert.ok(Math.abs(fd - expected) < 1e-12, `${fd} vs ${expected}`);
});

Deno.test("FD of commuting non-diagonal covariances (a shared random rotation)", () => {
  const d = 12, q = randomRotation(d, Rng.derive(3, "rot"));
  const a = Array.from({ length: d }, (_, i) => 0.1 + i),
    b = Array.from({ length: d }, (_, i) => 5 / (1 + i));
  const expected = a.reduce((s, ai, i) => s + (Math.sqrt(ai) - Math.sqrt(b[i])) ** 2, 0);
  const zero = new Array(d).fill(0);
  const fd = frechetDistance(stats(zero, compose(q, a)), stats(zero, compose(q, b)));
  assert.ok(Math.abs(fd - expected) < 1e-10, `${fd} vs ${expected}`);
});

Deno.test("FD of non-commuting 2x2 covariances matches the 2x2 closed form", () => {
  // For 2x2 M with non-negative eigenvalues, Tr sqrt(M) = sqrt(Tr M + 2 sqrt(det M)).
  const s1 = [2, 0.7, 0.7, 1], s2 = [0.5, -0.3, -0.3, 3];
  const tr12 = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
  const det = (s: number[]) => s[0] * s[3] - s[1] * s[2];
  const trSqrt = Math.sqrt(tr12 + 2 * Math.sqrt(det(s1) * det(s2)));
  const expected = 1 + 0.25 + s1[0] + s1[3] + s2[0] + s2[3] - 2 * trSqrt;
  const fd = frechetDistance(stats([1, 0.5], s1), stats([0, 0], s2));
  assert.ok(Math.abs(fd - expected) < 1e-12, `${fd} vs ${expected}`);
});

Deno.test("sample-based FD converges to the population FD", () => {
  const d = 3, q = randomRotation(d, Rng.derive(4, "rot"));
  const c1 = compose(q, [1, 0.5, 2]);
  const c2 = new Float64Array([1.5, 0.4, 0, 0.4, 1, -0.2, 0, -0.2, 0.8]);
  const m1 = [0, 0, 0], m2 = [0.5, -0.5, 0];
  const population = frechetDistance(stats(m1, c1), stats(m2, c2));
  const errors = [500, 50000].map((n) => {
    const x = sampleGaussian(m1, c1, n, Rng.derive(5, `x${n}`));
    const y = sampleGaussian(m2, c2, n, Rng.derive(5, `y${n}`));
    return Math.abs(frechetDistanceOf(x, y, d) - population);
  });
  // Population FD 1.06; measured errors 0.15 at n = 500 and 0.0006 at n = 50,000 (the bias
  // of the estimator is O(d/n), its spread O(1/sqrt(n)) ~ 0.01 at n = 50,000).
  assert.ok(errors[1] < 0.02, `error ${errors[1]} at n=50000 (FD ${population})`);
  assert.ok(errors[1] < errors[0], `errors ${errors}`);
});

Deno.test("gaussianStats normalises by N - 1 and rejects a single vector", () => {
  const s = gaussianStats([1, 3], 1);
  assert.equal(s.cov[0], 2);
  assert.throws(() => gaussianStats([1], 1), /at least 2 vectors/);
});
