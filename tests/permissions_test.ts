/**
 * Narrow permissions (issue #15): no task asks for `--allow-run` or `--allow-env` without a
 * list; the experiment subprocess's flags are the experiment task's; every variable Duel reads
 * is listed where it is read; the README's table names every task.
 */
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { ENV_VARS } from "../src/env.ts";
import { EXPERIMENT_FLAGS } from "../src/runs/subprocess.ts";

const TASKS = denoJson.tasks as Record<string, string>;
/** Tasks whose line another branch owns; the permissions it should get are in the README. */
const ELSEWHERE = new Set<string>([]);

const flags = (task: string) => TASKS[task].split(" ").filter((w) => w.startsWith("--allow-"));

Deno.test("no task asks for --allow-run or --allow-env without a list", () => {
  for (const [name, line] of Object.entries(TASKS)) {
    if (ELSEWHERE.has(name)) continue;
    for (const flag of line.split(/\s+/)) {
      assert.doesNotMatch(flag, /^--allow-(run|env)$/, `${name}: ${flag} without a list`);
      assert.notEqual(flag, "--allow-all", name);
      assert.notEqual(flag, "-A", name);
    }
  }
});

Deno.test("the experiment subprocess runs with the experiment task's permissions", () => {
  assert.deepEqual([...EXPERIMENT_FLAGS], flags("experiment"));
  const env = EXPERIMENT_FLAGS.find((f) => f.startsWith("--allow-env="))!.split("=")[1].split(",");
  for (const [name, v] of Object.entries(ENV_VARS)) {
    if (v.tasks.includes("experiment")) assert.ok(env.includes(name), name);
  }
  // Every variable is allowed to each task that reads it.
  for (const [name, v] of Object.entries(ENV_VARS)) {
    for (const task of v.tasks) {
      const allowed = flags(task).find((f) => f.startsWith("--allow-env="))?.split("=")[1];
      assert.ok(allowed?.split(",").includes(name), `${task}: --allow-env lacks ${name}`);
    }
  }
  assert.ok(EXPERIMENT_FLAGS.includes("--allow-run=git"));
});

Deno.test("the sweep runs Deno alone, resolved when the task starts", () => {
  const run = flags("sweep").find((f) => f.startsWith("--allow-run="));
  assert.equal(run, `--allow-run="$(deno`);
  assert.match(TASKS.sweep, /--allow-run="\$\(deno eval 'console\.log\(Deno\.execPath\(\)\)'\)" /);
});

Deno.test("the README lists every task's permissions", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const table = readme.slice(readme.indexOf("**Permissions.**"));
  for (const name of Object.keys(TASKS)) {
    if (["check", "ok"].includes(name)) continue; // no permissions: type check, and the gate
    assert.match(table, new RegExp(`^\\| \`${name}\` +\\|`, "m"), name);
  }
});

Deno.test("sweep and report reach a store on any host and port; no other task has the whole network", () => {
  // A store URL names its host and port, known only once the arguments, the sweep file or
  // DUEL_STORE are read, after Deno fixed the permissions; trials run with the experiment's
  // flags, which have no network.
  for (const [name, line] of Object.entries(TASKS)) {
    const net = line.split(/\s+/).filter((f) => f.startsWith("--allow-net"));
    if (name === "sweep" || name === "report") assert.deepEqual(net, ["--allow-net"], name);
    else for (const f of net) assert.match(f, /^--allow-net=127\.0\.0\.1$/, name);
  }
  assert.ok(!EXPERIMENT_FLAGS.some((f) => f.startsWith("--allow-net")));
});
