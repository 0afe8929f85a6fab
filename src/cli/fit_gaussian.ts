/**
 * `deno task fit-gaussian <experiment.yaml>`: for an experiment whose data is
 * a 1-D mixture, prints the Gaussian N(mu, sigma^2) that directly minimises
 * each divergence (numerical integration + Nelder-Mead): the ground truth an
 * f-GAN-trained `location_scale` generator should reach.
 * @module
 */
import { ExperimentFileError, loadExperiment } from "../config/load.ts";
import { type Parsed, runCommand, UsageError } from "./command.ts";
import { directOptimum } from "../metrics/divergence_meter.ts";
import { F_DIVERGENCES } from "../objectives/f_divergences.ts";

const USAGE = "usage: deno task fit-gaussian <experiment.yaml>";

async function main({ positionals }: Parsed<Record<never, never>>): Promise<number> {
  if (positionals.length !== 1) throw new UsageError("expected one experiment file");
  const [file] = positionals;
  const { config } = await loadExperiment(file);
  if (config.data.name !== "mixture" || config.data.components[0].mean.length !== 1) {
    throw new ExperimentFileError(
      `${file}: data must be a 1-D mixture (valid: data.name: mixture, 1-D means)`,
    );
  }
  const components = config.data.components;
  const names = [...Object.keys(F_DIVERGENCES), "minimax", "wasserstein"];
  console.log("| objective | mu | sigma | divergence at the optimum |\n|---|---|---|---|");
  for (const name of names) {
    const { mu, sigma, divergence } = directOptimum(name, components);
    const mark = name === config.objective.name ? " (this file)" : "";
    console.log(
      `| ${name}${mark} | ${mu.toFixed(4)} | ${sigma.toFixed(4)} | ${divergence.toFixed(5)} |`,
    );
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand({ usage: USAGE, options: {}, main }, Deno.args));
}
