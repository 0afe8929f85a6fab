/**
 * `deno task build:kernels`: builds the Rust kernels (kernels/) to
 * WebAssembly with Debian's toolchain, strips them with wasm-opt, adds the
 * fused multiply-add twins of the GEMM kernels (`fma_twins.ts`, through
 * wabt's text format), checks they are safe to run inside tfjs's memory, and
 * writes the committed `kernels/duel_kernels.wasm` and the toolchain versions
 * beside it.
 * The build is reproducible (same bytes from any checkout path); a test
 * rebuilds and compares when the toolchain is installed.
 * @module
 */
import { assertZeroCopySafe } from "../src/backend/wasm_module.ts";
import { FMA_ROOTS } from "../src/backend/rust/abi.ts";
import { writeAtomic } from "../src/files.ts";
import { fmaTwins } from "./fma_twins.ts";

const KERNELS = new URL("../kernels/", import.meta.url).pathname;
/** The committed module. */
export const KERNELS_WASM = `${KERNELS}duel_kernels.wasm`;
/** The toolchain that built the committed module (`rustc`, `cargo`, `wasm-opt` versions). */
export const KERNELS_TOOLCHAIN = `${KERNELS}duel_kernels.toolchain`;

/** The tools, Debian's (the rustup toolchain usually on PATH has no wasm32 target). */
export const TOOLS = {
  rustc: Deno.env.get("DUEL_RUSTC") ?? "/usr/bin/rustc",
  cargo: Deno.env.get("DUEL_CARGO") ?? "/usr/bin/cargo",
  wasmOpt: Deno.env.get("DUEL_WASM_OPT") ?? "wasm-opt",
  wasm2wat: Deno.env.get("DUEL_WASM2WAT") ?? "wasm2wat",
  wat2wasm: Deno.env.get("DUEL_WAT2WASM") ?? "wat2wasm",
} as const;

async function run(cmd: string, args: string[], env: Record<string, string> = {}, cwd = KERNELS) {
  // A clean environment: RUSTFLAGS and friends would override kernels/.cargo/config.toml.
  const keep = ["PATH", "HOME", "CARGO_HOME", "TMPDIR"];
  const base = Object.fromEntries(
    keep.flatMap((k) => (Deno.env.get(k) === undefined ? [] : [[k, Deno.env.get(k)!]])),
  );
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    env: { ...base, ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${text.decode(out.stderr)}`);
  }
  return text.decode(out.stdout).trim();
}

/**
 * The versions of the toolchain, one per line, or `undefined` when part of
 * it (or Rust's wasm32 standard library) is missing.
 */
export async function toolchainVersions(): Promise<string | undefined> {
  try {
    const rustc = await run(TOOLS.rustc, ["--version"]);
    const sysroot = await run(TOOLS.rustc, ["--print", "sysroot"]);
    await Deno.stat(`${sysroot}/lib/rustlib/wasm32-unknown-unknown/lib`);
    const cargo = await run(TOOLS.cargo, ["--version"]);
    const wasmOpt = await run(TOOLS.wasmOpt, ["--version"]);
    const wabt = await run(TOOLS.wat2wasm, ["--version"]);
    await run(TOOLS.wasm2wat, ["--version"]);
    return [rustc, cargo, wasmOpt, `wabt ${wabt}`].join("\n") + "\n";
  } catch {
    return undefined;
  }
}

/**
 * Builds the kernels (cargo target folder `targetDir`) and returns the
 * stripped, checked module bytes.
 */
export async function buildKernels(targetDir: string): Promise<Uint8Array> {
  await run(TOOLS.cargo, ["build", "--release", "--locked", "--offline", "-q"], {
    RUSTC: TOOLS.rustc,
    CARGO_TARGET_DIR: targetDir,
  });
  const raw = `${targetDir}/wasm32-unknown-unknown/release/duel_kernels.wasm`;
  const stripped = `${targetDir}/duel_kernels.stripped.wasm`;
  // Drops the unused stack-pointer global, names and the producers section; -O3 measured no gain.
  await run(TOOLS.wasmOpt, [
    "--enable-simd",
    "--remove-unused-module-elements",
    "--strip-debug",
    "--strip-producers",
    raw,
    "-o",
    stripped,
  ]);
  // The twins go through the text format: check first that it round-trips these bytes exactly.
  const wat = `${targetDir}/duel_kernels.wat`;
  const back = `${targetDir}/duel_kernels.back.wasm`;
  await run(TOOLS.wasm2wat, [stripped, "-o", wat]);
  await run(TOOLS.wat2wasm, [wat, "-o", back]);
  const [plain, again] = await Promise.all([Deno.readFile(stripped), Deno.readFile(back)]);
  if (plain.length !== again.length || plain.some((b, i) => b !== again[i])) {
    throw new Error(`${TOOLS.wasm2wat} and ${TOOLS.wat2wasm} do not round-trip the module`);
  }
  const twins = fmaTwins(await Deno.readTextFile(wat), FMA_ROOTS);
  const fusedWat = `${targetDir}/duel_kernels.fma.wat`;
  const out = `${targetDir}/duel_kernels.fma.wasm`;
  await Deno.writeTextFile(fusedWat, twins.wat);
  await run(TOOLS.wat2wasm, ["--enable-relaxed-simd", fusedWat, "-o", out]);
  const bytes = await Deno.readFile(out);
  assertZeroCopySafe(bytes, "kernels build");
  return bytes;
}

if (import.meta.main) {
  const versions = await toolchainVersions();
  if (!versions) {
    console.error(
      `build:kernels: toolchain missing (${TOOLS.rustc} with the wasm32 target, ${TOOLS.cargo}, ` +
        `${TOOLS.wasmOpt}, ${TOOLS.wasm2wat}, ${TOOLS.wat2wasm}); install: apt-get install rustc ` +
        `cargo libstd-rust-dev-wasm32 binaryen wabt`,
    );
    Deno.exit(1);
  }
  try {
    const bytes = await buildKernels(`${KERNELS}target`);
    await writeAtomic(KERNELS_WASM, bytes);
    await writeAtomic(KERNELS_TOOLCHAIN, versions);
    console.log(`${KERNELS_WASM}: ${bytes.length} bytes`);
  } catch (e) {
    console.error(`build:kernels: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
