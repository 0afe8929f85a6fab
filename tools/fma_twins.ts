/**
 * Fused multiply-add twins of kernel exports, made on the module's text
 * (`wasm2wat` output). rustc 1.63 has no relaxed-SIMD intrinsics, so the
 * kernels are written once with `f32x4.mul` + `f32x4.add`, and the build adds
 * a copy of each named export (and of every function it calls that has
 * multiply-adds) in which each `f32x4.mul` whose product goes straight into an
 * `f32x4.add` becomes one `f32x4.relaxed_madd`: `c + a·b` rounded once
 * instead of twice.
 * The originals are left as they are, so both run from one module and a
 * benchmark compares them in one run.
 *
 * When the pair sees `[c, a, b]` on the stack (`relaxed_madd` wants `[a, b,
 * c]`), the twin parks the three operands in three new `v128` locals and
 * pushes them back in that order (an optimising compiler sees plain values).
 * A product and then `local.get c` before the add needs no reordering.
 * @module
 */

/** What {@link fmaTwins} made. */
export interface FmaTwins {
  /** The module text with the twins and their exports added. */
  readonly wat: string;
  /** Per root export: multiply-adds fused in its twin and the functions it calls. */
  readonly fused: Readonly<Record<string, number>>;
}

interface Func {
  /** Index in the function index space. */
  readonly index: number;
  /** First and one-past-last line. */
  readonly start: number;
  readonly end: number;
}

const FUNC_HEAD = /^ {2}\(func \(;(\d+);\)(.*)$/;
const EXPORT_FUNC = /^ {2}\(export "([^"]+)" \(func (\d+)\)\)/;
const CALL = /^(\s*)call (\d+)(.*)$/;

/** The module's functions, in order, with their line ranges. */
function functions(lines: readonly string[]): Func[] {
  const heads: { index: number; start: number }[] = [];
  lines.forEach((line, i) => {
    const m = FUNC_HEAD.exec(line);
    if (m) heads.push({ index: Number(m[1]), start: i });
  });
  return heads.map((h, n) => {
    let end = n + 1 < heads.length ? heads[n + 1].start : lines.length;
    // The last function ends before the next module field (table, memory, global, export…).
    if (n + 1 === heads.length) {
      end = lines.findIndex((l, i) => i > h.start && /^ {2}\(/.test(l));
      if (end < 0) throw new Error("fmaTwins: no module field after the last function");
    }
    return { index: h.index, start: h.start, end };
  });
}

/**
 * A multiply-add at line `i`: the lines it spans and what replaces them (with
 * `ta`, `tb`, `tc` the three spare locals), or `undefined`. Two forms, as
 * LLVM emits them: `c a b mul add` (the sum's first operand is below the
 * product), and `a b mul; local.get c; add`.
 */
function multiplyAdd(
  lines: readonly string[],
  i: number,
  [ta, tb, tc]: readonly number[] = [],
): { span: number; ops: string[] } | undefined {
  if (lines[i].trim() !== "f32x4.mul") return undefined;
  const next = lines[i + 1]?.trim() ?? "";
  // The add may close the function (or a folded block): keep what follows it.
  const closing = (line: string) => line.trim().slice("f32x4.add".length);
  if (next.startsWith("f32x4.add")) {
    const ops = [`local.set ${tb}`, `local.set ${ta}`, `local.set ${tc}`];
    ops.push(`local.get ${ta}`, `local.get ${tb}`, `local.get ${tc}`);
    return { span: 2, ops: [...ops, `f32x4.relaxed_madd${closing(next)}`] };
  }
  const after = lines[i + 2]?.trim() ?? "";
  if (/^local\.get \d+$/.test(next) && after.startsWith("f32x4.add")) {
    return { span: 3, ops: [next, `f32x4.relaxed_madd${closing(after)}`] };
  }
  return undefined;
}

function isPair(lines: readonly string[], i: number): boolean {
  return multiplyAdd(lines, i) !== undefined;
}

function callees(lines: readonly string[], f: Func): number[] {
  const out: number[] = [];
  for (let i = f.start; i < f.end; i++) {
    const m = CALL.exec(lines[i]);
    if (m) out.push(Number(m[2]));
  }
  return out;
}

/** Parameters and locals declared in a function's head and `(local …)` lines. */
function localCount(lines: readonly string[], f: Func): { count: number; lastDecl: number } {
  const types = (s: string, kw: string) =>
    [...s.matchAll(new RegExp(`\\(${kw}((?: [a-z0-9]+)+)\\)`, "g"))]
      .reduce((n, m) => n + m[1].trim().split(/\s+/).length, 0);
  let count = types(lines[f.start], "param");
  let lastDecl = f.start;
  for (let i = f.start + 1; i < f.end && lines[i].trim().startsWith("(local"); i++) {
    count += types(lines[i], "local");
    lastDecl = i;
  }
  return { count, lastDecl };
}

/** A copy of `f` as function `index`, its pairs fused and calls redirected by `rename`. */
function twin(
  lines: readonly string[],
  f: Func,
  index: number,
  rename: ReadonlyMap<number, number>,
): { text: string[]; fused: number } {
  const { count, lastDecl } = localCount(lines, f);
  const [ta, tb, tc] = [count, count + 1, count + 2];
  const text: string[] = [lines[f.start].replace(FUNC_HEAD, `  (func (;${index};)$2`)];
  let fused = 0;
  for (let i = f.start + 1; i < f.end; i++) {
    const madd = multiplyAdd(lines, i, [ta, tb, tc]);
    if (madd) {
      const pad = lines[i].match(/^\s*/)![0];
      text.push(...madd.ops.map((op) => pad + op));
      fused++;
      i += madd.span - 1;
      continue;
    }
    const call = CALL.exec(lines[i]);
    const to = call && rename.get(Number(call[2]));
    text.push(to === undefined || to === null ? lines[i] : `${call![1]}call ${to}${call![3]}`);
    if (i === lastDecl) text.push(`    (local v128 v128 v128)`);
  }
  if (lastDecl === f.start) text.splice(1, 0, `    (local v128 v128 v128)`);
  return { text, fused };
}

/**
 * Adds to `wat` (a module as `wasm2wat` prints it: flat instructions, one per
 * line) a fused twin of each export in `roots`, exported as its name +
 * `suffix`. Functions a root reaches through calls are copied too when they
 * (or their callees) have a multiply-add pair; others are shared. Throws when
 * a root is missing or has nothing to fuse.
 *
 * A root's twin is made from the export named root + `source` where there is
 * one (a variant with the same bits that only pays once fused, such as the
 * kernels' `_tall` ones: their 6 × 8 tile spills unfused), else from the root;
 * every export ending in `source` is then dropped (its function stays, unexported).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fmaTwins } from "./fma_twins.ts";
 * const wat = [
 *   "(module",
 *   "  (func (;0;) (param v128 v128 v128) (result v128)",
 *   "    local.get 2",
 *   "    local.get 0",
 *   "    local.get 1",
 *   "    f32x4.mul",
 *   "    f32x4.add)",
 *   '  (export "madd" (func 0)))',
 * ].join("\n");
 * const { wat: out, fused } = fmaTwins(wat, ["madd"]);
 * assert.deepEqual(fused, { madd: 1 });
 * assert.match(out, /f32x4\.relaxed_madd\)/);
 * assert.match(out, /\(export "madd_fma" \(func 1\)\)/);
 * ```
 */
export function fmaTwins(
  wat: string,
  roots: readonly string[],
  suffix = "_fma",
  source = "_tall",
): FmaTwins {
  const lines = wat.split("\n");
  const funcs = functions(lines);
  const byIndex = new Map(funcs.map((f) => [f.index, f]));
  const exports = new Map<string, number>();
  let lastExport = -1;
  lines.forEach((line, i) => {
    const m = EXPORT_FUNC.exec(line);
    if (m) exports.set(m[1], Number(m[2]));
    if (/^ {2}\(export /.test(line)) lastExport = i;
  });
  // Which functions have a pair, themselves or through calls (imports have none).
  const memo = new Map<number, boolean>();
  const fusable = (index: number, seen = new Set<number>()): boolean => {
    if (memo.has(index)) return memo.get(index)!;
    const f = byIndex.get(index);
    if (!f || seen.has(index)) return false;
    seen.add(index);
    let has = false;
    for (let i = f.start; i < f.end && !has; i++) has = isPair(lines, i);
    if (!has) has = callees(lines, f).some((c) => fusable(c, seen));
    memo.set(index, has);
    return has;
  };
  // The functions to copy: every fusable function a root reaches.
  const copy: number[] = [];
  const reach = (index: number) => {
    if (copy.includes(index) || !fusable(index)) return;
    copy.push(index);
    for (const c of callees(lines, byIndex.get(index)!)) reach(c);
  };
  if (source === "") throw new Error("fmaTwins: the source suffix must not be empty");
  // Each root's source: its `source` variant where the module has one.
  const from = (root: string) => exports.get(root + source) ?? exports.get(root);
  for (const root of roots) {
    if (!exports.has(root)) throw new Error(`fmaTwins: no function export "${root}"`);
    const index = from(root)!;
    if (!fusable(index)) throw new Error(`fmaTwins: "${root}" has no f32x4 multiply-add to fuse`);
    reach(index);
  }
  const next = Math.max(...funcs.map((f) => f.index)) + 1;
  const rename = new Map(copy.map((index, n) => [index, next + n]));
  const twins = copy.map((index) => twin(lines, byIndex.get(index)!, rename.get(index)!, rename));
  const fusedIn = new Map(copy.map((index, n) => [index, twins[n].fused]));
  const fused: Record<string, number> = {};
  for (const root of roots) {
    const seen = new Set<number>();
    const walk = (index: number): number => {
      if (seen.has(index) || !fusedIn.has(index)) return 0;
      seen.add(index);
      return fusedIn.get(index)! +
        callees(lines, byIndex.get(index)!).reduce((n, c) => n + walk(c), 0);
    };
    fused[root] = walk(from(root)!);
  }
  const lastFunc = funcs[funcs.length - 1].end;
  const exportLines = roots.map((root) =>
    `  (export "${root}${suffix}" (func ${rename.get(from(root)!)}))`
  );
  // The last export line may close the module: insert before it, keeping its parenthesis.
  const sourceExport = (line: string) => EXPORT_FUNC.exec(line)?.[1].endsWith(source) ?? false;
  const out = [
    ...lines.slice(0, lastFunc),
    ...twins.flatMap((t) => t.text),
    ...lines.slice(lastFunc, lastExport).filter((line) => !sourceExport(line)),
    ...exportLines,
    // The last export line: kept (or its closing parentheses, when it is a source's).
    ...lines.slice(lastExport).map((line) =>
      sourceExport(line) ? line.replace(/^.*?\)\)/, "") : line
    ),
  ];
  return { wat: out.join("\n"), fused };
}
