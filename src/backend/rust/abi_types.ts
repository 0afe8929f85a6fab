/**
 * The ABI's types and the parameter lists several tables share (`abi.ts`,
 * `abi_updates.ts`, `abi_metrics.ts`): a leaf, so that each table imports them
 * without importing another table.
 * @module
 */

/** How a parameter or result crosses the ABI, by its WebAssembly value type. */
export const ABI_TYPES = { ptr: "i32", u32: "i32", i32: "i32", f32: "f32" } as const;

/** A key of {@link ABI_TYPES}: `ptr` (byte offset), `u32`, `i32` or `f32`. */
export type AbiType = keyof typeof ABI_TYPES;

/** One parameter: its Rust name and ABI type. */
export type AbiParam = readonly [name: string, type: AbiType];

/** One export of the module. */
export interface KernelSignature {
  /** What it computes (the Rust doc comment has the details). */
  readonly doc: string;
  /** Its parameters, in order. */
  readonly params: readonly AbiParam[];
  /** Its result, if any. */
  readonly result?: AbiType;
  /** Whether the build adds a fused multiply-add twin `<name>_fma` (same signature). */
  readonly fma?: true;
}

/** The type of a {@link KERNEL_ABI} entry with parameters `P` (see {@link KernelSignature}). */
export type AbiEntry<P extends readonly AbiParam[]> = { readonly doc: string; readonly params: P };
/** Added to an {@link AbiEntry}: the entry returns an `R`. */
export type AbiReturns<R extends AbiType> = { readonly result: R };
/** Added to an {@link AbiEntry}: the build adds the fused twin `<name>_fma`. */
export type AbiFmaTwin = { readonly fma: true };
/** Parameters named `N`, each an `f32` (as `as const` writes them). */
export type F32Params<N extends readonly string[]> = {
  readonly [I in keyof N]: readonly [N[I], "f32"];
};

/** A part's range, after a kernel's own parameters (the kernel threads' convention). */
export const PART = [["lo", "u32"], ["hi", "u32"]] as const;

/** An optimiser table and its length (kernels/src/optimizers.rs). */
export const TABLE = [["table", "ptr"], ["n", "u32"]] as const;

/** Adam's constants after the table (kernels/src/optimizers.rs), in `adam_f32` and its parts. */
export const ADAM_CONSTANTS: F32Params<
  ["b1", "one_minus_b1", "b2", "one_minus_b2", "root_c2", "eps", "step_size"]
> = [
  ["b1", "f32"],
  ["one_minus_b1", "f32"],
  ["b2", "f32"],
  ["one_minus_b2", "f32"],
  ["root_c2", "f32"],
  ["eps", "f32"],
  ["step_size", "f32"],
] as const;
/** `adam_f32`'s parameters. */
export const ADAM = [...TABLE, ...ADAM_CONSTANTS] as const;

/** RMSProp's constants after the table (kernels/src/optimizers.rs), in `rmsprop_f32` and its parts. */
export const RMSPROP_CONSTANTS: F32Params<["alpha", "one_minus_alpha", "eps", "momentum", "lr"]> = [
  ["alpha", "f32"],
  ["one_minus_alpha", "f32"],
  ["eps", "f32"],
  ["momentum", "f32"],
  ["lr", "f32"],
] as const;
/** `rmsprop_f32`'s parameters. */
export const RMSPROP = [...TABLE, ...RMSPROP_CONSTANTS] as const;

/** The EMA's constants after the table (kernels/src/ema.rs), in `ema_f32` and its parts. */
export const EMA_CONSTANTS: F32Params<["decay", "one_minus_decay"]> = [
  ["decay", "f32"],
  ["one_minus_decay", "f32"],
] as const;
/** `ema_f32`'s parameters. */
export const EMA = [...TABLE, ...EMA_CONSTANTS] as const;

/** A dense chain's table, layers, batch, workspace and part (kernels/src/dense_chain.rs). */
export const CHAIN = [
  ["table", "ptr"],
  ["layers", "u32"],
  ["batch", "u32"],
  ["work", "ptr"],
  ...PART,
] as const;
/** The type of {@link CHAIN}. */
export type Chain = typeof CHAIN;

/** "Scalar reference of …": same signature, same bits. */
export const ref = (of: string): string => `scalar reference of ${of}: same signature, same bits`;
