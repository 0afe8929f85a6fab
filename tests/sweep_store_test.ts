import assert from "node:assert/strict";
import { parse, stringify } from "yaml";
import { configHash, parseExperiment } from "../src/config/load.ts";
import { TrialStore } from "../src/sweep/store.ts";
import { tinyExperiment } from "./_fixtures.ts";

Deno.test("a sweep stored before a schema key existed still syncs; a changed trial does not", async () => {
  const dir = await Deno.makeTempDir({ prefix: "duel_store_" });
  const today = parseExperiment(tinyExperiment(`${dir}/runs`));
  // The same trial as an older Duel stored it: its resolved configuration lacks a newer key.
  const old = parse(today.resolvedYaml);
  assert.ok(old.train.lr_schedule, "the fixture has the key to remove");
  delete old.train.lr_schedule;
  const oldYaml = stringify(old);
  const trial = (hash: string, config: string) => ({
    index: 0,
    configuration: 0,
    seed: 5,
    hash,
    params: "[]",
    run_dir: `${dir}/trials/0000-${hash.slice(0, 8)}`,
    config,
  });
  const rehash = (stored: string) => parseExperiment(stored).hash;
  const store = new TrialStore(`${dir}/sweep.db`);
  try {
    store.sync([trial(configHash(old), oldYaml)]);
    assert.notEqual(configHash(old), today.hash);
    // Without re-resolving, the hashes differ: refused.
    assert.throws(() => store.sync([trial(today.hash, today.resolvedYaml)]), /differs/);
    // Re-resolved under today's schema it is the same experiment: the hash follows, the folder stays.
    store.sync([trial(today.hash, today.resolvedYaml)], rehash);
    const [row] = store.all();
    assert.equal(row.hash, today.hash);
    assert.equal(row.run_dir, trial(configHash(old), "").run_dir);
    assert.equal(row.config, today.resolvedYaml);
    // Another experiment under the same index is still refused.
    const other = parseExperiment(tinyExperiment(`${dir}/runs`).replace("seed: 5", "seed: 6"));
    assert.throws(() => store.sync([trial(other.hash, other.resolvedYaml)], rehash), /differs/);
  } finally {
    store.close();
    await Deno.remove(dir, { recursive: true });
  }
});
