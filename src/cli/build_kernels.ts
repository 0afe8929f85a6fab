/**
 * `deno task build:kernels`: builds the Rust kernels (kernels/) to
 * WebAssembly with Debian's toolchain, strips them with wasm-opt, checks they
 * are safe to run inside tfjs's memory, and writes the committed
 * `kernels/duel_kernels.wasm` and the toolchain versions beside it.
 * The build is reproducible (same bytes from any checkout path); a test
 * rebuilds and compares when the toolchain is installed.
 * @module
 */
import { assertZeroCopySafe } from "../backend/wasm_module.ts";
import { writeAtomic } from "../runs/files.ts";

const KERNELS = new URL("../../kernels/", import.meta.url).pathname;
/** The committed module. */
export const KERNELS_WASM = `${KERNELS}duel_kernels.wasm`;
/** The toolchain that built the committed module (`rustc`, `cargo`, `wasm-opt` versions). */
export const KERNELS_TOOLCHAIN = `${KERNELS}duel_kernels.toolchain`;

/** The tools, Debian's (the rustup toolchain usually on PATH has no wasm32 target). */
export const TOOLS = {
  rustc: Deno.env.get("DUEL_RUSTC") ?? "/usr/bin/rustc",
  cargo: Deno.env.get("DUEL_CARGO") ?? "/usr/bin/cargo",
  wasmOpt: Deno.env.get("DUEL_WASM_OPT") ?? "wasm-opt",
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
    return [rustc, cargo, wasmOpt].join("\n") + "\n";
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
  const bytes = await Deno.readFile(stripped);
  assertZeroCopySafe(bytes, "kernels build");
  return bytes;
}

if (import.meta.main) {
  const versions = await toolchainVersions();
  if (!versions) {
    console.error(
      `build:kernels: toolchain missing (${TOOLS.rustc} with the wasm32 target, ${TOOLS.cargo}, ` +
        `${TOOLS.wasmOpt}); install: apt-get install rustc cargo libstd-rust-dev-wasm32 binaryen`,
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
