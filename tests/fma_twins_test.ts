import assert from "node:assert/strict";
import { fmaTwins } from "../tools/fma_twins.ts";
import { hostFusesMultiplyAdd } from "../src/backend/rust/probes.ts";

/** A module as wasm2wat prints one: flat instructions, numbered functions and locals. */
const WAT = [
  "(module",
  '  (import "env" "memory" (memory (;0;) 1))',
  // 0: `c + a·b` with c below the product (a stack [c, a, b]).
  "  (func (;0;) (param i32)",
  "    (local v128)",
  "    local.get 0",
  "    local.get 0",
  "    v128.load offset=32",
  "    local.get 0",
  "    v128.load",
  "    local.get 0",
  "    v128.load offset=16",
  "    f32x4.mul",
  "    f32x4.add",
  "    v128.store)",
  // 1: `a·b`, then `local.get c`, then the add; calls 0 and 2.
  "  (func (;1;) (param i32 v128 v128 v128) (result v128)",
  "    local.get 0",
  "    call 0",
  "    call 2",
  "    local.get 1",
  "    local.get 2",
  "    f32x4.mul",
  "    local.get 3",
  "    f32x4.add)",
  // 2: no multiply-add: shared by the twin, not copied.
  "  (func (;2;)",
  "    nop)",
  // 3: a multiply whose product is not summed straight away: left as it is.
  "  (func (;3;) (param v128 v128) (result v128)",
  "    local.get 0",
  "    local.get 1",
  "    f32x4.mul",
  "    local.get 0",
  "    v128.and)",
  '  (export "store_madd" (func 0))',
  '  (export "madd" (func 1))',
  '  (export "other" (func 3)))',
].join("\n");

Deno.test("fmaTwins fuses both multiply-add forms, copies only what has them, and exports the twins", () => {
  const { wat, fused } = fmaTwins(WAT, ["store_madd", "madd"]);
  // madd's twin counts its own multiply-add and its copied callee's.
  assert.deepEqual(fused, { store_madd: 1, madd: 2 });
  const lines = wat.split("\n");
  const func = (i: number) => {
    const start = lines.findIndex((l) => l.startsWith(`  (func (;${i};)`));
    const end = lines.findIndex((l, j) => j > start && /^ {2}\(/.test(l));
    return lines.slice(start, end).map((l) => l.trim());
  };
  // The originals are unchanged.
  assert.deepEqual(func(0), WAT.split("\n").slice(2, 14).map((l) => l.trim()));
  // Twin of 0 is 4 (next free index): three spare locals after the one declared (param 0,
  // local 1: spares 2, 3, 4), the operands reordered to [a, b, c].
  const t0 = func(4);
  assert.equal(t0[0], "(func (;4;) (param i32)");
  assert.deepEqual(t0.slice(1, 3), ["(local v128)", "(local v128 v128 v128)"]);
  assert.deepEqual(t0.slice(10, 18), [
    "local.set 3",
    "local.set 2",
    "local.set 4",
    "local.get 2",
    "local.get 3",
    "local.get 4",
    "f32x4.relaxed_madd",
    "v128.store)",
  ]);
  // Twin of 1 is 5: calls the twin of 0, shares 2; the second form needs no spare locals.
  const t1 = func(5);
  assert.equal(t1[1], "(local v128 v128 v128)"); // no locals declared: the spares come first
  assert.deepEqual(t1.slice(3, 5), ["call 4", "call 2"]);
  assert.deepEqual(t1.slice(-3), ["local.get 2", "local.get 3", "f32x4.relaxed_madd)"]);
  assert.equal(lines.filter((l) => l.startsWith("  (func")).length, 6); // 2 and 3 not copied
  // Exports: the originals, then the twins, the module still closed once.
  assert.deepEqual(lines.filter((l) => l.includes("(export")).map((l) => l.trim()), [
    '(export "store_madd" (func 0))',
    '(export "madd" (func 1))',
    '(export "store_madd_fma" (func 4))',
    '(export "madd_fma" (func 5))',
    '(export "other" (func 3)))',
  ]);
});

Deno.test("fmaTwins makes a root's twin from its _tall variant where there is one, then drops that export", () => {
  // "madd_tall" is function 0 exported under a second name: madd's twin is 0's copy, and
  // store_madd (no variant) keeps its own; the variant's export goes, its function stays.
  const withTall = WAT.replace(
    `  (export "other" (func 3)))`,
    `  (export "other" (func 3))\n  (export "madd_tall" (func 0)))`,
  );
  const { wat, fused } = fmaTwins(withTall, ["madd", "store_madd"]);
  assert.deepEqual(fused, { madd: 1, store_madd: 1 });
  const lines = wat.split("\n");
  assert.deepEqual(lines.filter((l) => l.includes("(export")).map((l) => l.trim()), [
    '(export "store_madd" (func 0))',
    '(export "madd" (func 1))',
    '(export "other" (func 3))',
    '(export "madd_fma" (func 4))',
    '(export "store_madd_fma" (func 4))',
  ]);
  assert.equal(lines.at(-1), ")"); // the module still closed once
  assert.equal(lines.filter((l) => l.startsWith("  (func")).length, 5); // one copy: 0's
});

Deno.test("fmaTwins refuses a missing export and one with nothing to fuse", () => {
  assert.throws(() => fmaTwins(WAT, ["nope"]), /no function export "nope"/);
  assert.throws(() => fmaTwins(WAT, ["other"]), /"other" has no f32x4 multiply-add to fuse/);
});

/** wabt's assembler, when installed (CI installs it with the kernels toolchain). */
async function wat2wasm(text: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "duel-fma-" });
  try {
    await Deno.writeTextFile(`${dir}/m.wat`, text);
    const out = await new Deno.Command("wat2wasm", {
      args: ["--enable-relaxed-simd", `${dir}/m.wat`, "-o", `${dir}/m.wasm`],
      stderr: "piped",
    }).output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
    return await Deno.readFile(`${dir}/m.wasm`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the twins assemble and compute one rounding where the plain pair computes two", async () => {
  const bytes = await wat2wasm(fmaTwins(WAT, ["store_madd", "madd"]).wat);
  if (!bytes) {
    console.warn("wat2wasm (wabt) is not installed: the assembled twins are not run");
    return;
  }
  const memory = new WebAssembly.Memory({ initial: 1 });
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } })
    .exports as Record<string, (at: number) => void>;
  const f = new Float32Array(memory.buffer, 0, 12);
  // a = b = 1 + 2⁻²³, c = -(1 + 2⁻²²): a·b = 1 + 2⁻²² + 2⁻⁴⁶, which rounds to -c.
  const run = (name: string) => {
    f.fill(1 + 2 ** -23, 0, 8).fill(-(1 + 2 ** -22), 8, 12);
    e[name](0);
    return f[0];
  };
  assert.equal(run("store_madd"), 0);
  // One rounding: the exact 2⁻⁴⁶; a host without FMA may compute relaxed_madd unfused (0),
  // and then the kernels' own probe must say so too.
  assert.equal(run("store_madd_fma"), hostFusesMultiplyAdd() ? 2 ** -46 : 0);
});
