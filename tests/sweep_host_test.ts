/**
 * The sweep's trial host (src/sweep/host.ts, src/cli/trial_host.ts): trials
 * run one after another in one process give the bits of fresh `deno task
 * experiment` processes; a bad trial is answered with the line and code the
 * command would have printed and exited with; a killed host says so.
 */
import assert from "node:assert/strict";
import { TrialHost } from "../src/sweep/host.ts";
import { readMetrics } from "../src/runs/files.ts";
import { cli, tinyExperiment, withoutTime } from "./_fixtures.ts";
import { streamLines } from "../src/runs/subprocess.ts";
import { task } from "./_sweep_cli.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Metrics rows and final row of a run folder, wall time aside. */
async function results(dir: string): Promise<unknown> {
  const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
  const { elapsed: _e, ...final } = summary.final;
  return { rows: withoutTime(await readMetrics(`${dir}/metrics.jsonl`)), final };
}

Deno.test("trials run one after another in one host have the bits of fresh processes", async () => {
  const root = await Deno.makeTempDir({ prefix: "duel_host_" });
  const host = new TrialHost("wasm");
  try {
    // Different seeds, a different learning rate and noise size: nothing of one trial may leak.
    const configs = [
      tinyExperiment(root).replace("seed: 5", "seed: 1"),
      tinyExperiment(root).replace("seed: 5", "seed: 2").replace("lr: 1.0e-3 }", "lr: 3.0e-4 }"),
      tinyExperiment(root).replace("dim: 4", "dim: 3"),
    ];
    for (const [i, config] of configs.entries()) {
      const file = `${root}/t${i}.yaml`;
      await Deno.writeTextFile(file, config);
      const outcome = await host.run([
        file,
        "--run-dir",
        `${root}/warm${i}`,
        "--quiet",
        "--allow-outside",
      ]);
      assert.deepEqual(outcome, {}, `trial ${i}`);
      const fresh = await cli([file, "--run-dir", `${root}/fresh${i}`, "--quiet"]).output();
      assert.equal(fresh.code, 0, text(fresh.stderr));
      assert.deepEqual(
        await results(`${root}/warm${i}`),
        await results(`${root}/fresh${i}`),
        `trial ${i}`,
      );
    }
    assert.ok(host.alive, "the host took every trial");
  } finally {
    await host.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a host answers a bad trial with the command's line and code, and one killed says so", async () => {
  const root = await Deno.makeTempDir({ prefix: "duel_host_" });
  const host = new TrialHost("wasm");
  try {
    const bad = `${root}/bad.yaml`;
    await Deno.writeTextFile(bad, tinyExperiment(root).replace("seed: 5", "seed: -1"));
    const fresh = await cli([bad, "--quiet"]).output();
    assert.equal(fresh.code, 2);
    const outcome = await host.run([bad, "--quiet", "--allow-outside"]);
    assert.deepEqual(outcome, { error: text(fresh.stderr).trim(), diverged: false });
    assert.match(outcome.error ?? "", /bad\.yaml:2:\d+: seed/);

    const runaway = `${root}/runaway.yaml`;
    await Deno.writeTextFile(
      runaway,
      tinyExperiment(root).replaceAll("lr: 1.0e-3", "lr: 1.0e6"),
    );
    const diverged = await host.run([runaway, "--quiet", "--allow-outside"]);
    assert.ok(diverged.error !== undefined && diverged.diverged, JSON.stringify(diverged));
    assert.match(diverged.error, /diverged at step \d+/);

    const slow = `${root}/slow.yaml`;
    await Deno.writeTextFile(slow, tinyExperiment(root).replace("steps: 60", "steps: 100000"));
    const killed = host.run([slow, "--quiet", "--allow-outside"]);
    await new Promise((r) => setTimeout(r, 300));
    host.kill();
    const end = await killed;
    assert.ok(end.error !== undefined && !end.diverged, JSON.stringify(end));
    assert.equal(host.alive, false);
    assert.deepEqual(await host.run([bad]), { error: "trial host: ended", diverged: false });
  } finally {
    await host.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("streamLines: \\n and \\r\\n ends, a line split across chunks, a last line without an end", async () => {
  const got: string[] = [];
  for await (const line of streamLines(new Blob(["one\r\ntwo\n\nthr", "ee\nfo", "ur"]).stream())) {
    got.push(line);
  }
  assert.deepEqual(got, ["one", "two", "", "three", "four"]);
});

Deno.test("a done trial whose metrics are not finite prints them as – and the sweep goes on", async () => {
  // A generator at lr 1e6 flings its samples far away: the losses stay finite (no divergence
  // stop), the KDE metrics do not (stored as null). The sweep command used to die on them.
  const dir = await Deno.makeTempDir({ prefix: "duel_sweep_nan_" });
  try {
    await Deno.writeTextFile(`${dir}/tiny.yaml`, tinyExperiment(`${dir}/runs`));
    await Deno.writeTextFile(
      `${dir}/sweep.yaml`,
      "name: nan\nbase: tiny.yaml\nsweep:\n  grid:\n    optimizer.generator.lr: [1.0e6, 1.0e-3]\n",
    );
    const r = await task("sweep", [
      `${dir}/sweep.yaml`,
      "--root",
      `${dir}/runs`,
      "--parallel",
      "1",
    ]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /trial 0 \(seed 0\) done: .*kde_kl –, kde_js –/);
    assert.match(r.out, /trial 1 \(seed 0\) done: .*kde_kl \d/);
    assert.match(r.out, /2\/2 trials done/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
