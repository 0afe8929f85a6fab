/**
 * The board: path checks and listing without a browser, and the page driven
 * in Chromium (tests/browser/board_check.ts): two runs listed, one opened
 * with its charts, a third one's step counter advancing live, and paths out
 * of the root refused.
 */
import assert from "node:assert/strict";
import { parseExperiment } from "../src/config/load.ts";
import { runExperiment } from "../src/runs/experiment.ts";
import { boardHandler } from "../src/board/server.ts";
import { scanRoot } from "../src/board/scan.ts";
import { browserCheck, CHROMIUM, CHROMIUM_REQUIRED } from "./_chromium.ts";
import { tinyExperiment } from "./_fixtures.ts";

async function twoRuns(): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const seed of [1, 2]) {
    await runExperiment(parseExperiment(tinyExperiment(root), { overrides: [`seed=${seed}`] }));
  }
  return root;
}

Deno.test("the board lists runs with their state and serves only files under its root", async () => {
  const root = await twoRuns();
  const entries = await scanRoot(root);
  assert.equal(entries.length, 2);
  for (const e of entries) {
    assert.deepEqual([e.kind, e.name, e.objective, e.data, e.state, e.step, e.total], [
      "run",
      "tiny",
      "non_saturating",
      "ring8",
      "finished",
      60,
      60,
    ]);
  }
  // A sweep folder: listed with its finished trials (its store is never opened).
  const sweep = `${root}/sweeps/s`;
  await Deno.mkdir(`${sweep}/trials/0000-abc`, { recursive: true });
  await Deno.mkdir(`${sweep}/trials/0001-def`);
  await Deno.writeTextFile(`${sweep}/sweep.db`, "");
  await Deno.writeTextFile(`${sweep}/trials/0000-abc/summary.json`, "{}");
  const listed = (await scanRoot(root)).find((e) => e.kind === "sweep")!;
  assert.deepEqual([listed.path, listed.name, listed.state, listed.step, listed.total], [
    "sweeps/s",
    "s",
    "stopped",
    1,
    2,
  ]);
  await Deno.symlink("/etc", `${root}/escape`);
  const handle = boardHandler(await Deno.realPath(root));
  const get = (path: string) => handle(new Request(`http://127.0.0.1${path}`));
  assert.equal((await get(`/files/${entries[0].path}/report.html`)).status, 200);
  assert.equal((await get("/files/escape/hostname")).status, 404);
  assert.equal((await get("/files/%2e%2e/%2e%2e/etc/hostname")).status, 404);
  assert.equal((await get("/nothing")).status, 404);
  const rows = await (await get(`/api/metrics?path=${encodeURIComponent(entries[0].path)}`)).json();
  assert.equal(rows.at(-1).step, 60);
  const post = await handle(new Request("http://127.0.0.1/", { method: "POST" }));
  assert.equal(post.status, 405);
});

Deno.test({
  name:
    "the board in Chromium: two runs listed, one opened, a third's step advancing live, no escapes",
  ignore: !CHROMIUM && !CHROMIUM_REQUIRED,
  async fn() {
    assert.ok(CHROMIUM, "Chromium is required (apt-get install -y chromium)");
    const root = await twoRuns();
    const third = `${root}/third.yaml`;
    await Deno.writeTextFile(
      third,
      tinyExperiment(root).replace("name: tiny", "name: third").replace(
        "train: { steps: 60,",
        "train: { steps: 100000,",
      ).replace("checkpoint_every: 20", "checkpoint_every: 100000"),
    );
    const { code, output } = await browserCheck("board_check.ts", [root, third]);
    assert.equal(code, 0, output);
    assert.match(output, /board ok/);
  },
});
