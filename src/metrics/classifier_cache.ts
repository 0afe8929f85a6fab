/**
 * The disk cache of the metrics classifier: trained once, then loaded. The
 * key is the SHA-256 of the training images' and labels' bytes, the recipe,
 * {@link CLASSIFIER_CODE_VERSION} and the tfjs backend (training is
 * deterministic per backend, not across backends), so a classifier is
 * retrained exactly when one of them changes.
 *
 * Where: `$DUEL_CACHE_DIR`, else `$XDG_CACHE_HOME/duel`, else
 * `~/.cache/duel` (the data cache's convention), in `classifiers/`, one JSON
 * file per key written atomically. A file that does not read back (torn,
 * other key, wrong shapes) is retrained over; a folder that cannot be
 * written is skipped (the classifier is then trained on every run).
 * @module
 */
import { cacheDirFromEnv } from "../env.ts";
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import * as tf from "../deps/tfjs_core.ts";
import { numericsOf } from "../backend/tfjs.ts";
import { writeAtomic } from "../files.ts";
import {
  classifierLayers,
  type ClassifierRecipe,
  MNIST_CLASSIFIER_RECIPE,
  MnistClassifier,
  type NamedWeight,
} from "./mnist_classifier.ts";
import { trainMnistClassifier } from "./train_mnist_classifier.ts";
import type { LabelledImages } from "./mnist_digits.ts";

/** Bump when a change to the classifier code changes what training produces. */
export const CLASSIFIER_CODE_VERSION = 2;

/**
 * The content hash (hex SHA-256) a classifier is cached under.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifierKey, MNIST_CLASSIFIER_RECIPE as recipe } from "../../mod.ts";
 * const data = { images: new Float32Array(784), labels: new Uint8Array(1), n: 1 };
 * const key = classifierKey(data, recipe, "cpu");
 * assert.equal(key, classifierKey(data, recipe, "cpu"));
 * assert.notEqual(key, classifierKey(data, { ...recipe, seed: 1 }, "cpu"));
 * assert.notEqual(key, classifierKey({ ...data, labels: new Uint8Array([1]) }, recipe, "cpu"));
 * ```
 */
export function classifierKey(
  train: LabelledImages,
  recipe: ClassifierRecipe,
  backend: string,
): string {
  const { epochs, batchSize, lr, decayStart, shift, seed } = recipe; // fixed field order
  // Layers with their defaults filled in, keys in the layer table's order.
  const layers = classifierLayers(recipe.layers);
  const meta = {
    version: CLASSIFIER_CODE_VERSION,
    backend,
    n: train.n,
    recipe: { layers, epochs, batchSize, lr, decayStart, shift, seed },
  };
  return createHash("sha256")
    .update(JSON.stringify(meta))
    .update(new Uint8Array(train.images.buffer, train.images.byteOffset, train.images.byteLength))
    .update(train.labels)
    .digest("hex");
}

interface CacheFile {
  readonly format: "duel-classifier";
  readonly key: string;
  readonly recipe: ClassifierRecipe;
  readonly backend: string;
  readonly weights: { name: string; shape: number[]; data: string }[];
}

function encode(
  key: string,
  recipe: ClassifierRecipe,
  backend: string,
  weights: NamedWeight[],
): string {
  const file: CacheFile = {
    format: "duel-classifier",
    key,
    recipe,
    backend,
    weights: weights.map((w) => ({
      name: w.name,
      shape: [...w.shape],
      data: Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength).toString("base64"),
    })),
  };
  return JSON.stringify(file);
}

function decode(text: string, key: string): NamedWeight[] | undefined {
  try {
    const file = JSON.parse(text) as CacheFile;
    if (file.format !== "duel-classifier" || file.key !== key) return undefined;
    const weights = file.weights.map((w) => {
      const bytes = Buffer.from(w.data, "base64");
      const data = new Float32Array(bytes.byteLength / 4);
      new Uint8Array(data.buffer).set(bytes);
      if (data.length !== w.shape.reduce((a, b) => a * b, 1)) throw new Error("size");
      return { name: w.name, shape: w.shape, data };
    });
    return weights;
  } catch {
    return undefined;
  }
}

/** Options for {@link cachedMnistClassifier}. */
export interface CachedClassifierOptions {
  /** Training recipe (default {@link MNIST_CLASSIFIER_RECIPE}). */
  readonly recipe?: ClassifierRecipe;
  /** Cache folder (default `cacheDirFromEnv()` of `src/env.ts`); `null` disables the cache. */
  readonly dir?: string | null;
  /** Progress of a training run. */
  readonly onEpoch?: (epoch: number, loss: number) => void;
}

/** What {@link cachedMnistClassifier} returns. */
export interface CachedClassifier {
  /** The classifier, ready to use. */
  readonly classifier: MnistClassifier;
  /** The content hash. */
  readonly key: string;
  /** The recipe it was trained with. */
  readonly recipe: ClassifierRecipe;
  /** `disk` when loaded from the cache, `trained` when trained now. */
  readonly source: "disk" | "trained";
  /** The cache file, when there is one. */
  readonly path?: string;
  /** Seconds spent loading or training. */
  readonly seconds: number;
}

/**
 * The classifier trained on `train` with the recipe, from the cache when
 * present, else trained now (on the active tfjs backend) and saved.
 *
 * @example
 * ```ts ignore
 * // Not run by deno test --doc: needs the MNIST classifier (trained on first use, minutes)
 * // and the mnist package's files.
 * const { train } = mnistSplit();
 * const { classifier, source } = await cachedMnistClassifier(train);
 * console.log(source, classifier.featureDim); // "disk" 128 after the first run
 * ```
 */
export async function cachedMnistClassifier(
  train: LabelledImages,
  options: CachedClassifierOptions = {},
): Promise<CachedClassifier> {
  const start = performance.now();
  const recipe = options.recipe ?? MNIST_CLASSIFIER_RECIPE;
  // One and N wasm threads give the same bits, so they share a cache entry.
  const backend = numericsOf(tf.getBackend());
  const key = classifierKey(train, recipe, backend);
  const dir = options.dir === undefined ? cacheDirFromEnv() : options.dir ?? undefined;
  const path = dir ? `${dir}/classifiers/mnist-cnn-${key.slice(0, 32)}.json` : undefined;
  const seconds = () => (performance.now() - start) / 1000;
  if (path) {
    let text: string | undefined;
    try {
      text = await Deno.readTextFile(path);
    } catch { /* not cached yet, or unreadable: train */ }
    const weights = text === undefined ? undefined : decode(text, key);
    if (weights) {
      try {
        return {
          classifier: new MnistClassifier(recipe.layers, weights),
          key,
          recipe,
          source: "disk",
          path,
          seconds: seconds(),
        };
      } catch { /* inconsistent weights: train over them */ }
    }
  }
  const classifier = trainMnistClassifier(train, recipe, options.onEpoch);
  let saved: string | undefined;
  if (path) {
    try {
      await Deno.mkdir(`${dir}/classifiers`, { recursive: true });
      await writeAtomic(path, encode(key, recipe, backend, classifier.weights()));
      saved = path;
    } catch { /* read-only cache folder: keep the classifier in memory only */ }
  }
  return {
    classifier,
    key,
    recipe,
    source: "trained",
    ...(saved ? { path: saved } : {}),
    seconds: seconds(),
  };
}
