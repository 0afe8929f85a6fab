/**
 * Every doc example is one a user can copy (issue #16): the ```ts blocks in
 * the JSDoc comments of `mod.ts` and `src/**` import only from the public
 * entry (`mod.ts` by a relative path, or the package name `@duel/duel`), and an
 * example marked `ignore` says in a comment why it cannot run under
 * `deno test --doc`.
 */
import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "..");
const ENTRY = join(ROOT, "mod.ts");

/** One ```ts block of a JSDoc comment: where it starts, its fence attributes and its code. */
export interface DocExample {
  /** 1-based line of the opening fence. */
  line: number;
  /** The words after the language on the fence line, e.g. `["ignore"]`. */
  attrs: string[];
  /** The code, without the comment's leading `*`. */
  code: string;
}

/** The ```ts (or ```typescript, ```js) blocks inside the `/** ... *\/` comments of a module's text. */
export function docExamples(text: string): DocExample[] {
  const found: DocExample[] = [];
  for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const startLine = text.slice(0, m.index).split("\n").length;
    const lines = m[0].split("\n").map((l) => l.replace(/^\s*\/?\*\*?\/?\s?/, ""));
    let open: DocExample | undefined;
    let body: string[] = [];
    lines.forEach((l, i) => {
      const fence = l.trim().match(/^```+\s*([\w-]*)\s*(.*)$/);
      if (open === undefined && fence && /^(ts|typescript|js|javascript|tsx|jsx)$/.test(fence[1])) {
        open = { line: startLine + i, attrs: fence[2].split(/[\s,]+/).filter(Boolean), code: "" };
        body = [];
      } else if (open !== undefined && /^```+\s*$/.test(l.trim())) {
        open.code = body.join("\n");
        found.push(open);
        open = undefined;
      } else if (open !== undefined) body.push(l);
    });
  }
  return found;
}

/** The module specifiers an example's code names: static imports, re-exports and `import()`. */
export function specifiersOf(code: string): string[] {
  const specs: string[] = [];
  for (const m of code.matchAll(/^\s*(?:import|export)\b[\s\S]*?\bfrom\s*["']([^"']+)["']/gm)) {
    specs.push(m[1]);
  }
  for (const m of code.matchAll(/^\s*import\s*["']([^"']+)["']/gm)) specs.push(m[1]);
  for (const m of code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) specs.push(m[1]);
  return specs;
}

/** Why a specifier is not the public entry, or undefined when it is fine. */
export function badSpecifier(spec: string, file: string): string | undefined {
  if (/^(npm|jsr|node):/.test(spec) || spec === "@duel/duel") return undefined;
  if (spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("/")) {
    const target = resolve(dirname(file), spec);
    return target === ENTRY
      ? undefined
      : `imports ${spec} (${relative(ROOT, target)}), not the public entry mod.ts`;
  }
  return `imports ${spec}: use mod.ts by a relative path or "@duel/duel"`;
}

/** An `ignore`d example's reason: a line of its code that is a `//` comment. */
export function hasReason(code: string): boolean {
  return /^\s*\/\/\s*\S/m.test(code);
}

/** Every problem of a module's doc examples, as `file:line: what`. */
export function problemsOf(file: string, text: string): string[] {
  const problems: string[] = [];
  const where = relative(ROOT, file);
  for (const ex of docExamples(text)) {
    for (const spec of specifiersOf(ex.code)) {
      const bad = badSpecifier(spec, file);
      if (bad) problems.push(`${where}:${ex.line}: ${bad}`);
    }
    if (ex.attrs.includes("ignore") && !hasReason(ex.code)) {
      problems.push(
        `${where}:${ex.line}: an ignore example needs a comment saying why it cannot run`,
      );
    }
  }
  return problems;
}

function* sources(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* sources(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

/** mod.ts and every module under src/. */
export function documentedModules(): string[] {
  return [ENTRY, ...sources(join(ROOT, "src"))].sort();
}

Deno.test("the scanner finds examples, their imports and their ignore reasons", () => {
  const file = join(ROOT, "src", "config", "x.ts");
  const text = [
    "/**",
    " * Text.",
    " * ```ts",
    ' * import { a } from "./load.ts";',
    ' * import { b } from "../../mod.ts";',
    " * ```",
    " * ```ts ignore",
    ' * import { c } from "@duel/duel";',
    " * ```",
    " * ```ts ignore",
    " * // needs a GPU",
    ' * const m = await import("../../mod.ts");',
    " * ```",
    " * ```json",
    ' * { "import": "./nope.ts" }',
    " * ```",
    " */",
    'import { real } from "./real.ts";',
  ].join("\n");
  const examples = docExamples(text);
  assert.deepEqual(examples.map((e) => [e.line, e.attrs]), [[3, []], [7, ["ignore"]], [10, [
    "ignore",
  ]]]);
  assert.deepEqual(specifiersOf(examples[0].code), ["./load.ts", "../../mod.ts"]);
  assert.deepEqual(specifiersOf(examples[2].code), ["../../mod.ts"]);
  assert.deepEqual(problemsOf(file, text), [
    "src/config/x.ts:3: imports ./load.ts (src/config/load.ts), not the public entry mod.ts",
    "src/config/x.ts:7: an ignore example needs a comment saying why it cannot run",
  ]);
  assert.equal(badSpecifier("npm:yaml@2", file), undefined);
  assert.equal(badSpecifier("node:path", file), undefined);
  assert.equal(badSpecifier("jsr:@std/assert", file), undefined);
  assert.match(badSpecifier("yaml", file) ?? "", /use mod.ts/);
  assert.match(badSpecifier("../mod.ts", file) ?? "", /src\/mod.ts/);
});

Deno.test("every doc example imports only the public entry; every ignore says why", () => {
  const problems: string[] = [];
  let count = 0;
  for (const file of documentedModules()) {
    const text = Deno.readTextFileSync(file);
    count += docExamples(text).length;
    problems.push(...problemsOf(file, text));
  }
  assert.ok(count > 100, `found only ${count} doc examples: is the scanner broken?`);
  assert.deepEqual(problems, [], `doc examples a user cannot copy:\n${problems.join("\n")}`);
});
