import assert from "node:assert/strict";
import { ABI_TYPES, type AbiType, KERNEL_ABI, kernelExports } from "../src/backend/rust/abi.ts";
import { FUSED_EXPORTS } from "../src/backend/rust/gemm.ts";
import { functionExports } from "../src/backend/wasm_module.ts";

const WASM = new URL("../kernels/duel_kernels.wasm", import.meta.url);
const SRC = new URL("../kernels/src/", import.meta.url);
const declared = kernelExports();

/** Rust parameter types as the ABI table names them. */
const RUST_TYPES: Record<string, AbiType> = {
  "*const f32": "ptr",
  "*mut f32": "ptr",
  "*const u32": "ptr",
  "*const f64": "ptr",
  "*mut f64": "ptr",
  u32: "u32",
  i32: "i32",
  f32: "f32",
};

/** `a: T, b: U` as `[name, abi type]` pairs. */
function rustParams(list: string, where: string): [string, AbiType][] {
  return list.split(",").map((p) => p.trim()).filter(Boolean).map((p) => {
    const [name, type] = p.split(":").map((s) => s.trim());
    const abi = RUST_TYPES[type];
    assert.ok(abi, `${where}: parameter ${name} has type ${type}, not one of the ABI's`);
    return [name.replace(/^_/, ""), abi]; // `_work`: unused by a reference
  });
}

async function rustSources(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: URL) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir));
      else if (e.name.endsWith(".rs")) {
        out.set(e.name, await Deno.readTextFile(new URL(e.name, dir)));
      }
    }
  };
  await walk(SRC);
  return out;
}

/**
 * The exports the Rust sources declare with their parameters: `#[no_mangle] extern "C" fn`
 * items, `kernel!` pairs (kernel and reference, one signature), `elementwise_part!` parts
 * (their pointers and scalars, then `work, lo, hi`) and the members of the family
 * macros (`matmul_exports!`, `conv_exports!`): a `macro_rules!` whose `extern "C" fn $name(…)`
 * writes the family's signature once, then optionally `$($part: T),*` (the parts' `lo, hi`),
 * invoked once with entries `name(part, …) => …;` or `name => …;`, an entry optionally
 * with `tall name_tall => …` (its fused twin's source, which the built module does not export).
 */
async function rustExports(): Promise<Map<string, [string, AbiType][]>> {
  const out = new Map<string, [string, AbiType][]>();
  const sources = await rustSources();
  for (const [file, text] of sources) {
    for (const m of text.matchAll(/extern "C" fn (\$?\w+)\(([^)$]*)\)/g)) {
      if (m[1].startsWith("$")) continue;
      out.set(m[1], rustParams(m[2], `${file}: ${m[1]}`));
    }
    for (const m of text.matchAll(/^\s*(\w+), (\w+)\s*\(([^)]*)\)\s*=>/gm)) {
      const params = rustParams(m[3], `${file}: kernel!(${m[1]}, ${m[2]})`);
      out.set(m[1], params).set(m[2], params);
    }
    // `elementwise_part!(name(pointers; scalars) => kernel)`: those, then `work, lo, hi`.
    for (const m of text.matchAll(/elementwise_part!\([^]*?\n\s*(\w+)\(([^)]*)\)\s*=>/g)) {
      const list = `${m[2].replace(";", ",")}, work: *mut f32, lo: u32, hi: u32`;
      out.set(m[1], rustParams(list, `${file}: elementwise_part!(${m[1]})`));
    }
    for (const m of text.matchAll(/macro_rules! (\w+) \{([\s\S]*?)\n\}/g)) {
      const family = m[2].match(/extern "C" fn \$\w+\(([^$)]*)(?:\$\(\$\w+: ([^)$]+)\),\*\s*)?\)/);
      if (!family) continue;
      const where = `${file}: ${m[1]}!`;
      const shared = rustParams(family[1], where);
      const partType = family[2] ? rustParams(`part: ${family[2]}`, where)[0][1] : undefined;
      const call = text.match(new RegExp(`^${m[1]}! \\{([\\s\\S]*?)\\n\\}`, "m"));
      assert.ok(call, `${where} is defined but not invoked in ${file}`);
      const entries = [...call[1].matchAll(/^\s*(\w+)\s*(?:\(([^)]*)\))?\s*=>/gm)];
      assert.ok(entries.length > 0, `${where} invoked with no entries`);
      for (const [, name, parts = ""] of entries) {
        const extra = parts.split(",").map((p) => p.trim()).filter(Boolean);
        assert.ok(extra.length === 0 || partType, `${where} ${name}: parts, but no \$part type`);
        out.set(name, [
          ...shared,
          ...extra.map((p): [string, AbiType] => [p, partType as AbiType]),
        ]);
      }
      // `name => …, tall name_tall => …;`: the fused twin's source, with name's signature.
      for (const [, tall] of call[1].matchAll(/\btall (\w+)_tall\b/g)) {
        assert.ok(out.has(tall), `${where}: tall ${tall}_tall follows no entry ${tall}`);
        out.set(`${tall}_tall`, out.get(tall)!);
      }
    }
  }
  return out;
}

Deno.test("the ABI table declares exactly the module's function exports, with their wasm types", async () => {
  const built = functionExports(await Deno.readFile(WASM));
  const missing = [...declared.keys()].filter((name) => !built.has(name));
  const undeclared = [...built.keys()].filter((name) => !declared.has(name));
  assert.deepEqual(missing, [], `declared in src/backend/rust/abi.ts, not exported: ${missing}`);
  assert.deepEqual(
    undeclared,
    [],
    `exported, not declared in src/backend/rust/abi.ts: ${undeclared}`,
  );
  for (const [name, sig] of declared) {
    const want = {
      params: sig.params.map(([, type]) => ABI_TYPES[type]),
      results: sig.result ? [ABI_TYPES[sig.result]] : [],
    };
    assert.deepEqual(built.get(name), want, `${name}: the module's type differs from the table's`);
  }
});

Deno.test("the ABI table matches the Rust sources' signatures, names included", async () => {
  const rust = await rustExports();
  for (const [name, params] of rust) {
    if (name.endsWith("_tall")) {
      // The source of a fused twin (tools/fma_twins.ts), not exported by the module.
      const root = name.slice(0, -"_tall".length);
      const sig = KERNEL_ABI[root as keyof typeof KERNEL_ABI] as { fma?: boolean } | undefined;
      assert.ok(sig?.fma, `${name}: ${root} is not a root of fused twins in abi.ts`);
      assert.deepEqual(params, declared.get(root)!.params, `${name} and ${root} differ`);
      continue;
    }
    const sig = declared.get(name);
    assert.ok(sig, `kernels/src exports ${name}, which src/backend/rust/abi.ts does not declare`);
    assert.deepEqual(params, sig.params, `${name}: Rust and src/backend/rust/abi.ts disagree`);
  }
  const missing = Object.keys(KERNEL_ABI).filter((name) => !rust.has(name));
  assert.deepEqual(missing, [], `declared in src/backend/rust/abi.ts, not found in kernels/src`);
});

Deno.test("every scalar reference has its kernel's signature, and every fused twin its root's", () => {
  for (const [name, sig] of declared) {
    const base = name.endsWith("_fma_ref")
      ? name.slice(0, -"_fma_ref".length)
      : name.endsWith("_ref")
      ? name.slice(0, -"_ref".length)
      : undefined;
    if (base === undefined) continue;
    assert.ok(declared.has(base), `${name} is a reference of nothing (no ${base})`);
    assert.deepEqual(sig.params, declared.get(base)!.params, `${name} and ${base} differ`);
  }
  for (const [plain, twin] of Object.entries(FUSED_EXPORTS)) {
    const plainSig = declared.get(plain), twinSig = declared.get(twin);
    assert.ok(plainSig && twinSig, `FUSED_EXPORTS: ${plain} -> ${twin} is not declared`);
    assert.deepEqual(plainSig.params, twinSig.params, `${plain} and its twin ${twin} differ`);
  }
});
