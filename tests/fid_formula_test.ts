/**
 * Duel's Fréchet distance on fixed feature sets equals pytorch-fid's formula
 * (`calculate_activation_statistics` + `calculate_frechet_distance`: NumPy mean and
 * covariance, scipy.linalg.sqrtm of the covariance product) to 1e-4 relative. Needs Debian's
 * python3-scipy (`.ci/run` installs it); without it the test fails rather than skips.
 */
import assert from "node:assert/strict";
import { frechetDistanceOf } from "../src/metrics/frechet.ts";
import { Rng } from "../src/rng.ts";

/** pytorch-fid's statistics and distance, verbatim but for file reading (v0.3.0, fid_score.py). */
const PYTORCH_FID = `
import sys, json, numpy as np
from scipy import linalg
def calculate_frechet_distance(mu1, sigma1, mu2, sigma2, eps=1e-6):
    mu1 = np.atleast_1d(mu1); mu2 = np.atleast_1d(mu2)
    sigma1 = np.atleast_2d(sigma1); sigma2 = np.atleast_2d(sigma2)
    diff = mu1 - mu2
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    if not np.isfinite(covmean).all():
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = linalg.sqrtm((sigma1 + offset).dot(sigma2 + offset))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise ValueError("Imaginary component {}".format(np.max(np.abs(covmean.imag))))
        covmean = covmean.real
    tr_covmean = np.trace(covmean)
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean
out = []
for a, b, d in json.loads(sys.argv[1]):
    x = np.fromfile(a, dtype=np.float32).reshape(-1, d)
    y = np.fromfile(b, dtype=np.float32).reshape(-1, d)
    out.append(float(calculate_frechet_distance(np.mean(x, axis=0), np.cov(x, rowvar=False),
                                                np.mean(y, axis=0), np.cov(y, rowvar=False))))
print(json.dumps(out))
`;

/** `n` correlated, non-negative features of dimension `d` (like pool features): relu(z A + shift). */
function features(n: number, d: number, name: string, shift = 0, scale = 1): Float32Array {
  const k = Math.ceil(d / 2), rng = Rng.derive(7, `fid/${name}`);
  const a = Rng.derive(7, "fid/mix").fillNormal(new Float64Array(k * d));
  const z = rng.fillNormal(new Float64Array(n * k)), out = new Float32Array(n * d);
  const noise = rng.fillNormal(new Float64Array(n * d), 0, 0.3);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      let s = shift;
      for (let t = 0; t < k; t++) s += z[i * k + t] * a[t * d + j] * scale;
      out[i * d + j] = Math.max(0, s / Math.sqrt(k) + noise[i * d + j]);
    }
  }
  return out;
}

Deno.test("FID on fixed feature sets equals pytorch-fid's formula (scipy sqrtm) to 1e-4 relative", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_fid_formula_" });
  const d = 64;
  const pairs: [Float32Array, Float32Array][] = [
    [features(400, d, "a"), features(300, d, "b")], // one distribution: a small FID
    [features(400, d, "a"), features(350, d, "c", 3)], // shifted
    [features(400, d, "a"), features(300, d, "e", 0.1, 1.6)], // wider
    [features(200, 8, "f"), features(150, 8, "g", -0.2, 0.5)], // small dimension
  ];
  const jobs = await Promise.all(pairs.map(async ([x, y], i) => {
    const dim = i === 3 ? 8 : d;
    await Deno.writeFile(`${dir}/x${i}.f32`, new Uint8Array(x.buffer));
    await Deno.writeFile(`${dir}/y${i}.f32`, new Uint8Array(y.buffer));
    return [`${dir}/x${i}.f32`, `${dir}/y${i}.f32`, dim] as const;
  }));
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", PYTORCH_FID, JSON.stringify(jobs)],
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `python3 with scipy (Debian python3-scipy) failed: ${err}`);
  const want: number[] = JSON.parse(new TextDecoder().decode(out.stdout));
  pairs.forEach(([x, y], i) => {
    const got = frechetDistanceOf(x, y, jobs[i][2]);
    assert.ok(Math.abs(got - want[i]) <= 1e-4 * Math.abs(want[i]), `${i}: ${got} vs ${want[i]}`);
  });
  assert.ok(want[0] < want[1] && want[0] < want[2], `${want}`);
  await Deno.remove(dir, { recursive: true });
});
