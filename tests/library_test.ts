/**
 * Duel inside someone else's project: the consumer example in its own folder,
 * a project outside the checkout that names Duel only through `links`, Duel
 * served over HTTP on 127.0.0.1, and bad input from code.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, defineExperiment, type ExperimentInput } from "../mod.ts";

const REPO = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const CONSUMER = `${REPO}/examples/consumer`;
const ENV = "DUEL_CACHE_DIR,XDG_CACHE_HOME,HOME,TMPDIR,TMP,TEMP,LOG_TOKENS,LOG_STREAM";

async function deno(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder();
  return { code: out.code, out: text.decode(out.stdout) + text.decode(out.stderr) };
}

const runFlags = (write: string) => [
  "run",
  "--allow-read",
  `--allow-write=${write}`,
  `--allow-env=${ENV}`,
  "--allow-sys=cpus",
];

Deno.test("examples/consumer trains, evaluates and writes samples from its own folder", async () => {
  await Deno.remove(`${CONSUMER}/out`, { recursive: true }).catch(() => {});
  const { code, out } = await deno([...runFlags("out"), "main.ts", "40"], CONSUMER);
  assert.equal(code, 0, out);
  assert.match(out, /Rust kernels active: [1-9]/);
  assert.match(out, /step 40: modes \d/);
  const csv = await Deno.readTextFile(`${CONSUMER}/out/samples.csv`);
  assert.equal(csv.trim().split("\n").length, 1001); // header + 1000 samples
  assert.match(await Deno.readTextFile(`${CONSUMER}/out/samples.svg`), /^<svg[\s\S]*class="fake"/);
  await Deno.remove(`${CONSUMER}/out`, { recursive: true });
});

Deno.test("a project outside the checkout uses Duel through the README's deno.json entry", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_user_" });
  // The README's documented entry, nothing else: no copy of Duel's imports map.
  await Deno.writeTextFile(
    join(dir, "deno.json"),
    JSON.stringify({ links: [REPO], imports: { "@duel/duel": "jsr:@duel/duel@^0.1.0" } }),
  );
  await Deno.copyFile(`${CONSUMER}/main.ts`, join(dir, "main.ts"));
  const { code, out } = await deno([...runFlags("out"), "main.ts", "30"], dir);
  assert.equal(code, 0, out);
  assert.match(out, /Rust kernels active: [1-9]/);
  assert.match(out, /trained 30 steps/);
  await Deno.remove(dir, { recursive: true });
});

/** Serves the checkout's files (only files under it, no symlinks out) on 127.0.0.1. */
function serveRepo(): { url: string; close: () => Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    if (path.split("/").includes("..")) return new Response("not found", { status: 404 });
    try {
      const real = await Deno.realPath(REPO + path);
      if (!real.startsWith(`${REPO}/`)) return new Response("not found", { status: 404 });
      return new Response(await Deno.readFile(real));
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("mod.ts imported over HTTP from 127.0.0.1 trains on 2 threads with the Rust kernels", async () => {
  const { url, close } = serveRepo();
  const dir = await Deno.makeTempDir({ prefix: "duel_http_" });
  try {
    await Deno.writeTextFile(join(dir, "deno.json"), "{}");
    await Deno.writeTextFile(
      join(dir, "main.ts"),
      `import { defineExperiment, train } from "${url}/mod.ts";
const experiment = defineExperiment({
  name: "http", data: { name: "ring8" }, noise: { dim: 2 },
  generator: { layers: [{ type: "dense", units: 16 }, { type: "relu" }, { type: "dense", units: 2 }] },
  discriminator: { layers: [{ type: "dense", units: 16 }, { type: "relu" }, { type: "dense", units: 1 }] },
  train: { steps: 10, batch_size: 32, checkpoint_every: 10 }, eval: { every: 5, samples: 100 },
  backend: { name: "wasm", threads: 2 }, // the kernel threads' worker script comes over HTTP too
});
const result = await train(experiment, { runDir: "run" });
console.log("steps", result.steps);
`,
    );
    const host = new URL(url).host;
    const { code, out } = await deno(
      [
        // The threaded wasm backend writes its worker files to the temporary folder.
        ...runFlags(`${dir},${Deno.env.get("TMPDIR") ?? "/tmp"}`),
        `--allow-import=${host}`,
        `--allow-net=${host}`,
        "--allow-run=git",
        "main.ts",
      ],
      dir,
    );
    assert.equal(code, 0, out);
    assert.match(out, /steps 10/);
    const manifest = JSON.parse(await Deno.readTextFile(join(dir, "run", "manifest.json")));
    assert.ok(manifest.kernels.some((k: string) => k.startsWith("matmul_rust")), manifest.kernels);
  } finally {
    await close();
    await Deno.remove(dir, { recursive: true });
  }
});

const GOOD: ExperimentInput = {
  name: "code",
  data: { name: "ring8" },
  noise: { dim: 2 },
  generator: {
    layers: [{ type: "dense", units: 8 }, { type: "relu" }, { type: "dense", units: 2 }],
  },
  discriminator: { layers: [{ type: "dense", units: 8 }, { type: "dense", units: 1 }] },
};

Deno.test("bad input from code: one ConfigError naming the key path and what is valid", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_bad_code_" });
  const cases: [string, unknown, string, RegExp][] = [
    ["unknown key", { ...GOOD, trian: { steps: 3 } }, "trian", /unknown key.*valid: .*train/],
    [
      "wrong type",
      { ...GOOD, generator: { layers: [{ type: "dense", units: "8" }] } },
      "generator.layers[0].units",
      /got string "8" \(valid: integer >= 1/,
    ],
    [
      "a layer that cannot take its input",
      {
        ...GOOD,
        generator: {
          layers: [{ type: "dense", units: 8 }, { type: "conv2d", filters: 4, kernel: 3 }, {
            type: "dense",
            units: 2,
          }],
        },
      },
      "generator.layers[1]",
      /conv2d/,
    ],
  ];
  for (const [what, input, path, message] of cases) {
    assert.throws(
      () => defineExperiment(input as ExperimentInput),
      (e) => e instanceof ConfigError && e.path.startsWith(path) && message.test(e.message),
      what,
    );
  }
  assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing written
  await Deno.remove(dir);
});

Deno.test("the README's library example runs as written in a project using the documented entry", async () => {
  const readme = await Deno.readTextFile(`${REPO}/README.md`);
  const section = readme.slice(readme.indexOf("## Use as a library"));
  const json = section.match(/```json\n([\s\S]*?)```/)![1];
  const code = section.match(/```ts\n([\s\S]*?)```/)![1];
  const entry = JSON.parse(json);
  assert.deepEqual(Object.keys(entry).sort(), ["imports", "links"]);
  const dir = await Deno.makeTempDir({ prefix: "duel_readme_" });
  try {
    await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify({ ...entry, links: [REPO] }));
    await Deno.writeTextFile(join(dir, "main.ts"), code);
    const { code: exit, out } = await deno([...runFlags(dir), "main.ts"], dir);
    assert.equal(exit, 0, out);
    assert.match(out, /^40 \d/m); // the last evaluation's line
    assert.match(out.trim(), /\n500$/); // 500 samples as CSV rows
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
