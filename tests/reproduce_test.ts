import assert from "node:assert/strict";
import { ROOT, tinyExperiment } from "./_fixtures.ts";

const task = (...args: string[]) =>
  new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("reproduce reruns a run bit for bit, and names the first difference when not", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/tiny.yaml`, tinyExperiment(`${dir}/runs`));
  const run = `${dir}/run`;
  const trained = await task("experiment", "--quiet", `${dir}/tiny.yaml`, "--run-dir", run);
  assert.equal(trained.code, 0, text(trained.stderr));
  const before = await Deno.readTextFile(`${run}/metrics.jsonl`);

  const same = await task("reproduce", run);
  assert.equal(same.code, 0, text(same.stderr));
  assert.match(text(same.stdout), /reproduced: all 61 rows of .* match bit for bit/);
  assert.equal(await Deno.readTextFile(`${run}/metrics.jsonl`), before); // only read

  // One value changed in the last digit: found, with its row, step and key.
  const rows = before.trim().split("\n").map((l) => JSON.parse(l));
  rows[30]["d/loss"] = rows[30]["d/loss"] * (1 + 1e-15);
  await Deno.writeTextFile(`${run}/metrics.jsonl`, rows.map((r) => JSON.stringify(r)).join("\n"));
  const changed = await task("reproduce", run);
  assert.equal(changed.code, 1);
  assert.match(text(changed.stdout), /NOT reproduced: row 30 \(step 30\) d\/loss: /);

  const missing = await task("reproduce", `${dir}/nothing`);
  assert.equal(missing.code, 1);
  assert.match(text(missing.stderr), /nothing: not a run folder .*reproduce takes runs/);
});
