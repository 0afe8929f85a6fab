/**
 * The benchmarks' positional arguments, read once: a count or a list of
 * counts, or a clear one-line error (which script, which argument, what it
 * got, what would be valid) and exit code 2, never a NaN that quietly runs
 * no rounds.
 * @module
 */

/** The script's name as its errors give it, e.g. `tanh_bench`. */
const scriptName = () => new URL(Deno.mainModule).pathname.split("/").pop()!.replace(/\.ts$/, "");

/** Prints `<script>: argument <n> (<name>): <problem>` and exits with code 2. */
export function argumentError(index: number, name: string, problem: string): never {
  console.error(`${scriptName()}: argument ${index + 1} (${name}): ${problem}`);
  Deno.exit(2);
}

const whole = (text: string) => /^[1-9][0-9]*$/.test(text);

/**
 * Positional argument `index` (from 0) as a positive integer at most `max`, `fallback` where it
 * is absent.
 *
 *     const rounds = countArg(0, "rounds", 12); // `tanh_bench.ts abc`: exit 2
 */
export function countArg(index: number, name: string, fallback: number, max = Infinity): number {
  const text = Deno.args[index];
  if (text === undefined) return fallback;
  if (!whole(text) || Number(text) > max) {
    const range = max === Infinity ? "a positive integer" : `an integer in 1..${max}`;
    argumentError(index, name, `"${text}", expected ${range}`);
  }
  return Number(text);
}

/**
 * Positional argument `index` as a comma-separated list of positive integers, each at most
 * `max`, `fallback` where it is absent.
 *
 *     const threads = countListArg(1, "threads", [1, 2], 8); // "1,2"
 */
export function countListArg(
  index: number,
  name: string,
  fallback: readonly number[],
  max = Infinity,
): number[] {
  const text = Deno.args[index];
  if (text === undefined) return [...fallback];
  const items = text.split(",");
  const bad = items.find((t) => !whole(t) || Number(t) > max);
  if (bad !== undefined) {
    const range = max === Infinity ? "positive integers" : `integers in 1..${max}`;
    argumentError(
      index,
      name,
      `"${bad}" in "${text}": expected a comma-separated list of ${range}`,
    );
  }
  return items.map(Number);
}
