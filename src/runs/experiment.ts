/**
 * One experiment run, start to finish: run folder, training loop, metrics,
 * evaluations, checkpoints and summary; or the continuation of a stopped run.
 * @module
 */
import { useBackend } from "../backend/tfjs.ts";
import { configHash, type LoadedExperiment, parseExperiment, parseYaml } from "../config/load.ts";
import { gridPng } from "../images/grid.ts";
import { cacheDirFromEnv } from "../env.ts";
import { dataSourceOf } from "../data/factory.ts";
import { Rng } from "../rng.ts";
import { Trainer } from "../train/trainer.ts";
import { readMetrics, toJsonl } from "./files.ts";
import { writeAtomic } from "../files.ts";
import { UserError } from "../errors.ts";
import { lockRunFolder } from "./lock.ts";
import { checkRunWeights } from "./feature_spaces.ts";
import {
  dataManifest,
  DUEL_VERSION,
  gitCommit,
  type Manifest,
  newRunId,
  RunFolder,
} from "./run_folder.ts";
import {
  isImageData,
  PICTURE_IMAGES,
  type RunOptions,
  type RunSummary,
  train,
} from "./train_loop.ts";

export {
  isImageData,
  type MetricsRow,
  PICTURE_IMAGES,
  type RunOptions,
  type RunSummary,
  writeSamples,
} from "./train_loop.ts";

/** Creates `<parent>/<id>` (or `<id>-2`, `-3`, ... when taken) and returns it. */
async function claimFolder(parent: string, id: string): Promise<string> {
  await Deno.mkdir(parent, { recursive: true });
  for (let k = 1;; k++) {
    const dir = `${parent}/${k === 1 ? id : `${id}-${k}`}`;
    try {
      await Deno.mkdir(dir);
      return dir;
    } catch (e) {
      if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
    }
  }
}

/**
 * Runs a validated experiment in a new run folder. The resolved config is
 * written before training starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadExperiment, runExperiment } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const summary = await runExperiment(await loadExperiment(`${dir}/tiny.yaml`));
 * assert.ok(Number.isFinite(summary.final["eval/modes"]));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function runExperiment(
  loaded: LoadedExperiment,
  options: RunOptions = {},
): Promise<RunSummary> {
  const { config } = loaded;
  await checkRunWeights(config, options.extractorLoaders); // a bad file: one line, nothing written
  const backend = await useBackend(config.backend.name, config.backend.threads);
  const dir = options.runDir ??
    await claimFolder(`${config.output.root}/${config.name}`, newRunId(loaded.hash));
  if (options.runDir) {
    await Deno.mkdir(dir, { recursive: true });
    if ([...Deno.readDirSync(dir)].length) {
      throw new UserError(`${dir}: run folder exists and is not empty`);
    }
  }
  const folder = new RunFolder(dir);
  const lock = lockRunFolder(dir, warn(options));
  try {
    return await startRun(folder, loaded, backend, options);
  } finally {
    lock.release();
  }
}

/** Where warnings go: `options.onWarning`, else standard error. */
const warn = (options: RunOptions) => options.onWarning ?? ((line: string) => console.error(line));

async function startRun(
  folder: RunFolder,
  loaded: LoadedExperiment,
  backend: Awaited<ReturnType<typeof useBackend>>,
  options: RunOptions,
): Promise<RunSummary> {
  const { config } = loaded;
  const dir = folder.dir;
  await Deno.mkdir(folder.checkpoints);
  await Deno.mkdir(folder.samples);
  await writeAtomic(folder.config, loaded.resolvedYaml);
  const data = loaded.data ?? dataSourceOf(config.data, { dir: cacheDirFromEnv() ?? null });
  const trainer = Trainer.create(config, { data });
  try {
    const manifest: Manifest = {
      duel: DUEL_VERSION,
      deno: Deno.version.deno,
      ...backend,
      seed: config.seed,
      data: dataManifest(config.data.name, trainer.data),
      config_hash: loaded.hash,
      run_id: dir.split("/").pop()!,
      command_line: options.commandLine ?? [],
      git_commit: await gitCommit(),
      started_at: new Date().toISOString(),
      platform: `${Deno.build.os}-${Deno.build.arch}`,
    };
    await writeAtomic(folder.manifest, JSON.stringify(manifest, null, 2) + "\n");
    if (isImageData(trainer.data)) {
      const real = trainer.data.sample(PICTURE_IMAGES, Rng.derive(config.seed, "eval/real"));
      await writeAtomic(folder.realPicture, gridPng(real, trainer.data.shape));
    }
  } catch (e) {
    trainer.dispose();
    throw e;
  }
  return await train(folder, loaded, trainer, 0, options);
}

/** Keys `--set` may change on `--resume`: how fast the players learn, the guard, threads. */
const RESUME_KEYS = /^(optimizer[.=]|train\.divergence_guard[.=]|backend\.threads=)/;

/** A record of a resume that changed the configuration (`manifest.json`, `config_changes`). */
export interface ConfigChange {
  /** The checkpoint step the changed configuration starts from. */
  readonly from_step: number;
  /** The `--set` arguments. */
  readonly set: readonly string[];
  /** The hash of the configuration before. */
  readonly from_hash: string;
  /** The hash after. */
  readonly to_hash: string;
}

/** Hashes a checkpoint of this folder may carry: today's, as written, and any changed away from. */
async function knownHashes(folder: RunFolder, text: string, hash: string): Promise<Set<string>> {
  // A folder written by an older Duel lacks keys added since; their defaults keep the old
  // behaviour, so its checkpoints match the file as written (the hash it was saved with).
  const hashes = new Set([hash, configHash(parseYaml(text, folder.config).data)]);
  const manifest = await Deno.readTextFile(folder.manifest).then(JSON.parse, () => ({}));
  for (const c of (manifest.config_changes ?? []) as ConfigChange[]) hashes.add(c.from_hash);
  return hashes;
}

/**
 * Continues a run from its newest intact checkpoint; the metrics log is cut
 * back to that step, so the finished run is identical to an uninterrupted one.
 * The folder is locked first (a second writer is refused), temporary files of
 * interrupted writes are removed, and a checkpoint that fails verification is
 * set aside with a warning for the newest one that passes.
 * `options.overrides` (`optimizer.*`, `train.divergence_guard.*` only) change
 * the configuration from the checkpoint on, e.g. a lower learning rate after
 * a divergence; the change is recorded in the manifest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadExperiment, resumeRun, runExperiment } from "../../mod.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/tiny.yaml`, `name: tiny
 * data: { name: ring8 }
 * train: { steps: 4, batch_size: 8 }
 * eval: { every: 2, samples: 200 }
 * generator: { layers: [{ type: dense, units: 2 }] }
 * discriminator: { layers: [{ type: dense, units: 1 }] }
 * output: { root: ${dir}/runs }
 * `);
 * const summary = await runExperiment(await loadExperiment(`${dir}/tiny.yaml`));
 * // Resuming a finished run trains no further and returns its summary.
 * const resumed = await resumeRun(summary.run_dir);
 * assert.deepEqual(resumed.final, summary.final);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function resumeRun(dir: string, options: RunOptions = {}): Promise<RunSummary> {
  const folder = new RunFolder(dir.replace(/\/+$/, ""));
  let text: string;
  try {
    text = await Deno.readTextFile(folder.config);
  } catch {
    throw new UserError(
      `${folder.config}: cannot read it; --resume takes a run folder (runs/<name>/<run id>)`,
    );
  }
  const overrides = options.overrides ?? [];
  const wrong = overrides.find((o) => !RESUME_KEYS.test(o));
  if (wrong !== undefined) {
    throw new UserError(
      `--set ${wrong}: not with --resume (valid: optimizer.*, train.divergence_guard.*, ` +
        `backend.threads; ` +
        `e.g. a lower learning rate after a divergence)`,
    );
  }
  const lock = lockRunFolder(folder.dir, warn(options));
  try {
    return await continueRun(folder, text, overrides, options);
  } finally {
    lock.release();
  }
}

async function continueRun(
  folder: RunFolder,
  text: string,
  overrides: readonly string[],
  options: RunOptions,
): Promise<RunSummary> {
  const loaded = parseExperiment(text, {
    file: folder.config,
    overrides,
    loadData: true,
    cacheDir: cacheDirFromEnv(),
  });
  const before = overrides.length ? parseExperiment(text, { file: folder.config }) : loaded;
  await checkRunWeights(loaded.config, options.extractorLoaders);
  await folder.removeTemporaries();
  await useBackend(loaded.config.backend.name, loaded.config.backend.threads);
  const logged = await readMetrics(folder.metrics);
  const ckpt = await folder.intactCheckpoint(new Set(logged.map((r) => r.step)), warn(options));
  const trainer = Trainer.create(loaded.config, { data: loaded.data });
  try {
    if (ckpt) {
      if (!(await knownHashes(folder, text, before.hash)).has(ckpt.configHash)) {
        throw new UserError(
          `${folder.checkpoints}: checkpoint belongs to another configuration (hash ${
            ckpt.configHash.slice(0, 8)
          })`,
        );
      }
      trainer.load(ckpt.state);
    }
  } catch (e) {
    trainer.dispose();
    throw e;
  }
  if (overrides.length && loaded.hash !== before.hash) {
    await recordChange(folder, {
      from_step: ckpt?.state.step ?? 0,
      set: overrides,
      from_hash: before.hash,
      to_hash: loaded.hash,
    });
    await writeAtomic(folder.config, loaded.resolvedYaml);
  }
  await Deno.remove(folder.summary).catch(() => {}); // a stopped run's summary no longer holds
  const kept = logged.filter((r) => r.step <= (ckpt ? ckpt.state.step : -1));
  await writeAtomic(folder.metrics, toJsonl(kept));
  return await train(folder, loaded, trainer, ckpt?.elapsed ?? 0, options);
}

/** Appends `change` to the manifest's `config_changes`. */
async function recordChange(folder: RunFolder, change: ConfigChange): Promise<void> {
  const manifest = JSON.parse(await Deno.readTextFile(folder.manifest));
  const next = { ...manifest, config_changes: [...(manifest.config_changes ?? []), change] };
  await writeAtomic(folder.manifest, JSON.stringify(next, null, 2) + "\n");
}
