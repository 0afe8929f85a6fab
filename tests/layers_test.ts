/**
 * The layers of `src/` read top to bottom: a module imports only from its own
 * layer or a lower one (ARCHITECTURE.md draws them). The one exception is a
 * type-only import of the resolved config (`config/schema.ts`), which any
 * layer may name. Also: only `src/env.ts` reads the environment.
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";

/** Bottom to top; `.` is the files directly in `src/` and `deps/` the pinned dependencies (the ground floor). */
export const LAYERS: readonly (readonly string[])[] = [
  [".", "deps"],
  ["backend", "images", "views"],
  ["data", "nn", "objectives"],
  ["train"],
  ["metrics"],
  ["config"],
  ["runs"],
  ["sweep"],
  ["report"],
  ["cli", "board"],
];

const SRC = new URL("../src/", import.meta.url).pathname;
const TYPE_ONLY_ANYWHERE = new Set(["config/schema.ts"]);

function levelOf(file: string): number {
  const area = file.includes("/") ? file.split("/")[0] : ".";
  const level = LAYERS.findIndex((l) => l.includes(area));
  if (level < 0) throw new Error(`src/${file}: folder ${area} is in no layer of LAYERS`);
  return level;
}

function* sources(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* sources(path);
    else if (e.name.endsWith(".ts")) yield relative(SRC, path);
  }
}

/** The module's import and re-export statements: specifier and whether only types are named. */
export function importsOf(text: string): { spec: string; typeOnly: boolean }[] {
  // Doc comments hold examples with imports of their own: they are not the module's.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "");
  const found: { spec: string; typeOnly: boolean }[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([\s\S]*?)\s*from\s*"([^"]+)"/gm;
  for (const m of code.matchAll(re)) {
    const names = m[3].match(/\{([\s\S]*)\}/)?.[1].split(",").map((s) => s.trim()).filter(
      Boolean,
    );
    const typeOnly = Boolean(m[2]) ||
      (names !== undefined && !m[3].replace(/\{[\s\S]*\}/, "").trim().replace(/,$/, "") &&
        names.every((n) => n.startsWith("type ")));
    found.push({ spec: m[4], typeOnly });
  }
  return found;
}

Deno.test("importsOf tells type-only imports and re-exports from value imports", () => {
  const got = importsOf(`/** import { no } from "./doc.ts"; */
import { a, type B } from "./a.ts";
import type { C } from "./c.ts";
import {
  type D,
  type E,
} from "./d.ts";
export { f } from "./f.ts";
import * as tf from "@tensorflow/tfjs-core";
`);
  assert.deepEqual(got, [
    { spec: "./a.ts", typeOnly: false },
    { spec: "./c.ts", typeOnly: true },
    { spec: "./d.ts", typeOnly: true },
    { spec: "./f.ts", typeOnly: false },
    { spec: "@tensorflow/tfjs-core", typeOnly: false },
  ]);
});

Deno.test("no module of src/ imports from a layer above its own", () => {
  const upward: string[] = [];
  let edges = 0;
  for (const file of sources(SRC)) {
    const from = levelOf(file);
    for (const { spec, typeOnly } of importsOf(Deno.readTextFileSync(join(SRC, file)))) {
      if (!spec.startsWith(".")) continue;
      const target = relative(SRC, join(SRC, dirname(file), spec));
      if (target === "../deno.json") continue; // the package's name and version
      assert.ok(!target.startsWith(".."), `src/${file} imports ${spec}, outside src/`);
      edges++;
      if (typeOnly && TYPE_ONLY_ANYWHERE.has(target)) continue;
      const to = levelOf(target);
      if (to > from) upward.push(`src/${file} (layer ${from}) imports src/${target} (layer ${to})`);
    }
  }
  assert.ok(edges > 200, `only ${edges} imports found: the reader is broken`);
  assert.deepEqual(upward, []);
});

Deno.test("only src/env.ts reads the environment", () => {
  const readers = [...sources(SRC)].filter((file) =>
    /Deno\.env\./.test(Deno.readTextFileSync(join(SRC, file)).replace(/\/\*[\s\S]*?\*\//g, ""))
  );
  assert.deepEqual(readers, ["env.ts"]);
});

Deno.test("no file in src/ is over 400 lines", () => {
  const long = [...sources(SRC)].flatMap((file) => {
    const lines = Deno.readTextFileSync(join(SRC, file)).split("\n").length - 1;
    return lines > 400 ? [`src/${file}: ${lines} lines`] : [];
  });
  assert.deepEqual(long, []);
});
