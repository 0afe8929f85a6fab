/**
 * Runs a computation with kernel replacements off and then on, for tests that
 * demand the replacement's bits equal what it replaces.
 * @module
 */
import { type KernelFixName, setKernelFix } from "../src/backend/kernels.ts";

/** `fn` with `fixes` off (the built-ins or tfjs's composites), then on: both results. */
export function onAndOff<T>(
  fixes: KernelFixName | readonly KernelFixName[],
  fn: () => T,
): { on: T; off: T } {
  const all = typeof fixes === "string" ? [fixes] : fixes;
  for (const fix of all) setKernelFix(fix, false);
  const off = fn();
  for (const fix of all) setKernelFix(fix, true);
  const on = fn();
  return { on, off };
}
