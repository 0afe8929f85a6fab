/**
 * Cost of hostile experiment files: parsing is linear in the text, and the
 * limits stop oversized documents before the YAML parser runs. The 10^5-key
 * file (1.4 MB) is refused by its size in ~2 ms; the largest file inside the
 * limits (~21,000 keys in 256 KiB) is refused by its key count after one
 * linear parse. `deno bench bench/yaml_limits_bench.ts`
 */
import { parseWithPositions, YAML_LIMITS } from "../src/config/source_map.ts";

const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join("\n") + "\n";
const huge = keys(100_000);
const atLimit = keys(YAML_LIMITS.entries);
const fitting = keys(Math.floor(YAML_LIMITS.bytes / 12.5));

const attempt = (text: string) => {
  try {
    parseWithPositions(text);
  } catch { /* refused: what is measured */ }
};

Deno.bench("10^5 keys (1.4 MB): refused", () => attempt(huge));
Deno.bench(`${YAML_LIMITS.entries} keys: parsed`, () => attempt(atLimit));
Deno.bench("the most keys 256 KiB holds: refused by count", () => attempt(fitting));
