/**
 * Time to extract FID Inception features (pool3, 2048-d, images resized to
 * 299x299) for N images on the wasm backend on 1 and 2 threads, and the proxy
 * extractor's time for the same images, in one run. Weights: the file named by
 * `--weights` or `$DUEL_INCEPTION` when given, else seeded random weights of
 * the FID network's layout (the time does not depend on the values). Images:
 * seeded uniform noise in [-1, 1], `--size` (default 64x64x3), made outside
 * the timed part. Prints the host's CPU model and SIMD flags first.
 *
 *     deno run -A bench/inception_features.ts [--n 10000] [--threads 1,2] [--size 64,64,3] \
 *       [--weights file]
 *
 * (`-A` only so that the host's SIMD flags can be read from /proc/cpuinfo; `--allow-read
 * --allow-write --allow-env --allow-sys=cpus` run it without them.)
 */
import { cpus } from "node:os";
import process from "node:process";
import { parseArgs } from "node:util";
import { useBackend } from "../src/backend/tfjs.ts";
import { inceptionPathFromEnv } from "../src/env.ts";
import { inceptionExtractor, loadInception } from "../src/metrics/inception/extractor.ts";
import { BN_KEYS, FID_CONVS } from "../src/metrics/inception/layout.ts";
import { type FeatureExtractor, PROXY_EXTRACTOR } from "../src/metrics/proxy_features.ts";
import type { PthEntry } from "../src/metrics/torch_pth.ts";
import { Rng } from "../src/rng.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    n: { type: "string", default: "10000" },
    threads: { type: "string", default: "1,2" },
    size: { type: "string", default: "64,64,3" },
    weights: { type: "string" },
  },
});
const N = Number(values.n), SHAPE = values.size.split(",").map(Number);
const THREADS = values.threads.split(",").map(Number);
const CHUNK = 64;

/** The host: CPU model, cores, and the x86 SIMD flags the wasm engine may use. */
function host(): string {
  let flags = "unknown";
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const all = info.match(/^flags\s*:\s*(.*)$/m)?.[1].split(/\s+/) ?? [];
    flags = all.filter((f) => /^(sse4_1|sse4_2|avx|avx2|fma|avx512f|avx512_vnni)$/.test(f))
      .join(" ");
  } catch {
    flags = "unknown (Deno reads /proc/cpuinfo only with -A)";
  }
  return `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} logical cores, SIMD: ${flags}`;
}

/** Seeded random weights with the FID network's keys and shapes (He-normal convolutions). */
function randomWeights(): Map<string, PthEntry> {
  const out = new Map<string, PthEntry>();
  const entry = (shape: number[], data: Float32Array): PthEntry => ({
    shape,
    storage: "FloatStorage",
    read: () => data,
  });
  for (const c of FID_CONVS) {
    const rng = Rng.derive(0, `bench/inception/${c.name}`);
    const fanIn = c.cin * c.kh * c.kw;
    const w = rng.fillNormal(new Float32Array(c.cout * fanIn), 0, Math.sqrt(2 / fanIn));
    out.set(`${c.name}.conv.weight`, entry([c.cout, c.cin, c.kh, c.kw], w));
    const bn: Record<(typeof BN_KEYS)[number], Float32Array> = {
      weight: new Float32Array(c.cout).fill(1),
      bias: new Float32Array(c.cout),
      running_mean: new Float32Array(c.cout),
      running_var: new Float32Array(c.cout).fill(1),
    };
    for (const k of BN_KEYS) out.set(`${c.name}.bn.${k}`, entry([c.cout], bn[k]));
  }
  return out;
}

/**
 * Wall-clock and CPU seconds (the process's user + system time, every thread) for `extractor`
 * over N images (made in chunks, outside the timed part). On a busy host the CPU time is the
 * steadier figure; the wall time is what a user waits.
 */
function time(extractor: FeatureExtractor): { wall: number; cpu: number } {
  const size = SHAPE.reduce((a, b) => a * b, 1), rng = Rng.derive(1, "bench/inception/images");
  let wall = 0, cpu = 0;
  for (let i = 0; i < N; i += CHUNK) {
    const m = Math.min(CHUNK, N - i), images = new Float32Array(m * size);
    for (let k = 0; k < images.length; k++) images[k] = 2 * rng.uniform() - 1;
    const t = performance.now(), c = process.cpuUsage();
    extractor.features(images, SHAPE);
    const used = process.cpuUsage(c);
    wall += (performance.now() - t) / 1000;
    cpu += (used.user + used.system) / 1e6;
  }
  return { wall, cpu };
}

console.log(`host: ${host()}`);
const info = await useBackend("wasm", 1);
console.log(`backend: ${info.backend}, tfjs ${info.tfjs}, kernels: ${info.kernels.join(" ")}`);
const path = values.weights ?? inceptionPathFromEnv();
const inception = path
  ? await loadInception(path)
  : inceptionExtractor(randomWeights(), "random (bench seed 0)");
console.log(`weights: ${path ?? "seeded random weights of the FID layout"}`);
console.log(`images: ${N} of ${SHAPE.join("x")}, ${inception.resize}`);
const fmt = ({ wall, cpu }: { wall: number; cpu: number }) =>
  `wall ${wall.toFixed(1)} s for ${N} images (${(1000 * wall / N).toFixed(0)} ms/image; ` +
  `${(10000 * wall / N / 60).toFixed(1)} min per 10,000 at this rate), ` +
  `CPU ${cpu.toFixed(1)} s (${(1000 * cpu / N).toFixed(0)} ms/image)`;
for (const threads of THREADS) {
  await useBackend("wasm", threads);
  inception.features(new Float32Array(SHAPE.reduce((a, b) => a * b, 1)), SHAPE); // warm-up
  console.log(`inception_v3_fid, wasm ${threads} thread(s): ${fmt(time(inception))}`);
}
console.log(`${PROXY_EXTRACTOR.name} (JavaScript, 1 thread): ${fmt(time(PROXY_EXTRACTOR))}`);
inception.dispose();
