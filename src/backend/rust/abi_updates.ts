/**
 * The ABI entries of the fused updates' parts (kernels/src/optimizers.rs, ema.rs): a
 * call split over the kernel threads by table entries, each part with the
 * kernel threads' `work, lo, hi` after the update's own parameters. Merged
 * into `KERNEL_ABI` (abi.ts).
 * @module
 */
import {
  type AbiEntry,
  ADAM_CONSTANTS,
  EMA_CONSTANTS,
  PART,
  ref,
  RMSPROP_CONSTANTS,
} from "./abi_types.ts";

/** `adam_f32`'s constants after the table, then the part (`work` unused). */
const ADAM_PART = [["table", "ptr"], ...ADAM_CONSTANTS, ["work", "ptr"], ...PART] as const;

/** `rmsprop_f32`'s constants after the table, then the part (`work` unused). */
const RMSPROP_PART = [["table", "ptr"], ...RMSPROP_CONSTANTS, ["work", "ptr"], ...PART] as const;

/** `ema_f32`'s constants after the table, then the part (`work` unused). */
const EMA_PART = [["table", "ptr"], ...EMA_CONSTANTS, ["work", "ptr"], ...PART] as const;

/** The type of {@link UPDATES_ABI}. */
export type UpdatesAbi = {
  readonly adam_f32_part: AbiEntry<typeof ADAM_PART>;
  readonly adam_f32_part_ref: AbiEntry<typeof ADAM_PART>;
  readonly rmsprop_f32_part: AbiEntry<typeof RMSPROP_PART>;
  readonly rmsprop_f32_part_ref: AbiEntry<typeof RMSPROP_PART>;
  readonly ema_f32_part: AbiEntry<typeof EMA_PART>;
  readonly ema_f32_part_ref: AbiEntry<typeof EMA_PART>;
};

/** The fused updates' part exports and their scalar references. */
export const UPDATES_ABI: UpdatesAbi = {
  adam_f32_part: {
    doc: "adam_f32 on table entries lo..hi: one part of a call split over the kernel threads",
    params: ADAM_PART,
  },
  adam_f32_part_ref: {
    doc: ref("adam_f32_part"),
    params: ADAM_PART,
  },
  rmsprop_f32_part: {
    doc: "rmsprop_f32 on table entries lo..hi: one part of a call split over the kernel threads",
    params: RMSPROP_PART,
  },
  rmsprop_f32_part_ref: {
    doc: ref("rmsprop_f32_part"),
    params: RMSPROP_PART,
  },
  ema_f32_part: {
    doc: "ema_f32 on table entries lo..hi: one part of a call split over the kernel threads",
    params: EMA_PART,
  },
  ema_f32_part_ref: {
    doc: ref("ema_f32_part"),
    params: EMA_PART,
  },
};
