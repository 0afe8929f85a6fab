/**
 * `deno task fid <generated> <reference> [--inception weights.pth] [--n N] [--json]`:
 * compares two image sets with every metric that applies (FID or the proxy
 * FD, KID with its standard error, precision/recall/density/coverage, SWD per
 * level) and prints them with the protocol (extractor, weights hash, resize,
 * both sets' sources, splits and counts). `<generated>` is a folder of images
 * or a run folder (its generator at its newest checkpoint draws the images);
 * `<reference>` is either, or a statistics file. The reference's statistics
 * are cached (`$DUEL_CACHE_DIR/feature_stats/`) and their file printed, so it
 * can be given as `<reference>` next time. See `runs/image_inputs.ts` for
 * what each input means.
 * @module
 */
import { cacheDirFromEnv, inceptionPathFromEnv } from "../env.ts";
import { UserError } from "../errors.ts";
import {
  checkExtractor,
  chooseExtractor,
  EXTRACTOR_LOADERS,
  extractorKind,
  type ExtractorLoaders,
} from "../metrics/extractor_choice.ts";
import { cachedReferenceStats } from "../metrics/feature_stats.ts";
import { compareSets, type SetComparison } from "../metrics/set_compare.ts";
import { PROXY_MIN_SAMPLES } from "../metrics/proxy_metrics.ts";
import { type ImageInput, readImageInput } from "../runs/image_inputs.ts";
import { type Command, type Parsed, runCommand, UsageError } from "./command.ts";

const USAGE =
  `usage: deno task fid <generated: folder | run folder> <reference: folder | run folder | .stats file>
         [--inception pt_inception-2015-12-05-6726825d.pth] [--n N] [--json]
  --inception defaults to $DUEL_INCEPTION. Without either, the numbers are in the proxy
  feature space: not comparable with papers.
  --n N takes the first N images of a folder, or draws N from a run (default: its eval.samples).
  Exit codes: 0 done, 1 environment, 2 bad input.`;

const OPTIONS = {
  inception: { type: "string" },
  n: { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function countOf(input: ImageInput, arg: string): number {
  const n = input.kind === "stats"
    ? input.stats.stats.count
    : input.set.images.length / sizeOf(input.set.shape);
  if (n < PROXY_MIN_SAMPLES) {
    throw new UserError(
      `${arg}: ${n} image${n === 1 ? "" : "s"} (valid: at least ${PROXY_MIN_SAMPLES}, ` +
        "as the k-NN metrics need more than k = 5 a side)",
    );
  }
  return n;
}

/** The comparison as the table and protocol lines people read. */
export function fidText(r: SetComparison, statsLine: string): string {
  const p = r.protocol;
  const lines = [
    `generated  ${p.generated_source} (${p.generated_split}), ${p.n_generated} images`,
    `reference  ${p.source} (${p.split}), ${p.n_reference} images; ${statsLine}`,
    `extractor  ${p.extractor}, ${p.dim}-d, weights sha256 ${p.weights_sha256}`,
    `resize     ${p.resize}`,
    p.comparable_with_papers
      ? "           Inception features: comparable with papers under the same protocol"
      : "           proxy features: NOT comparable with papers (--inception <weights.pth> for FID)",
    "",
    "| metric | value | ± s.e. |",
    "|---|---|---|",
  ];
  for (const [key, value] of Object.entries(r.metrics)) {
    if (key.endsWith("_se")) continue;
    const se = r.metrics[`${key}_se`];
    lines.push(
      `| ${key} | ${value.toPrecision(5)} | ${se === undefined ? "" : se.toPrecision(2)} |`,
    );
  }
  for (const why of r.skipped) lines.push(`skipped: ${why}`);
  return lines.join("\n");
}

/**
 * The command (see the module doc); `loaders` choose how extractors are
 * checked and loaded (tests pass their own).
 */
export function fidCommand(
  loaders: ExtractorLoaders = EXTRACTOR_LOADERS,
): Command<typeof OPTIONS> {
  return { usage: USAGE, options: OPTIONS, main: (parsed) => main(parsed, loaders) };
}

async function main(
  { values, positionals }: Parsed<typeof OPTIONS>,
  loaders: ExtractorLoaders,
): Promise<number> {
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 2) throw new UsageError("expected two image sets");
  const n = values.n === undefined ? undefined : Number(values.n);
  if (n !== undefined && (!Number.isInteger(n) || n < PROXY_MIN_SAMPLES)) {
    throw new UsageError(`--n ${values.n}: not an integer >= ${PROXY_MIN_SAMPLES}`);
  }
  const inception = values.inception ?? inceptionPathFromEnv(); // --inception, else DUEL_INCEPTION
  const spec = inception === undefined ? {} : { inception };
  await checkExtractor(spec, loaders); // a bad weights file: one line before any image is read
  const cacheDir = cacheDirFromEnv() ?? null;
  const [genArg, refArg] = positionals;
  const gen = await readImageInput(genArg, n, cacheDir);
  if (gen.kind !== "images") {
    throw new UserError(
      `${genArg}: a statistics file can only be the reference (valid: a folder of images or a run folder)`,
    );
  }
  const ref = await readImageInput(refArg, n, cacheDir);
  countOf(gen, genArg);
  countOf(ref, refArg);
  const extractor = await chooseExtractor(spec, loaders);
  let statsLine: string;
  let reference;
  if (ref.kind === "stats") {
    reference = ref.stats;
    statsLine = `statistics ${ref.path}`;
    const p = reference.protocol;
    if (p.extractor !== extractor.name || p.weights_sha256 !== extractor.weightsHash) {
      throw new UserError(
        `${refArg}: measured with ${p.extractor} (weights ${p.weights_sha256.slice(0, 12)}) but ` +
          `this comparison uses ${extractor.name} (${extractor.weightsHash.slice(0, 12)}) ` +
          `(valid: the same extractor: ${
            p.extractor.startsWith("proxy") ? "no --inception" : "--inception with those weights"
          })`,
      );
    }
  } else {
    const { set } = ref;
    const got = await cachedReferenceStats(set.images, set.shape, extractor, set, cacheDir);
    reference = got.reference;
    statsLine = got.path
      ? `statistics ${got.path} (${
        got.from === "disk" ? "read from the cache" : "computed, cached"
      })`
      : "statistics computed (no cache folder)";
  }
  const refImages = ref.kind === "images" ? ref.set : undefined;
  const result = compareSets(gen.set, reference, extractor, refImages, extractorKind(spec));
  if (values.json) console.log(JSON.stringify({ ...result, statistics: statsLine }, null, 2));
  else console.log(fidText(result, statsLine));
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runCommand(fidCommand(), Deno.args));
}
