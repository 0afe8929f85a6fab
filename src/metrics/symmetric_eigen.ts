/**
 * Eigen-decomposition of a real symmetric matrix in float64, by the cyclic
 * Jacobi method (Rutishauser's formulation, as in Numerical Recipes
 * `jacobi`): rotations zero each off-diagonal element in turn until the
 * off-diagonal mass vanishes. Slower than tridiagonal QR (about 6 d^3
 * flops per sweep, 6-10 sweeps) but simple and accurate to a few ulps even
 * for tiny eigenvalues; d = 128 takes a few tens of milliseconds.
 * @module
 */

/** Eigenvalues and orthonormal eigenvectors of a symmetric matrix. */
export interface SymmetricEigen {
  /** The eigenvalues, ascending. */
  readonly values: Float64Array;
  /** Row-major `[d, d]`; column j is the unit eigenvector of `values[j]`. */
  readonly vectors: Float64Array;
}

/**
 * Eigenvalues (ascending) and eigenvectors of the symmetric row-major
 * `[d, d]` matrix `a` (only symmetric input is meaningful; `a` is not
 * modified).
 */
export function symmetricEigen(a: ArrayLike<number>, d: number): SymmetricEigen {
  if (a.length !== d * d) {
    throw new Error(`symmetricEigen: expected ${d * d} entries, got ${a.length}`);
  }
  const m = Float64Array.from(a);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  const diag = new Float64Array(d), b = new Float64Array(d), z = new Float64Array(d);
  for (let i = 0; i < d; i++) diag[i] = b[i] = m[i * d + i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d - 1; p++) for (let q = p + 1; q < d; q++) off += Math.abs(m[p * d + q]);
    if (off === 0) break;
    const thresh = sweep < 3 ? (0.2 * off) / (d * d) : 0;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = m[p * d + q];
        const g = 100 * Math.abs(apq);
        if (
          sweep > 3 && Math.abs(diag[p]) + g === Math.abs(diag[p]) &&
          Math.abs(diag[q]) + g === Math.abs(diag[q])
        ) {
          m[p * d + q] = 0;
          continue;
        }
        if (Math.abs(apq) <= thresh) continue;
        const h = diag[q] - diag[p];
        let t: number;
        if (Math.abs(h) + g === Math.abs(h)) {
          t = apq / h;
        } else {
          const theta = (0.5 * h) / apq;
          t = 1 / (Math.abs(theta) + Math.sqrt(1 + theta * theta));
          if (theta < 0) t = -t;
        }
        const c = 1 / Math.sqrt(1 + t * t), s = t * c, tau = s / (1 + c);
        const dh = t * apq;
        z[p] -= dh;
        z[q] += dh;
        diag[p] -= dh;
        diag[q] += dh;
        m[p * d + q] = 0;
        // Rotate the upper triangle: rows/columns p and q.
        for (let j = 0; j < p; j++) rotate(m, j * d + p, j * d + q, s, tau);
        for (let j = p + 1; j < q; j++) rotate(m, p * d + j, j * d + q, s, tau);
        for (let j = q + 1; j < d; j++) rotate(m, p * d + j, q * d + j, s, tau);
        for (let j = 0; j < d; j++) rotate(v, j * d + p, j * d + q, s, tau);
      }
    }
    for (let p = 0; p < d; p++) {
      b[p] += z[p];
      diag[p] = b[p];
      z[p] = 0;
    }
  }
  const order = Array.from({ length: d }, (_, i) => i).sort((i, j) => diag[i] - diag[j]);
  const values = Float64Array.from(order, (i) => diag[i]);
  const vectors = new Float64Array(d * d);
  for (let r = 0; r < d; r++) {
    for (let c = 0; c < d; c++) vectors[r * d + c] = v[r * d + order[c]];
  }
  return { values, vectors };
}

function rotate(m: Float64Array, i: number, j: number, s: number, tau: number): void {
  const g = m[i], h = m[j];
  m[i] = g - s * (h + g * tau);
  m[j] = h + s * (g - h * tau);
}

/**
 * `V f(L) V^T` for a symmetric matrix with eigen-decomposition `V L V^T`,
 * e.g. the matrix square root with `f = (x) => Math.sqrt(Math.max(x, 0))`.
 */
export function matrixFunction(eigen: SymmetricEigen, f: (x: number) => number): Float64Array {
  const d = eigen.values.length, v = eigen.vectors;
  const fl = eigen.values.map(f);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += v[i * d + k] * fl[k] * v[j * d + k];
      out[i * d + j] = out[j * d + i] = s;
    }
  }
  return out;
}
