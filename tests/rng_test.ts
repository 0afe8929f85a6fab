import assert from "node:assert/strict";
import { Rng } from "../src/rng.ts";

Deno.test("Rng: the same seed and name give the same stream; other names differ", () => {
  const a = Rng.derive(7, "noise"), b = Rng.derive(7, "noise"), c = Rng.derive(7, "data");
  const take = (r: Rng) => Array.from({ length: 5 }, () => r.nextU32());
  const [xa, xb, xc] = [take(a), take(b), take(c)];
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
  assert.notDeepEqual(take(Rng.derive(8, "noise")), xa);
});

Deno.test("Rng: a stream restored from its state continues exactly", () => {
  const a = Rng.derive(1, "x");
  a.fillNormal(new Float32Array(11));
  const b = Rng.fromState(a.state());
  assert.deepEqual(a.fillNormal(new Float64Array(9)), b.fillNormal(new Float64Array(9)));
  assert.deepEqual(JSON.parse(JSON.stringify(a.state())), a.state());
});

Deno.test("Rng: uniform and normal draws have the right moments", () => {
  const n = 200_000;
  const r = Rng.derive(3, "moments");
  const u = r.fillUniform(new Float64Array(n), -1, 3);
  const z = r.fillNormal(new Float64Array(n), 2, 0.5);
  const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;
  const variance = (x: Float64Array) => {
    const m = mean(x);
    return x.reduce((s, v) => s + (v - m) ** 2, 0) / (x.length - 1);
  };
  // Standard errors: uniform mean 0.0026, normal mean 0.0011; tolerances are ~4 s.e.
  assert.ok(Math.abs(mean(u) - 1) < 0.011, `uniform mean ${mean(u)}`);
  assert.ok(Math.abs(variance(u) - 16 / 12) < 0.02, `uniform variance ${variance(u)}`);
  assert.ok(Math.abs(mean(z) - 2) < 0.005, `normal mean ${mean(z)}`);
  assert.ok(Math.abs(variance(z) - 0.25) < 0.004, `normal variance ${variance(z)}`);
  assert.ok(u.every((v) => v >= -1 && v < 3));
  const ints = new Set(Array.from({ length: 1000 }, () => r.int(5)));
  assert.deepEqual([...ints].sort(), [0, 1, 2, 3, 4]);
});
