/**
 * Checks across keys that no single field can make: the players' shapes
 * chain from noise to data to one critic value, and the metrics asked for fit
 * the data. Each throws a {@link ConfigError} at the key to blame.
 * @module
 */
import { dataShapeOf } from "../data/factory.ts";
import { packedShape } from "../nn/packing.ts";
import { ConfigError } from "../fields.ts";
import { METRIC_NEEDS, type MetricNeed, type MetricNeedName } from "../metrics/metric_needs.ts";
import { METRICS, type OptInMetricName } from "../metrics/metric_table.ts";
import { layerShapes } from "../nn/network.ts";
import type { Experiment } from "./schema.ts";

/**
 * The metrics of `eval.metrics` fit the data, as their records' needs say
 * (`METRIC_NEEDS`): a need the data's shape cannot meet, too few held-out
 * examples where a need compares with them, or too few `eval.samples`.
 */
export function checkMetrics(config: Experiment): void {
  if (config.eval.generator === "ema" && config.train.ema === 0) {
    throw new ConfigError(
      "eval.generator",
      "ema measures the moving average of the generator but train.ema is 0 (off)",
      "raw, or train.ema in (0, 1), e.g. 0.999",
    );
  }
  const names = config.eval.metrics;
  const dataShape = dataShapeOf(config.data);
  if (config.eval.inception !== undefined && !METRIC_NEEDS.image_data.fits!(dataShape)) {
    throw new ConfigError(
      "eval.inception",
      `Inception features measure ${METRIC_NEEDS.image_data.doc} but ${config.data.name} has ` +
        dataShape.join("x"),
      "no eval.inception for this data, or image data (mnist, images)",
    );
  }
  if (!names.length) return;
  const shape = dataShape;
  const needs = (name: OptInMetricName): readonly MetricNeedName[] => METRICS[name].needs;
  for (const [need, kind] of Object.entries(METRIC_NEEDS) as [MetricNeedName, MetricNeed][]) {
    const blocked = names.filter((name) => needs(name).includes(need));
    if (!blocked.length || !kind.fits || kind.fits(shape)) continue;
    throw new ConfigError(
      "eval.metrics",
      `${blocked.join(", ")} measure ${kind.doc} but ${config.data.name} has ${shape.join("x")}`,
      kind.hint ?? "[] for this data",
    );
  }
  const least = Math.max(...names.map((name) => METRICS[name].optIn.minSamples));
  const heldOut = names.some((name) =>
    needs(name).some((need) => (METRIC_NEEDS[need] as MetricNeed).heldOut)
  );
  const data = config.data as { held_out?: number };
  if (heldOut && data.held_out !== undefined && data.held_out < least) {
    throw new ConfigError(
      "data.held_out",
      `${data.held_out} held-out images are too few for eval.metrics`,
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
  const packing = config.discriminator.packing ?? 1;
  const d = layerShapes(
    config.discriminator.layers,
    packedShape(data.shape, packing),
    "discriminator.layers",
    packing === 1
      ? `the data (${config.data.name})`
      : `the data (${config.data.name}) in packs of ${packing}`,
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
