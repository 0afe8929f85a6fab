import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import type { Param } from "../src/nn/layers.ts";
import { OPTIMIZERS } from "../src/train/optimizers.ts";

await useBackend("wasm");

const w0 = [0.5, -1.5, 2];
const gradients = [[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.2, 0.2]];

/** PyTorch's update rules, in float64, one scalar at a time. */
function reference(name: string, p: Record<string, number>, betas = [0.5, 0.999]): number[] {
  return w0.map((w, j) => {
    let m = 0, v = 0, buf = 0;
    gradients.forEach((gs, t) => {
      const g = gs[j];
      if (name === "adam") {
        m = betas[0] * m + (1 - betas[0]) * g;
        v = betas[1] * v + (1 - betas[1]) * g * g;
        const mh = m / (1 - betas[0] ** (t + 1)), vh = v / (1 - betas[1] ** (t + 1));
        w -= p.lr * mh / (Math.sqrt(vh) + p.eps);
      } else if (name === "rmsprop") {
        v = p.alpha * v + (1 - p.alpha) * g * g;
        let u = g / (Math.sqrt(v) + p.eps);
        if (p.momentum > 0) u = buf = p.momentum * buf + u;
        w -= p.lr * u;
      } else {
        let u = g;
        if (p.momentum > 0) u = buf = p.momentum * buf + g;
        w -= p.lr * u;
      }
    });
    return w;
  });
}

const cases = [
  { name: "adam", params: { lr: 0.1, betas: [0.5, 0.999], eps: 1e-8 } },
  { name: "adam", params: { lr: 0.01, betas: [0, 0.9], eps: 1e-3 } },
  { name: "rmsprop", params: { lr: 0.05, alpha: 0.99, eps: 1e-8, momentum: 0 } },
  { name: "rmsprop", params: { lr: 0.05, alpha: 0.9, eps: 1e-8, momentum: 0.5 } },
  { name: "sgd", params: { lr: 0.1, momentum: 0 } },
  { name: "sgd", params: { lr: 0.1, momentum: 0.9 } },
] as const;

for (const c of cases) {
  for (const lrFactor of [1, 0.25]) {
    const title = `${c.name} ${JSON.stringify(c.params)} at ${lrFactor} x lr`;
    Deno.test(`${title} matches PyTorch's formulas over 3 steps`, () => {
      const variable = tf.variable(tf.tensor1d(w0));
      const param: Param = { name: "w", variable };
      const kind = OPTIMIZERS[c.name] as (typeof OPTIMIZERS)["adam"];
      const opt = kind.create([param], c.params as unknown as Parameters<typeof kind.create>[1]);
      for (const g of gradients) opt.apply({ [variable.name]: tf.tensor1d(g) }, lrFactor);
      const p = c.params as unknown as Record<string, number>;
      const want = reference(
        c.name,
        { ...p, lr: p.lr * lrFactor },
        "betas" in c.params ? [...c.params.betas] : undefined,
      );
      Array.from(variable.dataSync()).forEach((got, i) =>
        assert.ok(
          Math.abs(got - want[i]) <= 1e-6 * Math.max(1, Math.abs(want[i])),
          `${got} vs ${want[i]}`,
        )
      );
      assert.ok(opt.slots.every((s) => s.name.length > 0));
    });
  }
}
