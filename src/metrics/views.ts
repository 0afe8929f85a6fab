/**
 * What the views of a run show at one evaluation, computed from the trainer:
 * for 2-D data the critic over a grid (one batched forward pass) and the
 * generator's pull on the samples (one backward pass); for 1-D data the
 * densities (exact where the config gives them) and the critic's curve with,
 * for f-GANs and the original game, the optimal critic. Real points come from
 * their own stream (`views/real`), so drawing views changes no number of a run.
 * @module
 */
import { Rng } from "../rng.ts";
import type { Trainer } from "../train/trainer.ts";
import { criticAt, generatorPull } from "../train/probes.ts";
import { tfjs } from "../tensor.ts";
import { mixtureLogDensity } from "./divergence_meter.ts";
import { F_DIVERGENCES, type FDivergenceName } from "../objectives/f_divergences.ts";
import { type Bounds, gridPoints, type PlaneView, squareAround } from "../views/plane.ts";
import { type Curve, CURVE_INK, type LineView } from "../views/line.ts";

/** A run's view at one evaluation: 2-D (plane) or 1-D (line). */
export type RunView =
  | { readonly kind: "plane"; readonly view: PlaneView }
  | { readonly kind: "line"; readonly view: LineView };

/** Sizes of the views: real points drawn, arrows drawn, heatmap cells per side, 1-D grid points. */
export const VIEW_SIZES = { real: 1000, arrows: 400, side: 48, xs: 241 } as const;

const realPoints = (trainer: Trainer, n: number) =>
  trainer.data.sample(n, Rng.derive(trainer.config.seed, "views/real"));

/** The 2-D view: bounds from the real points (the same at every evaluation). */
function planeView(trainer: Trainer, samples: Float32Array): PlaneView {
  const real = realPoints(trainer, Math.min(VIEW_SIZES.real, trainer.config.eval.samples));
  const bounds: Bounds = squareAround(real);
  const pullOn = samples.subarray(0, 2 * Math.min(VIEW_SIZES.arrows, samples.length / 2));
  return {
    step: trainer.step,
    bounds,
    real,
    fake: samples,
    critic: {
      side: VIEW_SIZES.side,
      values: criticAt(trainer, gridPoints(bounds, VIEW_SIZES.side)),
      label: "critic output (logit)",
    },
    pull: generatorPull(trainer, pullOn, real.subarray(0, pullOn.length)),
    ...(trainer.data.modes?.length
      ? { modes: trainer.data.modes.map((m) => ({ centre: m.centre, radius: 3 * m.std[0] })) }
      : {}),
  };
}

/**
 * A density estimate of `values` on `xs` (evenly spaced): a histogram with a
 * bin per grid point, averaged over `smooth` points on each side.
 */
function histogram(values: ArrayLike<number>, xs: Float64Array, smooth = 4): Float64Array {
  const h = xs[1] - xs[0], counts = new Float64Array(xs.length);
  for (let i = 0; i < values.length; i++) {
    const k = Math.round((values[i] - xs[0]) / h);
    if (k >= 0 && k < xs.length) counts[k]++;
  }
  return counts.map((_, k) => {
    let sum = 0;
    for (let j = k - smooth; j <= k + smooth; j++) sum += counts[j] ?? 0;
    return sum / ((2 * smooth + 1) * values.length * h);
  });
}

const normal = (x: number, mu: number, sigma: number) =>
  Math.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * Math.sqrt(2 * Math.PI));

/** f'(u), numerically (the optimal f-GAN critic is T*(x) = f'(p(x) / q(x))). */
const fPrime = (f: (u: number) => number, u: number) => {
  const h = 1e-5 * Math.max(1, u);
  return (f(u + h) - f(Math.max(1e-300, u - h))) / (u + h - Math.max(1e-300, u - h));
};

/** The 1-D view. */
function lineView(trainer: Trainer, samples: Float32Array): LineView {
  const { data, objective, generator } = trainer.config;
  const components = data.name === "mixture" && data.components[0].mean.length === 1
    ? data.components.map((c) => ({ weight: c.weight, mean: c.mean, std: c.std }))
    : undefined;
  const real = realPoints(trainer, Math.max(2000, trainer.config.eval.samples));
  const [lo, hi] = components
    ? [
      Math.min(...components.map((c) => c.mean[0] - 4 * c.std[0])),
      Math.max(...components.map((c) => c.mean[0] + 4 * c.std[0])),
    ]
    : [Math.min(...real), Math.max(...real)];
  const pad = 0.15 * (hi - lo);
  const xs = Float64Array.from(
    { length: VIEW_SIZES.xs },
    (_, i) => lo - pad + (i * (hi - lo + 2 * pad)) / (VIEW_SIZES.xs - 1),
  );
  const p = components ? xs.map((x) => Math.exp(mixtureLogDensity(components, x))) : undefined;
  const gaussian = generator.layers.length === 1 && generator.layers[0].type === "location_scale";
  const [mu, sigma] = gaussian
    ? trainer.evalGenerator.params.map((q) => tfjs(q.variable).dataSync()[0])
    : [NaN, NaN];
  const q = gaussian ? xs.map((x) => normal(x, mu, Math.abs(sigma))) : undefined;
  const densities: Curve[] = [
    ...(p ? [{ name: "real (exact)", values: p, color: CURVE_INK.exact, dashed: true }] : []),
    { name: "real (histogram)", values: histogram(real, xs), color: CURVE_INK.real },
    { name: "generated (histogram)", values: histogram(samples, xs), color: CURVE_INK.generated },
    ...(q
      ? [{ name: "generated (exact)", values: q, color: CURVE_INK.generated, dashed: true }]
      : []),
  ];
  const v = criticAt(trainer, Float32Array.from(xs));
  const pd = p ?? histogram(real, xs), qd = q ?? histogram(samples, xs);
  const ratio = (i: number) => (pd[i] > 1e-12 && qd[i] > 1e-12 ? pd[i] / qd[i] : NaN);
  const fdiv = F_DIVERGENCES[objective.name as FDivergenceName];
  const [label, critic, optimal] = fdiv
    ? [
      "T(x) = g_f(v(x))",
      v.map((x) => fdiv.activation(x)),
      xs.map((_, i) => fPrime(fdiv.f, ratio(i))),
    ]
    : objective.name === "minimax" || objective.name === "non_saturating"
    ? [
      "D(x) = sigmoid(v(x))",
      v.map((x) => 1 / (1 + Math.exp(-x))),
      xs.map((_, i) => {
        const r = ratio(i);
        return r / (1 + r);
      }),
    ]
    : ["critic output v(x)", v, undefined];
  return {
    step: trainer.step,
    xs,
    densities,
    critic: {
      label,
      curves: [
        { name: "critic", values: critic, color: CURVE_INK.critic },
        ...(optimal
          ? [{
            name: `optimal (${p && q ? "exact" : "from histograms"})`,
            values: optimal,
            color: CURVE_INK.optimal,
            dashed: true,
          }]
          : []),
      ],
    },
  };
}

/**
 * The view of `trainer` with its evaluation `samples` (row-major), for 2-D
 * and 1-D data; undefined for other data (images have their sample grids).
 *
 * Inside Duel it is used as `viewOf(trainer, trainer.sample(2500, Rng.derive(seed, "eval")))`.
 */
export function viewOf(trainer: Trainer, samples: Float32Array): RunView | undefined {
  const shape = trainer.data.shape;
  if (shape.length === 1 && shape[0] === 2) {
    return { kind: "plane", view: planeView(trainer, samples) };
  }
  if (shape.length === 1 && shape[0] === 1) {
    return { kind: "line", view: lineView(trainer, samples) };
  }
  return undefined;
}
