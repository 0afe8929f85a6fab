/**
 * Neyman fits with the exact critic: the generator G(z) = mu + sigma z trained by Adam on the
 * f-GAN generator loss 2 E_z[q/p (G(z))], where the critic is replaced by the exact log-ratio
 * (so no critic error at all), from mu 0 and sigma `--sigma0` (0.7 by default). It shows what the
 * generator's Adam alone does with Neyman's gradients (issue 22, fit-neyman.yaml's comment):
 *
 *   deno run --allow-read --allow-env tools/exact_critic_fit.ts [--mixture b] [--beta2 0.999]
 *     [--lr 5e-3] [--batch 256] [--steps 2500] [--seeds 0-5] [--sigma0 0.7]
 *
 * Prints, per seed, the EMA (0.99) generator every 500 steps, then the direct optimum.
 * @module
 */
import { loadExperiment } from "../src/config/load.ts";
import { directOptimum, mixtureLogDensity } from "../src/metrics/divergence_meter.ts";
import { CHECK_MIXTURES } from "./fit_check.ts";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(`--${name}`);
  return i < 0 ? fallback : Deno.args[i + 1];
}

/** mulberry32 uniforms in (0, 1) and Box-Muller normals: a seeded stream of its own. */
function normals(seed: number): () => number {
  let s = seed | 0;
  const uniform = () => {
    s = (s + 0x6D2B79F5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

async function main(): Promise<void> {
  const mix = arg("mixture", "b");
  const [beta1, beta2] = [0.5, Number(arg("beta2", "0.999"))];
  const [lr, batch, steps] = [
    Number(arg("lr", "5e-3")),
    Number(arg("batch", "256")),
    Number(
      arg("steps", "2500"),
    ),
  ];
  const [from, to] = arg("seeds", "0-5").split("-").map(Number);
  const over = mix === "own" ? [] : [`data.components=${CHECK_MIXTURES[mix]}`];
  const { config } = await loadExperiment("experiments/divergences/fit-neyman.yaml", over);
  if (config.data.name !== "mixture") throw new Error("fit files use mixture data");
  const components = config.data.components;
  for (let seed = from; seed <= (to ?? from); seed++) {
    const z = normals(1000 + 7919 * seed);
    let [mu, sigma] = [0, Number(arg("sigma0", "0.7"))];
    let [emaMu, emaSigma] = [mu, sigma];
    const m = [0, 0], v = [0, 0], trace: string[] = [];
    for (let t = 1; t <= steps; t++) {
      // With the critic fixed at the exact log-ratio of the current Q, the per-sample loss is
      // 2 q(x)/p(x) with q frozen; its x-derivative times dx/dmu = 1 and dx/dsigma = z.
      const [m0, s0] = [mu, sigma];
      const loss = (x: number) =>
        2 * Math.exp(
          -0.5 * ((x - m0) / s0) ** 2 - Math.log(s0) - LOG_SQRT_2PI -
            mixtureLogDensity(components, x),
        );
      const g = [0, 0];
      for (let i = 0; i < batch; i++) {
        const e = z(), x = m0 + s0 * e, h = 1e-4;
        const d = (loss(x + h) - loss(x - h)) / (2 * h);
        g[0] += d / batch;
        g[1] += (d * e) / batch;
      }
      const step = [0, 1].map((k) => {
        m[k] = beta1 * m[k] + (1 - beta1) * g[k];
        v[k] = beta2 * v[k] + (1 - beta2) * g[k] ** 2;
        return (lr * m[k] / (1 - beta1 ** t)) / (Math.sqrt(v[k] / (1 - beta2 ** t)) + 1e-8);
      });
      mu -= step[0];
      sigma = Math.abs(sigma - step[1]);
      emaMu = 0.99 * emaMu + 0.01 * mu;
      emaSigma = 0.99 * emaSigma + 0.01 * sigma;
      if (t % 500 === 0) trace.push(`${t}: (${emaMu.toFixed(3)}, ${emaSigma.toFixed(3)})`);
    }
    console.log(`${mix} beta2 ${beta2} seed ${seed}: ${trace.join("  ")}`);
  }
  const want = directOptimum("neyman", components);
  console.log(`direct optimum (${want.mu.toFixed(3)}, ${want.sigma.toFixed(3)})`);
}

if (import.meta.main) await main();
