/**
 * The run folder layout, `<root>/<name>/<run id>/`:
 *
 * ```text
 * config.resolved.yaml     the validated configuration (written first)
 * manifest.json            versions, seed, backend, data split, command line, git commit
 * metrics.jsonl            one JSON object per step (eval metrics on evaluation steps)
 * summary.json             the final metrics (written when training ends)
 * checkpoints/step-<8 digits>.ckpt   the newest two checkpoints
 * samples/                 evaluation samples (fixed noise), by data kind:
 *   vectors (toy sets):    step-<8 digits>.csv, one per evaluation
 *   images ([h, w, c]):    step-<8 digits>.png, one grid per evaluation;
 *                          final.png (the last step's grid); real.png (real images, once)
 * ```
 * @module
 */
import type { FeatureProtocolRecord } from "./feature_spaces.ts";
import type { AdapterInfo } from "../backend/webgpu.ts";
import type { DataSource } from "../data/source.ts";
import {
  type Checkpoint,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
} from "../train/checkpoint.ts";
import type { ClassifierRecipe } from "../metrics/mnist_classifier.ts";
import { writeAtomic } from "../files.ts";
import denoJson from "../../deno.json" with { type: "json" };

/** Paths inside one run folder. */
export class RunFolder {
  /** Names the paths of the run folder `dir`. @param dir the run folder, `<root>/<name>/<run id>` */
  constructor(readonly dir: string) {}
  /** `config.resolved.yaml`: the validated configuration, written before training. */
  get config(): string {
    return `${this.dir}/config.resolved.yaml`;
  }
  /** `manifest.json`: versions, seed, backend, command line, git commit. */
  get manifest(): string {
    return `${this.dir}/manifest.json`;
  }

  /**
   * Records the classifier behind the image metrics in `manifest.json`
   * (`image_classifiers`), unless the last one recorded is the same; returns
   * the one it replaces, if any (a resumed run measured with another recipe).
   * A folder without a readable manifest gets no record and a warning: the
   * run itself does not depend on it.
   */
  async recordImageClassifier(
    record: ImageClassifierRecord,
  ): Promise<ImageClassifierRecord | undefined> {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(await Deno.readTextFile(this.manifest));
    } catch (e) {
      const why = (e as Error).message.split("\n")[0];
      console.error(`duel: warning: ${this.manifest}: cannot record the image classifier (${why})`);
      return undefined;
    }
    const before = manifest.image_classifiers ?? [];
    const last = before.at(-1);
    if (last?.key === record.key) return undefined;
    const next = { ...manifest, image_classifiers: [...before, record] };
    await writeAtomic(this.manifest, JSON.stringify(next, null, 2) + "\n");
    return last;
  }

  /** `metrics.jsonl`: one JSON object per step. */
  get metrics(): string {
    return `${this.dir}/metrics.jsonl`;
  }
  /** `summary.json`: the final metrics, written when training ends. */
  get summary(): string {
    return `${this.dir}/summary.json`;
  }
  /** `checkpoints/`: the newest two checkpoints. */
  get checkpoints(): string {
    return `${this.dir}/checkpoints`;
  }
  /** `samples/`: evaluation samples, a CSV (vectors) or PNG grid (images) per evaluation. */
  get samples(): string {
    return `${this.dir}/samples`;
  }
  /** The CSV of evaluation samples taken at `step` (vector data). */
  samplesAt(step: number): string {
    return `${this.samples}/step-${String(step).padStart(8, "0")}.csv`;
  }
  /** The PNG grid of evaluation samples taken at `step` (image data). */
  picturesAt(step: number): string {
    return `${this.samples}/step-${String(step).padStart(8, "0")}.png`;
  }
  /** `samples/final.png`: the grid of the last step's evaluation samples (image data). */
  get finalPicture(): string {
    return `${this.samples}/final.png`;
  }
  /** `samples/real.png`: a grid of real training images (image data), written once. */
  get realPicture(): string {
    return `${this.samples}/real.png`;
  }

  /** Writes a checkpoint atomically and keeps only the newest `keep`. */
  async saveCheckpoint(ckpt: Checkpoint, keep = 2): Promise<void> {
    const name = `step-${String(ckpt.state.step).padStart(8, "0")}.ckpt`;
    await writeAtomic(`${this.checkpoints}/${name}`, encodeCheckpoint(ckpt));
    const all = await this.#checkpointFiles();
    for (const old of all.slice(0, Math.max(0, all.length - keep))) {
      await Deno.remove(`${this.checkpoints}/${old}`);
    }
  }

  /** The newest checkpoint that reads back intact, or undefined when there is none. */
  async latestCheckpoint(): Promise<Checkpoint | undefined> {
    for (const name of (await this.#checkpointFiles()).reverse()) {
      const read = await this.readCheckpoint(name);
      if ("ckpt" in read) return read.ckpt;
    }
    return undefined;
  }

  /** The newest checkpoint's file name, or undefined when there is none. */
  async newestCheckpointName(): Promise<string | undefined> {
    return (await this.#checkpointFiles()).at(-1);
  }

  /**
   * Reads and verifies one checkpoint file (`step-<n>.ckpt`): its checksum
   * (see `decodeCheckpoint`), and its step against its name and, when
   * `loggedSteps` is given, against the metrics log (the row of a step is
   * written before its checkpoint).
   */
  async readCheckpoint(
    name: string,
    loggedSteps?: ReadonlySet<number>,
  ): Promise<{ ckpt: Checkpoint } | { why: string }> {
    let ckpt: Checkpoint;
    try {
      ckpt = decodeCheckpoint(await Deno.readFile(`${this.checkpoints}/${name}`));
    } catch (e) {
      if (e instanceof CheckpointError || e instanceof Deno.errors.NotFound) {
        return { why: (e as Error).message };
      }
      throw e;
    }
    const named = Number(/^step-(\d{8})\.ckpt$/.exec(name)?.[1]);
    if (ckpt.state.step !== named) {
      return { why: `its header says step ${ckpt.state.step}, its name step ${named}` };
    }
    if (loggedSteps && !loggedSteps.has(named)) {
      return { why: `metrics.jsonl has no row for step ${named}` };
    }
    return { ckpt };
  }

  /**
   * The newest checkpoint that verifies (see {@link RunFolder.readCheckpoint}),
   * for a resume. Each newer one that does not is renamed `<name>.corrupt` (so
   * rotation never keeps it over a good one) and reported through `warn`, one
   * line naming the file, why, and what is used instead.
   */
  async intactCheckpoint(
    loggedSteps: ReadonlySet<number>,
    warn: (line: string) => void,
  ): Promise<Checkpoint | undefined> {
    const names = (await this.#checkpointFiles()).reverse();
    for (const [i, name] of names.entries()) {
      const read = await this.readCheckpoint(name, loggedSteps);
      if ("ckpt" in read) return read.ckpt;
      const file = `${this.checkpoints}/${name}`;
      await Deno.rename(file, `${file}.corrupt`);
      const next = names[i + 1];
      warn(
        `duel: warning: ${file}: ${read.why}; moved to ${name}.corrupt, resuming from ${
          next ? `an older checkpoint (${next}) if it verifies` : "the start (no older checkpoint)"
        }`,
      );
    }
    return undefined;
  }

  /**
   * Removes the temporary files of interrupted atomic writes (`*.tmp`) in the
   * run folder, `checkpoints/` and `samples/`; returns how many.
   */
  async removeTemporaries(): Promise<number> {
    let removed = 0;
    for (const dir of [this.dir, this.checkpoints, this.samples]) {
      try {
        for await (const e of Deno.readDir(dir)) {
          if (e.isFile && e.name.endsWith(".tmp")) {
            await Deno.remove(`${dir}/${e.name}`);
            removed++;
          }
        }
      } catch (e) {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      }
    }
    return removed;
  }

  async #checkpointFiles(): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(this.checkpoints)) {
        if (e.isFile && /^step-\d{8}\.ckpt$/.test(e.name)) names.push(e.name);
      }
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    return names.sort();
  }
}

/** A new run id: UTC time then the first 8 hex digits of the config hash. */
export function newRunId(hash: string, now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${t}-${hash.slice(0, 8)}`;
}

/**
 * Git, run so that nothing in the repository's configuration can execute:
 * no fsmonitor command, no hooks (and no optional index writes, which would
 * run them), and every clean/smudge/process filter driver the configuration
 * defines (read with `git config`, which runs nothing) switched off, since
 * `status` runs filters on files whose timestamps changed. Submodules (whose
 * own configuration would apply) are not entered.
 */
const SAFE_GIT = [
  "-c",
  "core.fsmonitor=false",
  "-c",
  "core.hooksPath=/dev/null",
  "--no-optional-locks",
] as const;

/** `-c` arguments that switch off each filter driver named in `names` (`git config` output). */
function noFilters(names: string): string[] {
  const drivers = new Set(
    names.split("\n").map((n) => /^filter\.(.+)\.[^.]+$/.exec(n.trim())?.[1]).filter(Boolean),
  );
  return [...drivers].flatMap((d) =>
    ["process=", "clean=", "smudge=", "required=false"].flatMap((kv) => ["-c", `filter.${d}.${kv}`])
  );
}

/**
 * The git commit of the working directory (or `cwd`), with `+dirty` for local
 * changes to tracked files, or null outside a repository or without git.
 */
export async function gitCommit(cwd?: string): Promise<string | null> {
  try {
    const run = (args: string[]) =>
      new Deno.Command("git", {
        args: [...SAFE_GIT, ...args],
        stdout: "piped",
        stderr: "null",
        stdin: "null",
        ...(cwd ? { cwd } : {}),
      }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
    const head = await run(["rev-parse", "HEAD"]);
    if (!head.success) return null;
    const filters = await run(["config", "--name-only", "--get-regexp", "^filter\\."]);
    const status = await run([
      ...noFilters(text(filters.stdout)),
      "status",
      "--porcelain",
      "--untracked-files=no",
      "--ignore-submodules=all",
    ]);
    const dirty = status.success && text(status.stdout) !== "";
    return text(head.stdout) + (dirty ? "+dirty" : "");
  } catch {
    return null;
  }
}

/** What the manifest records about the data: the split of a finite data set. */
export interface DataManifest {
  /** `data.name`. */
  readonly name: string;
  /** Training examples (finite sets only). */
  readonly train?: number;
  /** Held-out examples (finite sets only; 0 when none). */
  readonly held_out?: number;
  /** SHA-256 of which examples are in which split (finite sets only). */
  readonly split_hash?: string;
}

/**
 * The manifest's record of `data` (named `name`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataManifest, ring8 } from "../../mod.ts";
 * assert.deepEqual(dataManifest("ring8", ring8()), { name: "ring8" });
 * ```
 */
export function dataManifest(name: string, data: DataSource): DataManifest {
  if (!data.train) return { name };
  return {
    name,
    train: data.train.n,
    held_out: data.heldOut?.n ?? 0,
    ...(data.splitHash ? { split_hash: data.splitHash } : {}),
  };
}

/** What `manifest.json` records about a run. */
export interface Manifest {
  /** Duel's version. */
  readonly duel: string;
  /** Deno's version. */
  readonly deno: string;
  /** tfjs-core's version. */
  readonly tfjs: string;
  /** The tfjs backend that trained the run. */
  readonly backend: string;
  /** Threads used by the backend. */
  readonly threads: number;
  /** Kernel replacements in force. */
  readonly kernels: readonly string[];
  /** What a rerun reproduces: bit-exact, or within float32 tolerance (absent: older runs, bit-exact). */
  readonly reproducibility?: string;
  /** On webgpu: the adapter's vendor, architecture, description and limits. */
  readonly adapter?: AdapterInfo;
  /** The root seed. */
  readonly seed: number;
  /** The data set and, for finite sets, its split. */
  readonly data: DataManifest;
  /** SHA-256 of the resolved configuration. */
  readonly config_hash: string;
  /** The run folder's name. */
  readonly run_id: string;
  /** The command that started the run. */
  readonly command_line: readonly string[];
  /** Git commit of the working directory (`+dirty` with local changes), or null. */
  readonly git_commit: string | null;
  /** Start time, ISO 8601 UTC. */
  readonly started_at: string;
  /** Operating system and architecture. */
  readonly platform: string;
  /**
   * With image metrics: the classifier behind them (classifier scores depend on its recipe),
   * and from which step; a resumed run whose classifier differs appends one.
   */
  readonly image_classifiers?: readonly ImageClassifierRecord[];
  /** Image data: each feature space's protocol (`runs/feature_spaces.ts`), from which step. */
  readonly feature_protocols?: readonly FeatureProtocolRecord[];
}

/** The classifier behind a run's image metrics (see `MNIST_CLASSIFIER_RECIPE`). */
export interface ImageClassifierRecord {
  /** First evaluation step measured with it. */
  readonly from_step: number;
  /** Its cache key: SHA-256 of its training data, recipe and numerics. */
  readonly key: string;
  /** Its training recipe. */
  readonly recipe: ClassifierRecipe;
}

/** Duel's own version, from deno.json. */
export const DUEL_VERSION: string = denoJson.version;
