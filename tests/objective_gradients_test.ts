import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "../src/backend/tfjs.ts";
import { obj, type Shape } from "../src/fields.ts";
import {
  type LogitGradients,
  type LossGradients,
  OBJECTIVES,
  type StackedGradients,
} from "../src/objectives/objectives.ts";
import { Rng } from "../src/rng.ts";
import { type Tensor, tfjs } from "../src/tensor.ts";

/**
 * Logits with the edges in: zeros of both signs, large values where sigmoid and softplus
 * saturate, values near softplus's thresholds, and normal draws; `n` of them as `[n, 1]`.
 */
function logits(n: number, seed: string): tf.Tensor {
  const edges = [0, -0, 1, -1, 15.9, -15.9, 16, -16, 88, -88, 100, -100, 1e-30, -1e-30, 3.4e38];
  const values = Rng.derive(0, seed).fillNormal(new Float32Array(n), 0, 4);
  values.set(edges.slice(0, n));
  return tf.tensor2d(values, [n, 1]);
}

/** A tensor's float32 values as their bit patterns (so -0, NaN payloads and subnormals compare exactly). */
const bits = (x: Tensor) =>
  Array.from(new Uint32Array(Float32Array.from(tfjs(x).dataSync()).buffer));

type Fn = (...xs: tf.Tensor[]) => tf.Tensor;

for (const backend of ["wasm", "cpu"] as const) {
  for (const [name, kind] of Object.entries(OBJECTIVES)) {
    type P = Record<string, number>;
    const objective = kind as unknown as {
      discriminator(r: tf.Tensor, f: tf.Tensor, p: P): tf.Tensor;
      generator(f: tf.Tensor, r: tf.Tensor, p: P): tf.Tensor;
      logitGradients?: LogitGradients<P>;
    };
    const closed = objective.logitGradients;
    if (!closed) continue;
    Deno.test(`${name}: logit gradients in closed form are autodiff's, bit for bit (${backend})`, async () => {
      await useBackend(backend);
      // The objective's defaults (least squares: a = 0, b = 1, c = 1), and Pearson's targets.
      const defaults = obj("params", kind.params as Shape).parse({}, "objective") as P;
      const ps = name === "least_squares" ? [defaults, { a: -1, b: 1, c: 0 }] : [defaults];
      for (const [p, n] of ps.flatMap((p) => [256, 100, 3].map((n) => [p, n] as const))) {
        const [real, fake] = [logits(n, `real/${n}`), logits(n, `fake/${n}`)];
        const critic = tf.valueAndGrads(((r, f) => objective.discriminator(r, f, p)) as Fn)([
          real,
          fake,
        ]);
        const mine: LossGradients = closed.discriminator!(real, fake, p)!;
        assert.deepEqual(bits(mine.loss), bits(critic.value), `critic loss, ${n} logits`);
        mine.grads.forEach((g, i) =>
          assert.deepEqual(bits(g), bits(critic.grads[i]), `critic grad ${i}, ${n}`)
        );
        const stacked: StackedGradients | undefined = closed.discriminatorStacked?.(
          tf.concat([real, fake], 0),
          p,
        );
        if (stacked) {
          assert.deepEqual(bits(stacked.loss), bits(critic.value), `stacked critic loss, ${n}`);
          const both = tf.concat([tfjs(critic.grads[0]), tfjs(critic.grads[1])], 0);
          assert.deepEqual(bits(stacked.grad), bits(both), `stacked critic grad, ${n} logits`);
        }
        const gen = tf.valueAndGrads(((f) => objective.generator(f, f, p)) as Fn)([fake]);
        const own: LossGradients = closed.generator!(fake, p);
        assert.deepEqual(bits(own.loss), bits(gen.value), `generator loss, ${n} logits`);
        assert.deepEqual(bits(own.grads[0]), bits(gen.grads[0]), `generator grad, ${n} logits`);
      }
    });
  }
}

Deno.test("label smoothing has no closed form here: the step takes autodiff's", () => {
  const { discriminator, discriminatorStacked } = OBJECTIVES.non_saturating.logitGradients!;
  assert.equal(discriminator!(tf.zeros([2, 1]), tf.zeros([2, 1]), { real_label: 0.9 }), undefined);
  assert.equal(discriminatorStacked!(tf.zeros([4, 1]), { real_label: 0.9 }), undefined);
});
