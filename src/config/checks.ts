/**
 * Checks across keys that no single field can make: the players' shapes
 * chain from noise to data to one critic value, and the image metrics fit the
 * data. Each throws a {@link ConfigError} at the key to blame.
 * @module
 */
import { dataShapeOf } from "../data/factory.ts";
import { ConfigError } from "../fields.ts";
import { layerShapes } from "../nn/network.ts";
import type { Experiment } from "./schema.ts";

/** Image metrics need 28x28x1 images (the MNIST classifier's input). */
export function checkMetrics(config: Experiment): void {
  const shape = dataShapeOf(config.data).join("x");
  if (config.eval.metrics.length && shape !== "28x28x1") {
    throw new ConfigError(
      "eval.metrics",
      `${
        config.eval.metrics.join(", ")
      } measure 28x28x1 images but ${config.data.name} has ${shape}`,
      "[] for this data, or data: mnist (or 28x28 grey images with held_out)",
    );
  }
  if (!config.eval.metrics.length) return;
  // k-NN metrics need more than k = 5 points a side; Fréchet needs a covariance.
  const least = 6;
  const data = config.data as { name: string; held_out?: number };
  if (data.name === "images" && (data.held_out ?? 0) < least) {
    throw new ConfigError(
      data.held_out === undefined ? "eval.metrics" : "data.held_out",
      data.held_out === undefined
        ? "need held-out real images to compare with, and data.held_out is not set"
        : `${data.held_out} held-out images are too few for eval.metrics`,
      `data.held_out: n with n >= ${least} (e.g. 100)`,
    );
  }
  if (config.eval.samples < least) {
    throw new ConfigError(
      "eval.samples",
      `${config.eval.samples} samples are too few for eval.metrics`,
      `integer >= ${least} (e.g. 2000)`,
    );
  }
}

/** Checks what no single key can: shapes chain from noise to data to one critic value. */
export function checkShapes(
  config: Pick<Experiment, "data" | "noise" | "generator" | "discriminator">,
): void {
  const data = { shape: dataShapeOf(config.data) };
  const g = layerShapes(
    config.generator.layers,
    [config.noise.dim],
    "generator.layers",
    "the noise (noise.dim)",
  );
  const gOut = g[g.length - 1];
  const want = data.shape.join("x");
  if (gOut.join("x") !== want) {
    const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    throw new ConfigError(
      `generator.layers[${g.length - 1}]`,
      `the generator ends with ${
        gOut.join("x")
      } values per example but ${config.data.name} has ${want}`,
      size(gOut) === size(data.shape)
        ? `end with { type: reshape, shape: [${data.shape.join(", ")}] }`
        : `end with a layer giving ${want}`,
    );
  }
  const d = layerShapes(
    config.discriminator.layers,
    data.shape,
    "discriminator.layers",
    `the data (${config.data.name})`,
  );
  const dOut = d[d.length - 1];
  if (dOut.length !== 1 || dOut[0] !== 1) {
    throw new ConfigError(
      `discriminator.layers[${d.length - 1}]`,
      `the critic ends with ${dOut.join("x")} values per example`,
      "end with a layer giving 1 value, e.g. dense with units: 1",
    );
  }
}
