/**
 * Every quantitative claim the README and the experiment files make, written
 * once. Adding a claim is one entry here; then `deno task claims --only <id>`
 * measures it into `claims/measured.json` and regenerates the README's block.
 * Seeds are fresh (100 and up): none was used to write a claim.
 * @module
 */
import type { Claim } from "./claim.ts";

const RING8 = "experiments/ring8.yaml";
const GRID25_HINGE = "experiments/grid25-hinge.yaml";
const GRID25_WGAN_GP = "experiments/grid25-wgan-gp.yaml";
const THREE = [100, 101, 102];
/** The critic's dense layers of the grid25 files (0, 2, 4, 6), spectrally normalised. */
const SPECTRAL = Object.fromEntries(
  [0, 2, 4, 6].map((i) => [`discriminator.layers[${i}].spectral_norm`, true]),
);

/** The claims, in the README's order. */
export const CLAIMS: readonly Claim[] = [
  {
    id: "ring8-modes",
    run: { file: RING8, seeds: THREE },
    metric: "eval/modes",
    read: "final",
    pass: [{ stat: "min", op: ">=", value: 8 }],
    text:
      "`ring8.yaml` (EMA generator) covers {mean} ± {se} of 8 modes {read} (lowest seed: {min})",
    digits: 1,
  },
  {
    id: "ring8-hq",
    run: { file: RING8, seeds: THREE },
    metric: "eval/hq",
    read: "final",
    pass: [{ stat: "mean", op: ">=", value: 0.85 }],
    text: "`ring8.yaml`: high-quality share {mean} ± {se} {read} (seeds range {min}-{max})",
    digits: 3,
  },
  {
    id: "ring8-no-ema-modes",
    run: { file: RING8, set: { "train.ema": 0 }, seeds: THREE },
    metric: "eval/modes",
    read: "final",
    pass: [{ stat: "min", op: ">=", value: 8 }],
    text:
      "`ring8.yaml` without the EMA (`train.ema=0`) still covers {mean} ± {se} of 8 modes {read}",
    digits: 1,
    note: "3 seeds",
  },
  {
    id: "ring8-no-ema-hq",
    // Seeds the rewritten rule had not seen (it was chosen after 100-102 gave 0.77, 0.48, 0.80).
    run: { file: RING8, set: { "train.ema": 0 }, seeds: [103, 104, 105] },
    metric: "eval/hq",
    read: "final",
    // Below the floor ring8-hq holds the EMA generator to, on every seed. (The first wording,
    // "between 0.5 and 0.75", failed on fresh seeds: 0.77, 0.48, 0.80.)
    pass: [{ stat: "max", op: "<=", value: 0.85 }],
    text:
      "`ring8.yaml` without the EMA: samples jitter around the modes, high-quality share {mean} ± {se} {read} (range {min}-{max}), below the EMA generator's floor on every seed ({rule}); it varies widely from seed to seed",
    digits: 3,
    note: "3 seeds",
  },
  {
    id: "ring8-lr2e-4-modes",
    run: {
      file: RING8,
      set: { "train.ema": 0, "optimizer.generator.lr": 2e-4, "optimizer.discriminator.lr": 2e-4 },
      seeds: THREE,
    },
    metric: "eval/modes",
    read: "final",
    pass: [{ stat: "min", op: ">=", value: 7 }],
    text:
      "`ring8.yaml` without the EMA and with lr 2e-4 for both players does not collapse: {mean} ± {se} of 8 modes {read} (lowest seed: {min})",
    digits: 1,
    note: "3 seeds; replaces the claim that it collapses to one mode, which did not reproduce",
  },
  {
    id: "ring8-lr2e-4-hq",
    run: {
      file: RING8,
      set: { "train.ema": 0, "optimizer.generator.lr": 2e-4, "optimizer.discriminator.lr": 2e-4 },
      seeds: THREE,
    },
    metric: "eval/hq",
    read: "final",
    pass: [{ stat: "mean", op: ">=", value: 0.6 }],
    text:
      "`ring8.yaml` without the EMA and with lr 2e-4 for both players: high-quality share {mean} ± {se} {read}",
    digits: 3,
    note: "3 seeds",
  },
  {
    id: "grid25-hinge-modes",
    run: { file: GRID25_HINGE, seeds: THREE },
    metric: "eval/modes",
    read: "final",
    pass: [{ stat: "min", op: ">=", value: 21 }],
    text:
      "`grid25-hinge.yaml` covers {mean} ± {se} of 25 modes {read} (seeds range {min}-{max}); some intermediate evaluations reach more",
    digits: 1,
  },
  {
    id: "grid25-hinge-5-critic-steps",
    run: {
      file: GRID25_HINGE,
      set: { "train.discriminator_steps": 5, "train.steps": 3000 },
      seeds: THREE,
    },
    metric: "eval/modes",
    read: "final",
    pass: [{ stat: "max", op: "<=", value: 22 }],
    text:
      "`grid25-hinge.yaml` with 5 critic steps and 3000 steps drops modes: {mean} ± {se} of 25 {read} (range {min}-{max})",
    digits: 1,
    note: "3 seeds; slow: 5 critic steps cost several default runs",
    slow: true,
  },
  {
    id: "grid25-hinge-spectral-hq",
    run: { file: GRID25_HINGE, set: SPECTRAL, seeds: THREE },
    metric: "eval/hq",
    read: "final",
    pass: [{ stat: "max", op: "<=", value: 0.1 }],
    text:
      "`grid25-hinge.yaml` with a spectrally normalised critic stays diffuse: high-quality share {mean} ± {se} {read}",
    digits: 3,
    note: "3 seeds; left out of the routine suite to keep it short",
    slow: true,
  },
  {
    id: "grid25-wgan-gp-modes",
    // Seeds the rewritten rule has not seen: 100-102 gave 22, 20 and 21 modes on 2026-12-06,
    // a fail of the first rule ("min >= 22").
    run: { file: GRID25_WGAN_GP, seeds: [103, 104, 105] },
    metric: "eval/modes",
    read: "final",
    pass: [{ stat: "min", op: ">=", value: 19 }],
    text:
      "`grid25-wgan-gp.yaml` covers {mean} ± {se} of 25 modes {read} (seeds range {min}-{max}; {rule})",
    digits: 1,
    note:
      "3 seeds: 5 critic steps with a gradient penalty are the costliest toy runs; rewritten after seeds 100-102 gave 22, 20, 21 against the first rule, min >= 22",
  },
  {
    id: "grid25-wgan-gp-ema-modes",
    run: { file: GRID25_WGAN_GP, set: { "train.ema": 0.999 }, seeds: THREE },
    metric: "eval/modes",
    read: "final",
    pass: [{ stat: "max", op: "<=", value: 9 }],
    text:
      "`grid25-wgan-gp.yaml` with an EMA generator (0.999) blurs the samples: {mean} ± {se} of 25 modes {read} (range {min}-{max})",
    digits: 1,
    note: "3 seeds; left out of the routine suite to keep it short",
    slow: true,
  },
  {
    id: "dcgan-mnist-score",
    run: { file: "experiments/dcgan-mnist.yaml", seeds: [100] },
    metric: "eval/classifier_score",
    read: "final",
    pass: [{ stat: "min", op: ">=", value: 8 }],
    text: "`dcgan-mnist.yaml`: classifier score {mean} {read}",
    digits: 2,
    note: "1 seed: about 30 minutes on 2 idle cores, plus the classifier's training once",
    slow: true,
  },
  {
    id: "dcgan-mnist-fd",
    run: { file: "experiments/dcgan-mnist.yaml", seeds: [100] },
    metric: "eval/frechet_distance",
    read: "final_over_first",
    pass: [{ stat: "max", op: "<=", value: 0.1 }],
    text: "`dcgan-mnist.yaml`: Fréchet distance {read}: {mean}",
    digits: 3,
    note: "1 seed, the same run as dcgan-mnist-score",
    slow: true,
  },
];
