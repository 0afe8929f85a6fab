/**
 * From a validated `data:` section to its data source or example shape: the
 * one place the data-set table is turned into data.
 * @module
 */
import type { Experiment } from "../config/schema.ts";
import type { Shape } from "../fields.ts";
import { type DatasetKind, DATASETS } from "./datasets.ts";
import type { DataSource } from "./source.ts";
import type { CacheOptions } from "./cache.ts";

type AnyDataset = DatasetKind<Shape>;

/**
 * The data source of a validated `data:` section. Sets read from files
 * (`mnist`, `images`) are read here, through the data cache (`cache.dir`:
 * its folder; without one, only this process's memory); a bad file is a
 * `ConfigError` at `data.path`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataSourceOf } from "../../mod.ts";
 * const ring = dataSourceOf({ name: "ring8" });
 * assert.deepEqual(ring.shape, [2]);
 * ```
 */
export function dataSourceOf(data: Experiment["data"], cache: CacheOptions = {}): DataSource {
  const { name, ...params } = data;
  return (DATASETS[name] as AnyDataset).create(params, "data", cache);
}

/**
 * The shape of one example of a `data:` section, reading no file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataShapeOf } from "../../mod.ts";
 * assert.deepEqual(dataShapeOf({ name: "mnist", digits: [] }), [28, 28, 1]);
 * ```
 */
export function dataShapeOf(data: Experiment["data"]): readonly number[] {
  const { name, ...params } = data;
  const kind = DATASETS[name] as AnyDataset;
  return kind.shape ? kind.shape(params, "data") : kind.create(params, "data", {}).shape;
}
