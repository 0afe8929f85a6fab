/**
 * f-GAN training against ground truth: an affine generator G(z) = mu + sigma z
 * trained with each fit recipe (`experiments/divergences/fit-<f>.yaml`, all
 * eight f-divergences) must end within 0.1 of the Gaussian that directly
 * minimises that divergence (numerical integration and Nelder-Mead), and the
 * fits must differ across divergences as the optima do. A short, seeded version:
 * the recipes' networks and learning rates, but on a mixture no example file
 * uses, from a start 1 away in mu, for SHORT_STEPS steps. `tools/fit_check.ts`
 * runs the full recipes on seeds 0-9 and three mixtures.
 */
import assert from "node:assert/strict";
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { directOptimum } from "../src/metrics/divergence_meter.ts";
import { tfjs } from "../src/tensor.ts";
import { Trainer } from "../src/train/trainer.ts";
import { ROOT } from "./_fixtures.ts";

await useBackend("wasm");

const DIVERGENCES = [
  "kl",
  "reverse_kl",
  "pearson",
  "neyman",
  "squared_hellinger",
  "jeffrey",
  "jensen_shannon",
  "gan",
];
/** A mixture none of the example files uses: a wide component and a narrow one. */
const MIXTURE = "[{ weight: 0.6, mean: 0.5, std: 0.8 }, { weight: 0.4, mean: -1.2, std: 0.5 }]";
const SHORT_STEPS = 1200;
const SHORT = [
  `data.components=${MIXTURE}`,
  "generator.layers[0].mu=1",
  `train.steps=${SHORT_STEPS}`,
  "seed=7",
];
const fits: Record<string, { mu: number; sigma: number; want: { mu: number; sigma: number } }> = {};

for (const name of DIVERGENCES) {
  Deno.test(`f-GAN ${name}: the trained Gaussian ends within 0.1 of the direct optimum`, async () => {
    const file = `${ROOT}experiments/divergences/fit-${name}.yaml`;
    const { config } = await loadExperiment(file, SHORT);
    if (config.data.name !== "mixture") throw new Error("fit files use mixture data");
    const want = directOptimum(name, config.data.components);
    const trainer = Trainer.create(config);
    for await (const _ of trainer.run());
    const [mu, sigma] = trainer.evalGenerator.params.map((p) => tfjs(p.variable).dataSync()[0]);
    trainer.dispose();
    fits[name] = { mu, sigma: Math.abs(sigma), want };
    const msg = `trained (${mu.toFixed(3)}, ${Math.abs(sigma).toFixed(3)}), optimum (${
      want.mu.toFixed(3)
    }, ${want.sigma.toFixed(3)})`;
    assert.ok(Math.abs(want.mu - 1) > 0.9, "the start is far from the optimum");
    assert.ok(Math.abs(mu - want.mu) < 0.1 && Math.abs(Math.abs(sigma) - want.sigma) < 0.1, msg);
  });
}

Deno.test("the fits differ across divergences the way the direct optima do", () => {
  assert.equal(Object.keys(fits).length, DIVERGENCES.length, "every fit ran");
  let compared = 0;
  for (const a of DIVERGENCES) {
    for (const b of DIVERGENCES) {
      for (const key of ["mu", "sigma"] as const) {
        const gap = fits[a].want[key] - fits[b].want[key];
        if (gap > 0.2) {
          compared++;
          assert.ok(fits[a][key] > fits[b][key], `${key}: ${a} above ${b}, as directly`);
        }
      }
    }
  }
  assert.ok(compared > 0, "some optima differ by more than 0.2");
});
