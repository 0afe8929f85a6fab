/**
 * The claims machinery (issue #22): the README's claims block is what the
 * committed measurement gives, the section around it quotes no number, every
 * claim is measured as defined on fresh seeds, and a tiny seeded claim goes
 * through the real path (experiment subprocess, metrics log, verdict, table,
 * README block) in a few seconds. The real suite is `deno task claims`.
 */
import assert from "node:assert/strict";
import {
  type Claim,
  definitionKey,
  type MeasuredTable,
  READS,
  STATS,
  verdictOf,
} from "../claims/claim.ts";
import { measure, runFolder } from "../claims/measure.ts";
import {
  CLAIMS_END,
  CLAIMS_START,
  claimsBlock,
  current,
  printedTable,
  sentence,
  withClaims,
} from "../claims/render.ts";
import { CLAIMS } from "../claims/table.ts";
import { QUICK } from "../claims/main.ts";
import { METRICS } from "../src/metrics/metric_table.ts";

const README = new URL("../README.md", import.meta.url);
const MEASURED = new URL("../claims/measured.json", import.meta.url);
const normalise = (s: string) => s.replace(/\s+/g, "").replace(/-{3,}/g, "---");

Deno.test("the README's claims block is generated from claims/measured.json (deno task claims --readme)", async () => {
  const readme = await Deno.readTextFile(README);
  const table: MeasuredTable = JSON.parse(await Deno.readTextFile(MEASURED));
  assert.ok(
    normalise(withClaims(readme, claimsBlock(CLAIMS, table))) === normalise(readme),
    "README.md's claims block is stale: run `deno task claims --readme`",
  );
});

Deno.test("the README's claims section quotes no number outside its generated block", async () => {
  const readme = await Deno.readTextFile(README);
  const start = readme.indexOf("## Claims, measured");
  assert.ok(start >= 0, "README.md has a `## Claims, measured` section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const a = section.indexOf(CLAIMS_START), b = section.indexOf(CLAIMS_END);
  assert.ok(a >= 0 && b > a, "the section holds the generated block");
  // Commands and names (code) may hold digits; prose outside the block may not.
  const outside = (section.slice(0, a) + section.slice(b + CLAIMS_END.length))
    .replace(/```[^]*?```/g, "").replace(/`[^`]*`/g, "");
  assert.doesNotMatch(outside, /\d/, "a number in the claims section outside the generated block");
});

Deno.test("every claim is well formed, on fresh seeds, and each measurement is of its current definition", async () => {
  const table: MeasuredTable = JSON.parse(await Deno.readTextFile(MEASURED));
  const ids = new Set<string>();
  const metricNames = new Set(Object.keys(METRICS).map((n) => `eval/${n}`));
  for (const c of CLAIMS) {
    assert.ok(!ids.has(c.id), `${c.id}: id used twice`);
    ids.add(c.id);
    assert.ok(c.run.seeds.length > 0 && c.run.seeds.every((s) => s >= 100), `${c.id}: fresh seeds`);
    assert.ok(metricNames.has(c.metric), `${c.id}: ${c.metric} is no metric`);
    assert.ok(c.pass.length > 0, `${c.id}: no rule`);
    await Deno.stat(new URL(`../${c.run.file}`, import.meta.url));
    for (const [, k] of c.text.matchAll(/\{(\w+)\}/g)) {
      assert.ok(["mean", "se", "min", "max", "n", "seeds", "rule", "read"].includes(k), k);
    }
  }
  // A measurement is of a claim as it is defined now (else: deno task claims --only <id>).
  for (const m of table.claims) {
    const c = CLAIMS.find((c) => c.id === m.id);
    assert.ok(c, `claims/measured.json: ${m.id} is no claim`);
    assert.ok(current(c, table), `${m.id}: measured for another definition: rerun it`);
    assert.equal(m.verdict, verdictOf(c, m.values), `${m.id}: verdict`);
    assert.equal(m.seeds.length, m.values.length);
  }
});

/**
 * Claims not yet measured as defined (each needs `deno task claims --only <id>`): this list only
 * shrinks. A new or redefined claim is measured before it lands.
 */
const NOT_YET_MEASURED: readonly string[] = [];

Deno.test("every claim is measured as defined now (but the listed ones), and every measured claim passes", async () => {
  const table: MeasuredTable = JSON.parse(await Deno.readTextFile(MEASURED));
  const unmeasured = CLAIMS.filter((c) => !current(c, table)).map((c) => c.id);
  assert.deepEqual(
    unmeasured.filter((id) => !NOT_YET_MEASURED.includes(id)),
    [],
    "not measured as defined: deno task claims --only <id>",
  );
  assert.deepEqual(
    NOT_YET_MEASURED.filter((id) => !unmeasured.includes(id)),
    [],
    "measured now: take it off NOT_YET_MEASURED",
  );
  const failing = table.claims.filter((m) => m.verdict !== "pass").map((m) => m.id);
  assert.deepEqual(
    failing,
    [],
    "a claim the README shows fails: rewrite it from what was measured",
  );
});

Deno.test("statistics, reads and verdicts against hand values", () => {
  assert.equal(STATS.mean([23, 22, 23]), 68 / 3);
  assert.ok(Math.abs(STATS.se([23, 22, 23]) - Math.sqrt(1 / 3 / 3)) < 1e-12);
  assert.ok(Number.isNaN(STATS.se([1])));
  assert.equal(READS.final.read([25, 23]), 23);
  assert.equal(READS.best.read([25, 23]), 25);
  assert.equal(READS.final_over_first.read([200, 16]), 0.08);
  const claim = CLAIMS.find((c) => c.id === "grid25-hinge-modes")!;
  assert.equal(verdictOf(claim, [23, 22, 23]), "pass");
  assert.equal(verdictOf(claim, [23, 20, 25]), "fail");
  assert.equal(verdictOf(claim, [23, NaN]), "fail");
  assert.equal(verdictOf(claim, []), "fail");
});

Deno.test("a tiny seeded claim runs end to end: subprocess, verdict, table, README block", async () => {
  const root = await Deno.makeTempDir();
  try {
    const tiny = (id: string, value: number): Claim => ({
      id,
      run: { file: "experiments/ring8.yaml", seeds: [100] },
      metric: "eval/hq",
      read: "final",
      pass: [{ stat: "mean", op: "<=", value }],
      text: "tiny `ring8` run: high-quality share {mean} {read} (seeds {seeds})",
      digits: 4,
    });
    const claims = [tiny("tiny-pass", 1), tiny("tiny-fail", -1)];
    const lines: string[] = [];
    const options = {
      root,
      parallel: 2,
      extra: QUICK,
      commit: "test",
      onRun: (l: string) => lines.push(l),
    };
    const measured = await measure(claims, options);
    assert.equal(lines.length, 1, "two claims on one run and seed share the run");
    const [pass, fail] = measured;
    assert.deepEqual(pass.seeds, [100]);
    assert.ok(Number.isFinite(pass.values[0]) && pass.values[0] >= 0 && pass.values[0] <= 1);
    assert.deepEqual(fail.values, pass.values);
    assert.equal(pass.verdict, "pass");
    assert.equal(fail.verdict, "fail");
    assert.equal(pass.key, definitionKey(claims[0]));
    // The metric read is the run's own final evaluation.
    const dir = runFolder(root, claims[0].run, 100, QUICK);
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/summary.json`));
    assert.equal(pass.values[0], summary.final["eval/hq"]);
    assert.equal(summary.steps, 20);
    // Rerunning over the same root reads the finished run instead of training again.
    const again = await measure(claims, { ...options, onRun: () => {} });
    assert.deepEqual(again.map((m) => m.values), measured.map((m) => m.values));
    const printed = printedTable(claims, measured);
    assert.match(printed, /tiny-pass .* pass/);
    assert.match(printed, /tiny-fail .* fail/);
    const table: MeasuredTable = {
      host: "h",
      cpus: 2,
      date: "2026-01-01T00:00:00Z",
      commit: "test",
      deno: "2",
      wall_s: 1,
      claims: measured,
    };
    const block = claimsBlock(claims, table);
    assert.ok(block.includes(sentence(claims[0], pass)));
    assert.ok(block.includes(pass.values[0].toFixed(4)));
    // A claim whose definition changed since it was measured shows as not measured.
    const changed = [{
      ...claims[0],
      pass: [{ stat: "mean" as const, op: ">=" as const, value: 0 }],
    }];
    assert.match(claimsBlock(changed, table), /not measured yet/);
    const readme = `a\n${CLAIMS_START}\nold\n${CLAIMS_END}\nb`;
    assert.equal(withClaims(readme, "new"), `a\n${CLAIMS_START}\n\nnew\n\n${CLAIMS_END}\nb`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
