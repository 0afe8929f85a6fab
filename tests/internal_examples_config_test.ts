/**
 * Examples of src/config/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { experimentFromData, parseYaml } from "../src/config/load.ts";
import { applyOverride, parseOverride } from "../src/config/overrides.ts";
import { metricsTable, namesTable, referenceTable } from "../src/config/reference.ts";
import { parseWithPositions } from "../src/config/source_map.ts";
import { num, obj } from "../src/fields.ts";

Deno.test("src/config/load.ts: parseYaml", () => {
  const { data, map } = parseYaml(
    `base:
  name: demo
  data: { name: ring8 }
  generator: { layers: [{ type: dense, units: 2 }] }
  discriminator: { layers: [{ type: dense, units: 0 }] }
`,
    "s.yaml",
  );
  const base = (data as { base: unknown }).base;
  assert.throws(
    () => experimentFromData(base, map, { file: "s.yaml", prefix: "base" }),
    /s\.yaml:5:51: discriminator\.layers\[0\]\.units: got number 0/,
  );
});

Deno.test("src/config/overrides.ts: parseOverride", () => {
  const o = parseOverride("optimizer.generator.betas=[0.5, 0.9]");
  assert.ok(o.segments.length === 3 && Array.isArray(o.value));
});

Deno.test("src/config/overrides.ts: applyOverride, parseOverride", () => {
  const out = applyOverride({}, parseOverride("__proto__.polluted=1")) as object;
  assert.ok(Object.hasOwn(out, "__proto__"));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

Deno.test("src/config/reference.ts: num, obj, referenceTable", () => {
  const table = referenceTable(obj("x", { steps: num("how many", { default: 3 }) }));
  assert.ok(table.includes("| `steps` | number | `3` | how many |"));
});

Deno.test("src/config/reference.ts: namesTable", () => {
  const md = namesTable({ relu: { doc: "max(x, 0)" } });
  assert.ok(md.includes("| `relu` | max(x, 0) |"));
});

Deno.test("src/config/reference.ts: metricsTable", () => {
  const md = metricsTable();
  assert.ok(md.includes("| `eval/hq` | high-quality share | higher |"));
  assert.ok(md.includes("| `eval/coverage` | coverage | higher | listed in `eval.metrics`; 28x28"));
});

Deno.test("src/config/source_map.ts: parseWithPositions", () => {
  const { data, map } = parseWithPositions("train:\n  steps: 5\n");
  assert.ok((data as { train: { steps: number } }).train.steps === 5);
  assert.ok(map.values.get("train.steps")?.line === 2);
});
