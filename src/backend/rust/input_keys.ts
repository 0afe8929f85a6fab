/**
 * The names of a kernel's indexed inputs (`w0`, `b0`, `p3`, …), made once
 * per prefix and index and reused: a training step's kernel calls look up
 * dozens of them, and a template string per lookup is a fresh string to
 * build and hash each time.
 * @module
 */

const KEYS = new Map<string, string[]>();

/**
 * `${prefix}${i}`, the same string object on every call.
 *
 * Inside Duel it is used as `inputs[inputKey("w", l)] = layer.kernel`.
 */
export function inputKey(prefix: string, i: number): string {
  let keys = KEYS.get(prefix);
  if (!keys) KEYS.set(prefix, keys = []);
  while (keys.length <= i) keys.push(`${prefix}${keys.length}`);
  return keys[i];
}
