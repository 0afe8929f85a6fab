import { experimentArgs } from "../src/runs/subprocess.ts";

/** Small, fast experiment files shared by the tests. */

/** A ring8 experiment small enough to train in a second or two. */
export function tinyExperiment(root: string, extra = ""): string {
  return `name: tiny
seed: 5
data: { name: ring8 }
noise: { distribution: normal, dim: 4 }
generator:
  layers:
    - { type: dense, units: 16 }
    - { type: relu }
    - { type: dense, units: 2 }
discriminator:
  layers:
    - { type: dense, units: 16 }
    - { type: leaky_relu, alpha: 0.2 }
    - { type: dense, units: 1 }
optimizer:
  generator: { name: adam, lr: 1.0e-3 }
  discriminator: { name: adam, lr: 1.0e-3 }
train: { steps: 60, batch_size: 32, checkpoint_every: 20, ema: 0.9 }
eval: { every: 20, samples: 200 }
output: { root: ${JSON.stringify(root)} }
${extra}`;
}

/** Drops wall-time fields so runs can be compared. */
export function withoutTime(rows: Record<string, number>[]): Record<string, number>[] {
  return rows.map(({ elapsed: _elapsed, ...rest }) => rest);
}

/** The repository root (for running the CLI as a subprocess). */
export const ROOT: string = new URL("..", import.meta.url).pathname;

/**
 * Runs the experiment CLI; resolves with its exit code and output. The tests'
 * run folders live in temporary folders outside the repository (the working
 * directory), hence `--allow-outside`.
 */
export function cli(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: experimentArgs([...args, "--allow-outside"]),
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** A tiny conv GAN on 16-D mixture data seen as 4x4 images: every image layer, both players. */
export const CONV_GAN: string = `name: conv-tiny
seed: 3
data:
  name: mixture
  components:
    - { mean: [${Array.from({ length: 16 }, (_, i) => (i % 5) / 5).join(", ")}], std: 0.1 }
    - { mean: [${Array.from({ length: 16 }, (_, i) => -(i % 3) / 3).join(", ")}], std: 0.1 }
noise: { dim: 8 }
generator:
  layers:
    - { type: dense, units: 32 }
    - { type: reshape, shape: [2, 2, 8] }
    - { type: conv2d_transpose, filters: 4, kernel: 4, stride: 2, padding: 1 }
    - { type: batch_norm }
    - { type: relu }
    - { type: upsample, factor: 2 }
    - { type: conv2d, filters: 1, kernel: 3, stride: 2, padding: 1 }
    - { type: tanh }
    - { type: flatten }
discriminator:
  layers:
    - { type: reshape, shape: [4, 4, 1] }
    - { type: conv2d, filters: 8, kernel: 3, stride: 2, padding: 1, spectral_norm: true }
    - { type: batch_norm }
    - { type: leaky_relu, alpha: 0.2 }
    - { type: dropout, rate: 0.2 }
    - { type: flatten }
    - { type: layer_norm }
    - { type: dense, units: 1 }
train: { steps: 6, batch_size: 8, ema: 0.9 }
`;
