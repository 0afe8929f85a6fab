/**
 * The statistics the benchmarks print, written once: `median` (the middle of
 * the sorted values, the mean of the middle two for an even count).
 * @module
 */

/**
 * The median of `xs` (NaN for none); `xs` is left in its order.
 *
 *     median([3, 1, 2]); // 2
 *     median([4, 1, 3, 2]); // 2.5
 */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = xs.toSorted((a, b) => a - b), mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
