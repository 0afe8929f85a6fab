/**
 * The `webgpu` backend: tfjs-backend-webgpu on Deno's WebGPU (`navigator.gpu`),
 * its adapter's identity for the manifest, and the host side that evaluation
 * and checkpoints run on (Deno's WebGPU has no synchronous read-back).
 * @module
 */
import * as tf from "../deps/tfjs_core.ts";
import { UserError } from "../errors.ts";

/** What the manifest records about the WebGPU adapter (`manifest.json`, `adapter`). */
export interface AdapterInfo {
  /** The adapter's vendor, as the driver reports it (Mesa's llvmpipe: "65541"). */
  readonly vendor: string;
  /** Its architecture (may be empty). */
  readonly architecture: string;
  /** Its description, e.g. "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly description: string;
  /** Whether it is a software fallback adapter (llvmpipe is). */
  readonly fallback: boolean;
  /** Its limits (`GPUSupportedLimits`), by name. */
  readonly limits: Readonly<Record<string, number>>;
}

/** Asks for an adapter (the default asks `navigator.gpu`; tests pass another). */
export type AdapterRequest = () => Promise<GPUAdapter | null>;

/**
 * `navigator.gpu.requestAdapter()`, or null where Deno exposes no WebGPU.
 *
 * @example
 * ```ts
 * import { adapterInfo, requestGpuAdapter } from "../../mod.ts";
 * const adapter = await requestGpuAdapter();
 * if (adapter) console.log(adapterInfo(adapter).description); // e.g. llvmpipe (LLVM 15.0.6, 256 bits)
 * ```
 */
export const requestGpuAdapter: AdapterRequest = (): Promise<GPUAdapter | null> =>
  (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu?.requestAdapter() ??
    Promise.resolve(null);

/**
 * The adapter's identity and limits, as plain data.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adapterInfo, requestGpuAdapter } from "../../mod.ts";
 * const adapter = await requestGpuAdapter();
 * if (adapter) assert.ok(adapterInfo(adapter).limits.maxBufferSize > 0);
 * ```
 */
export function adapterInfo(adapter: GPUAdapter): AdapterInfo {
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const limits: Record<string, number> = {};
  for (const key in adapter.limits) {
    const value = (adapter.limits as unknown as Record<string, unknown>)[key];
    if (typeof value === "number") limits[key] = value;
  }
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    fallback: info.isFallbackAdapter ?? false,
    limits,
  };
}

/**
 * The message when no adapter exists: one line, what would be valid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NO_ADAPTER } from "../../mod.ts";
 * assert.ok(!NO_ADAPTER.includes("\n"));
 * ```
 */
export const NO_ADAPTER: string =
  "backend webgpu: no WebGPU adapter here (navigator.gpu.requestAdapter() " +
  "gave none; valid: a GPU with Vulkan, Metal or D3D12 drivers, or Mesa's llvmpipe " +
  "(Debian: libegl1 libegl-mesa0 libgl1-mesa-dri), or backend.name: wasm or cpu)";

let adapter: AdapterInfo | undefined;

/**
 * Registers and initialises tfjs-backend-webgpu once and returns its adapter,
 * or throws a {@link UserError} (exit 2) when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UserError, webgpuAdapter } from "../../mod.ts";
 * await assert.rejects(() => webgpuAdapter(() => Promise.resolve(null)), UserError);
 * ```
 */
export async function webgpuAdapter(
  request: AdapterRequest = requestGpuAdapter,
): Promise<AdapterInfo> {
  if (adapter) return adapter;
  const found = await request().catch(() => null);
  if (!found) throw new UserError(NO_ADAPTER);
  const info = adapterInfo(found);
  await import("../deps/tfjs_backend_webgpu.ts");
  adapter = info;
  return info;
}

/** The backend evaluation, views and checkpoints run on while training on webgpu. */
export const HOST_BACKEND = "wasm";

/**
 * Makes every given tensor readable synchronously (its values cached on the
 * host); a no-op off webgpu. Deno's WebGPU reads back only asynchronously,
 * and `dataSync` of a tensor whose values are cached needs no read.
 */
export async function settle(tensors: readonly tf.Tensor[]): Promise<void> {
  if (tf.getBackend() !== "webgpu") return;
  for (const t of tensors) if (!t.isDisposed) await t.data();
}

/**
 * Throws a plain error when the active backend is webgpu, where `what` cannot
 * read tensors synchronously (Deno's WebGPU reads back only asynchronously),
 * saying how to call it: between `enterHost` and the function it returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requireSyncReads, useBackend } from "../../mod.ts";
 * await useBackend("cpu");
 * requireSyncReads("evaluate()"); // cpu and wasm read synchronously: nothing thrown
 * assert.ok(true);
 * ```
 */
export function requireSyncReads(what: string): void {
  if (tf.getBackend() !== "webgpu") return;
  throw new Error(
    `${what} reads tensors synchronously, which the webgpu backend cannot: call it between ` +
      "`const leave = await enterHost(trainer.tensors())` and `await leave()`",
  );
}

/**
 * Whether `adapter` is Mesa's llvmpipe, the software adapter whose numerics were measured.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLlvmpipe } from "../../mod.ts";
 * const info = { vendor: "65541", architecture: "", fallback: true, limits: {} };
 * assert.ok(isLlvmpipe({ ...info, description: "llvmpipe (LLVM 15.0.6, 256 bits)" }));
 * ```
 */
export const isLlvmpipe = (adapter: AdapterInfo): boolean =>
  /^llvmpipe\b/.test(adapter.description);

/**
 * What a rerun reproduces on `backend` (`manifest.json`, `reproducibility`;
 * `deno task reproduce` prints it): bit-exact on cpu and wasm (one thread or
 * several) and on webgpu with llvmpipe, where repeated runs and `--resume`
 * were measured to give the same bits; on any other adapter unmeasured, so
 * float32 tolerance is all that is claimed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reproducibilityOf } from "../../mod.ts";
 * assert.match(reproducibilityOf("wasm"), /^bit-exact/);
 * const gpu = { vendor: "4318", architecture: "", description: "NVIDIA", fallback: false, limits: {} };
 * assert.match(reproducibilityOf("webgpu", gpu), /^within float32 tolerance/);
 * ```
 */
export function reproducibilityOf(backend: string, adapter?: AdapterInfo): string {
  if (backend !== "webgpu") return "bit-exact: a rerun on this backend gives the same bits";
  if (adapter && isLlvmpipe(adapter)) {
    return "bit-exact on llvmpipe: repeated runs and --resume measured to give the same bits";
  }
  return "within float32 tolerance: not measured on this adapter; a GPU may sum in another " +
    "order from run to run, so a rerun may differ in the last bits";
}
