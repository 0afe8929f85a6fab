import assert from "node:assert/strict";
import {
  buildKernels,
  KERNELS_TOOLCHAIN,
  KERNELS_WASM,
  toolchainVersions,
} from "../tools/build_kernels.ts";
import { assertZeroCopySafe } from "../src/backend/wasm_module.ts";

const versions = await toolchainVersions();
const recorded = await Deno.readTextFile(KERNELS_TOOLCHAIN);
const skip = !versions
  ? "the Rust wasm32 toolchain is not installed (apt-get install rustc cargo " +
    "libstd-rust-dev-wasm32 binaryen wabt)"
  : versions !== recorded
  ? `the installed toolchain (${versions.trim().replaceAll("\n", ", ")}) is not the one that ` +
    `built the committed module (${recorded.trim().replaceAll("\n", ", ")})`
  : "";
if (skip) console.warn(`kernels build test skipped: ${skip}`);

Deno.test("the committed kernels module is safe to run in tfjs's memory", async () => {
  assertZeroCopySafe(await Deno.readFile(KERNELS_WASM), KERNELS_WASM);
});

Deno.test({
  name: "kernels/duel_kernels.wasm is what `deno task build:kernels` builds from kernels/src",
  ignore: skip !== "",
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "duel-kernels-" });
    try {
      const built = await buildKernels(dir);
      const committed = await Deno.readFile(KERNELS_WASM);
      assert.ok(
        built.length === committed.length && built.every((b, i) => b === committed[i]),
        `${KERNELS_WASM} is stale (${committed.length} bytes, a fresh build has ${built.length}): ` +
          "run `deno task build:kernels` and commit the result",
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
