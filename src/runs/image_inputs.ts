/**
 * The inputs of `deno task fid`: a path is a run folder (it holds
 * `config.resolved.yaml`: its generator, restored from its newest intact
 * checkpoint, draws the images with the evaluation noise, the `eval` stream,
 * so they are the images its last evaluation measured when the count is
 * `eval.samples`), a folder of images (every PNG/JPEG directly inside, in
 * name order, at its own size: one size a folder, as for the `images` data
 * set; grey when the first image is grey, else RGB), or a statistics file
 * (`.stats`, written to the cache by a run or by `deno task fid`).
 * Every problem is one line ({@link UserError}) naming the path.
 * @module
 */
import { useBackend } from "../backend/tfjs.ts";
import { parseExperiment } from "../config/load.ts";
import { imageFolderImages } from "../data/image_folder.ts";
import { UserError } from "../errors.ts";
import { ConfigError } from "../fields.ts";
import { decodeImage } from "../images/decode.ts";
import { decodeReferenceStats, type ReferenceStats } from "../metrics/feature_stats.ts";
import type { ImageSet } from "../metrics/set_compare.ts";
import { Rng } from "../rng.ts";
import { Trainer } from "../train/trainer.ts";
import { RunFolder } from "./run_folder.ts";

/** A resolved input: images, or reference statistics read from a file. */
export type ImageInput =
  | { readonly kind: "images"; readonly set: ImageSet }
  | { readonly kind: "stats"; readonly stats: ReferenceStats; readonly path: string };

const VALID = "a folder of PNG/JPEG images, a run folder, or a .stats file";
const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** The first `n` images of a folder (all when `n` is undefined), at the folder's size. */
function folderSet(path: string, n: number | undefined, cacheDir: string | null): ImageSet {
  const names = [...Deno.readDirSync(path)]
    .filter((e) => IMAGE_FILE.test(e.name) && e.isFile)
    .map((e) => e.name)
    .sort();
  if (!names.length) throw new UserError(`${path}: holds no PNG or JPEG files (valid: ${VALID})`);
  let first;
  try {
    first = decodeImage(Deno.readFileSync(`${path}/${names[0]}`));
  } catch (e) {
    throw new UserError(`${path}/${names[0]}: cannot decode it: ${(e as Error).message}`);
  }
  const channels = first.channels;
  try {
    const { set } = imageFolderImages(
      { path, size: [first.height, first.width], channels, held_out: 0 },
      path,
      { dir: cacheDir },
    );
    const count = Math.min(set.n, n ?? set.n), size = set.shape[0] * set.shape[1] * set.shape[2];
    const images = Float32Array.from(set.pixels.subarray(0, count * size), (v) => v / 127.5 - 1);
    return { images, shape: set.shape, source: path, split: "folder" };
  } catch (e) {
    if (e instanceof ConfigError) {
      throw new UserError(`${e.problem}${e.valid ? ` (valid: ${e.valid})` : ""}`);
    }
    throw e;
  }
}

/** `n` images (default `eval.samples`) from the generator of the run folder `dir`. */
async function runSet(dir: string, n: number | undefined, cacheDir: string | null) {
  const folder = new RunFolder(dir.replace(/\/+$/, ""));
  const text = await Deno.readTextFile(folder.config);
  const loaded = parseExperiment(text, {
    file: folder.config,
    loadData: true,
    ...(cacheDir ? { cacheDir } : {}),
  });
  const { config } = loaded;
  if (config.data.name !== "images" && config.data.name !== "mnist") {
    throw new UserError(`${dir}: a run on ${config.data.name}, not on images (valid: ${VALID})`);
  }
  const ckpt = await folder.latestCheckpoint();
  if (!ckpt) throw new UserError(`${folder.checkpoints}: no readable checkpoint to sample from`);
  await useBackend(config.backend.name, config.backend.threads);
  const trainer = Trainer.create(config, { data: loaded.data });
  try {
    trainer.load(ckpt.state);
    const count = n ?? config.eval.samples;
    const images = trainer.sample(count, Rng.derive(config.seed, "eval"));
    const source = `${folder.dir}, its generator at step ${ckpt.state.step}`;
    return { images, shape: trainer.data.shape, source, split: "generated" };
  } finally {
    trainer.dispose();
  }
}

/**
 * Resolves `path` (see the module doc); `n` caps the images taken (run
 * folders draw exactly `n`); `cacheDir` is the data cache for folders.
 */
export async function readImageInput(
  path: string,
  n: number | undefined,
  cacheDir: string | null,
): Promise<ImageInput> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(path);
  } catch {
    throw new UserError(`${path}: no such file or folder (valid: ${VALID})`);
  }
  if (stat.isFile) {
    const bytes = await Deno.readFile(path);
    const stats = decodeReferenceStats(bytes);
    if (!stats) {
      throw new UserError(`${path}: not a whole Duel statistics file (valid: ${VALID})`);
    }
    return { kind: "stats", stats, path };
  }
  const isRun = await Deno.stat(`${path}/config.resolved.yaml`).then(() => true, () => false);
  const set = isRun ? await runSet(path, n, cacheDir) : folderSet(path, n, cacheDir);
  return { kind: "images", set };
}
