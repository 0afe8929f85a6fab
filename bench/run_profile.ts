/**
 * Where a whole run's time goes: runs an experiment (default the README's
 * `experiments/ring8.yaml`) in this process under V8's sampling profiler
 * (`node:inspector`) into a temporary run folder, exactly as `deno task
 * experiment --quiet` would, and prints each phase's share of the wall time:
 * start-up (module load, config, backend and kernels, trainer), the critic and
 * generator updates, the EMA, the rows and the progress, each evaluation's
 * parts, the views, the report, the checkpoints. A sample is charged to the
 * outermost phase function on its stack, so the phases do not overlap. A
 * second table charges each sample to the code it ran in ({@link byCode}):
 * Duel's Rust kernels by calling file, tfjs-wasm's, tfjs's JavaScript, Duel's.
 *
 *   deno run -A bench/run_profile.ts [experiment.yaml] [--set key=value ...]
 *     [--interval-us 500] [--cpuprofile out.cpuprofile]
 * @module
 */
import { parseArgs } from "node:util";
import { Session } from "node:inspector";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Phases, outermost first: a sample is charged to the first phase (in stack
 * order, root to leaf) whose pattern matches a function name and, where given,
 * the script's file. Order in this list breaks ties only within one frame.
 */
export const PHASES: readonly { phase: string; fn: RegExp; file?: RegExp }[] = [
  { phase: "start-up: load experiment", fn: /^loadExperiment$/ },
  { phase: "start-up: backend + kernels", fn: /^useBackend$/ },
  { phase: "start-up: trainer + folder", fn: /^(startRun|create)$/, file: /experiment|trainer/ },
  { phase: "eval: views", fn: /^writeRunViews$/ },
  { phase: "eval: report.html", fn: /^writeRunReport$/ },
  { phase: "eval: samples file", fn: /^writeSamples$/ },
  { phase: "eval: metrics", fn: /^evaluate$/ },
  { phase: "checkpoints", fn: /^(saveCheckpoint|state)$/, file: /run_folder|trainer/ },
  { phase: "step: critic", fn: /^#criticStep$/ },
  { phase: "step: generator", fn: /^#generatorStep$/ },
  { phase: "step: EMA", fn: /^#updateEma$/ },
  { phase: "rows: metrics.jsonl + progress", fn: /^record$/, file: /train_loop/ },
  { phase: "step: divergence verdict", fn: /^(verdict|nonFiniteTensors)$/ },
];

/** Evaluation parts, charged within `eval: metrics` by the innermost of these. */
const EVAL_PARTS: readonly { part: string; fn: RegExp }[] = [
  { part: "sample 2,500", fn: /^sample$/ },
  { part: "measure", fn: /^measure$/ },
];

const WAITS = new Set(["(idle)", "(garbage collector)", "(program)"]);

/** Milliseconds per phase (and per evaluation part) of a profile. */
export function phases(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string>();
  const classify = (id: number): string => {
    const known = memo.get(id);
    if (known) return known;
    const stack: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      stack.unshift(byId.get(at)!);
    }
    let label = "";
    for (const n of stack) {
      const { functionName: fn, url } = n.callFrame;
      const hit = PHASES.find((p) => p.fn.test(fn) && (!p.file || p.file.test(url)));
      if (hit) {
        label = hit.phase;
        break;
      }
    }
    if (label === "eval: metrics") {
      const part = stack.findLast((n) =>
        EVAL_PARTS.some((p) => p.fn.test(n.callFrame.functionName))
      );
      const name = part && EVAL_PARTS.find((p) => p.fn.test(part.callFrame.functionName))!.part;
      const metric = stack.find((n) =>
        /metrics\/[a-z_]+\.ts/.test(n.callFrame.url) &&
        !/evaluate|metric_run|metric_table/.test(n.callFrame.url)
      );
      label += name === "measure" && metric
        ? ` / ${metric.callFrame.url.split("/").pop()!.replace(".ts", "")}`
        : name
        ? ` / ${name}`
        : " / other";
    }
    if (!label) {
      const leaf = stack.at(-1)!.callFrame.functionName;
      label = WAITS.has(leaf)
        ? leaf
        : stack.some((n) => n.callFrame.url.includes("train_loop"))
        ? "loop: other (trainer.run, awaits)"
        : "other: module load, summary, exit";
    }
    memo.set(id, label);
    return label;
  };
  // Idle time, the collector and V8's own work are charged to the phase sampled last before
  // them (awaited I/O, garbage the phase made), labelled as such.
  const ms = new Map<string, number>();
  let previous = "other: module load, summary, exit";
  profile.samples.forEach((id, i) => {
    let label = classify(id);
    if (WAITS.has(label)) label = `${previous}, ${label}`;
    else previous = label;
    ms.set(label, (ms.get(label) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return ms;
}

/**
 * What code a sample's own time (the leaf of its stack) ran in, by the table
 * below, first match wins: WebAssembly is charged to the module's caller (its
 * nearest JavaScript frame with a script, past V8's `js-to-wasm` stubs), so
 * Duel's Rust kernels (called from `src/backend/rust/`) are told from
 * tfjs-wasm's (XNNPACK and its C++ kernels), and Duel's are split by the file
 * that called them.
 */
export const CODE: readonly { code: string; test: (leaf: Frame, caller?: Frame) => boolean }[] = [
  { code: "(garbage collector)", test: (l) => l.functionName === "(garbage collector)" },
  { code: "(idle)", test: (l) => l.functionName === "(idle)" },
  { code: "(program)", test: (l) => l.functionName === "(program)" },
  {
    code: "Duel's Rust kernels",
    test: (l, c) => isWasm(l) && /\/src\/backend\/rust\//.test(c?.url ?? ""),
  },
  { code: "tfjs-wasm's kernels (XNNPACK, C++)", test: (l) => isWasm(l) },
  { code: "tfjs-core (engine, tape, ops; JS)", test: (l) => /tfjs-core|tf-core/.test(l.url) },
  { code: "tfjs-backend-wasm (JS)", test: (l) => /tfjs-backend-wasm|tf-backend-wasm/.test(l.url) },
  { code: "other tfjs (JS)", test: (l) => /@tensorflow/.test(l.url) },
  {
    // The caller spinning while another thread finishes its parts of a kernel call (2+ threads).
    code: "Duel's kernel threads, waiting for parts",
    test: (l) => l.functionName === "waitChange" && /kernel_threads\.ts$/.test(l.url),
  },
  { code: "Duel's TypeScript", test: (l) => /\/(src|bench)\/.*\.ts$/.test(l.url) },
  { code: "Deno, npm packages, other", test: () => true },
];

type Frame = ProfileNode["callFrame"];
const isWasm = (f: Frame) => f.url.startsWith("wasm://");

/**
 * Milliseconds of own time per kind of code ({@link CODE}); Duel's Rust
 * kernels also per calling file (`Duel's Rust kernels / dense_chain.ts`).
 */
export function byCode(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ms = new Map<string, number>();
  const add = (label: string, v: number) => ms.set(label, (ms.get(label) ?? 0) + v);
  profile.samples.forEach((id, i) => {
    const leaf = byId.get(id)!.callFrame;
    let caller: Frame | undefined;
    for (let at = parent.get(id); at !== undefined && !caller; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!isWasm(frame) && frame.url !== "") caller = frame; // past V8's js-to-wasm stubs
    }
    const code = CODE.find((c) => c.test(leaf, caller))!.code;
    const v = (profile.timeDeltas[i] ?? 0) / 1000;
    add(code, v);
    if (code === "Duel's Rust kernels") add(`${code} / ${caller!.url.split("/").pop()}`, v);
  });
  return ms;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      set: { type: "string", multiple: true, default: [] },
      "interval-us": { type: "string", default: "500" },
      cpuprofile: { type: "string" },
    },
  });
  const file = positionals[0] ?? new URL("../experiments/ring8.yaml", import.meta.url).pathname;
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params: object = {}) =>
    new Promise<T>((ok, fail) =>
      session.post(method, params, (e: unknown, r: unknown) => e ? fail(e) : ok(r as T))
    );
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: Number(values["interval-us"]) });
  const t0 = performance.now();
  await post("Profiler.start");
  // Start-up in steps (the run's own useBackend call then finds the backend ready).
  const marks: [string, number][] = [["profiler started", performance.now() - t0]];
  const mark = (what: string) => marks.push([what, performance.now() - t0]);
  const { loadExperiment } = await import("../src/config/load.ts");
  const { runExperiment } = await import("../src/runs/experiment.ts");
  const { useBackend } = await import("../src/backend/tfjs.ts");
  mark("modules loaded");
  const loaded = await loadExperiment(file, values.set);
  mark("experiment loaded");
  await useBackend(loaded.config.backend.name, loaded.config.backend.threads);
  mark("backend, kernels compiled and warmed up");
  const runDir = await Deno.makeTempDir({ prefix: "duel-profile-" });
  const summary = await runExperiment(loaded, {
    runDir,
    onRow: (row) => {
      if (row.step === 0) mark("evaluation at step 0 recorded");
      if (row.step === 1) mark("first step recorded");
    },
  });
  const wall = performance.now() - t0;
  const { profile } = await post<{ profile: Profile }>("Profiler.stop");
  if (values.cpuprofile) await Deno.writeTextFile(values.cpuprofile, JSON.stringify(profile));
  await Deno.remove(runDir, { recursive: true });
  const ms = phases(profile);
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  console.log(
    `${file}: ${summary.steps} steps, ${(wall / 1000).toFixed(1)} s wall in this process ` +
      `(profiled), ${(total / summary.steps).toFixed(2)} ms per step overall; start-up: ` +
      marks.map(([what, at]) => `${what} at ${(at / 1000).toFixed(2)} s`).join(", "),
  );
  const own = new Map<string, number>();
  for (const [label, v] of ms) {
    const phase = label.replace(/, \(.*\)$/, "").replace(/ \/ .*$/, "");
    own.set(phase, (own.get(phase) ?? 0) + v);
  }
  const table = (title: string, column: string, rows: readonly [string, number][]) => {
    console.log(`\n${title}\n| ${column} | ms | share | ms per step |\n| --- | --- | --- | --- |`);
    for (const [label, v] of rows) {
      console.log(
        `| ${label} | ${v.toFixed(0)} | ${(100 * v / total).toFixed(1)}% | ` +
          `${(v / summary.steps).toFixed(3)} |`,
      );
    }
  };
  const slowest = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  table(
    "By phase (idle, collector and V8 time after each included; evaluation parts summed):",
    "phase",
    slowest(own),
  );
  const code = byCode(profile);
  // Each kind by its time, the calling files of Duel's kernels right under their total.
  const kind = (label: string) => code.get(label.replace(/ \/ .*$/, ""))!;
  table(
    "By code (own time of the sampled function; WebAssembly by its caller):",
    "code",
    [...code].sort((a, b) =>
      kind(b[0]) - kind(a[0]) || Number(a[0].includes(" / ")) - Number(b[0].includes(" / ")) ||
      b[1] - a[1]
    ),
  );
  table("In detail:", "phase", slowest(ms));
  Deno.exit(0); // threaded backends keep workers alive
}
