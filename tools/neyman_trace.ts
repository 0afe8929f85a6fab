/**
 * Traces one Neyman fit step by step (issue 22): the generator's raw and EMA (mu, sigma), both
 * players' gradient norms, the critic's scores, and every `--grid-every` steps the critic's log-ratio
 * v(x) on a grid of x against the exact one, 2 log(p/q) of the raw generator's current Q.
 *
 *   deno run --allow-read --allow-env tools/neyman_trace.ts [--mixture b] [--seed 4]
 *     [--every 1] [--grid-every 100] [--set key=value ...] > trace.jsonl
 *
 * One JSON object a line (`{"step": ..}` rows, `{"grid": ..}` rows).
 * @module
 */
import { useBackend } from "../src/backend/tfjs.ts";
import { loadExperiment } from "../src/config/load.ts";
import { mixtureLogDensity } from "../src/metrics/divergence_meter.ts";
import { EVAL_MODE } from "../src/nn/layers.ts";
import * as tf from "../src/deps/tfjs_core.ts";
import { tfjs } from "../src/tensor.ts";
import { Trainer } from "../src/train/trainer.ts";
import { CHECK_MIXTURES } from "./fit_check.ts";

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i < 0 ? fallback : Deno.args[i + 1];
}
const sets = Deno.args.flatMap((a, i) => (Deno.args[i - 1] === "--set" ? [a] : []));

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const GRID = [-2.5, -2, -1.5, -1.25, -1, -0.75, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5];

async function main(): Promise<void> {
  await useBackend("wasm");
  const mix = arg("mixture", "b");
  const over = mix === "own" ? [] : [`data.components=${CHECK_MIXTURES[mix]}`];
  const { config } = await loadExperiment("experiments/divergences/fit-neyman.yaml", [
    ...over,
    `seed=${arg("seed", "4")}`,
    `eval.health_every=${arg("every", "1")}`,
    ...sets,
  ]);
  if (config.data.name !== "mixture") throw new Error("fit files use mixture data");
  const components = config.data.components;
  const gridEvery = Number(arg("grid-every", "100"));
  const trainer = Trainer.create(config);
  const read = (net: typeof trainer.generator) =>
    net.params.map((p) => tfjs(p.variable).dataSync()[0]);
  const critic = () =>
    tf.tidy(() =>
      tfjs(trainer.discriminator.apply(tf.tensor2d(GRID, [GRID.length, 1]), EVAL_MODE))
        .dataSync()
    );
  for await (const m of trainer.run()) {
    const [mu, s] = read(trainer.generator), [emu, es] = read(trainer.evalGenerator);
    console.log(JSON.stringify({
      step: m.step,
      mu,
      sigma: Math.abs(s),
      ema_mu: emu,
      ema_sigma: Math.abs(es),
      dnorm: m["d/grad_norm"],
      gnorm: m["g/grad_norm"],
      real: m["d/real_score"],
      fake: m["d/fake_score"],
      div: m["d/divergence"],
    }));
    if (m.step % gridEvery === 0) {
      const v = Array.from(critic());
      const exact = GRID.map((x) => {
        const lq = -0.5 * ((x - mu) / s) ** 2 - Math.log(Math.abs(s)) - LOG_SQRT_2PI;
        return 2 * (mixtureLogDensity(components, x) - lq);
      });
      console.log(JSON.stringify({
        grid: m.step,
        x: GRID,
        v: v.map((a) => +a.toFixed(2)),
        exact: exact.map((a) => +a.toFixed(2)),
      }));
    }
  }
  trainer.dispose();
}

if (import.meta.main) await main();
