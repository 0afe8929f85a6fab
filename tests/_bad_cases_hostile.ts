/**
 * Hostile and unlucky input (issue #15): keys named like object properties, numbers that are
 * not numbers, binary garbage, documents too big or too deep, and output folders that escape
 * the working directory. Every one is a single line and exit 2, like any other bad file.
 */

import { type BadCase, variant } from "./_bad_case.ts";

/** The YAML document limits (src/config/source_map.ts), for the oversized cases. */
const KEYS_1E5 = Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`).join("\n") + "\n";

export const HOSTILE_CASES: readonly BadCase[] = [
  // Keys named like Object.prototype's members are unknown keys, never the prototype.
  {
    name: "__proto__ as a top-level key",
    yaml: variant({}, "__proto__: { polluted: 1 }"),
    at: [15, 1],
    key: "__proto__",
    message: "unknown key",
    valid: "version, name, seed",
  },
  {
    name: "constructor as a top-level key",
    yaml: variant({}, "constructor: 1"),
    at: [15, 1],
    key: "constructor",
    message: "unknown key",
  },
  {
    name: "toString inside train",
    yaml: variant({ 13: "train: { steps: 5, batch_size: 8, toString: 1 }" }),
    at: [13, 35],
    key: "train.toString",
    message: "unknown key",
    valid: "steps, batch_size",
  },
  {
    name: "hasOwnProperty inside a layer",
    yaml: variant({ 5: "    - { type: dense, units: 16, hasOwnProperty: 1 }" }),
    at: [5, 33],
    key: "generator.layers[0].hasOwnProperty",
    message: "unknown key",
    valid: "type, units",
  },
  {
    name: "--set __proto__.polluted=1",
    yaml: variant({}),
    set: ["__proto__.polluted=1"],
    at: "--set __proto__.polluted=1",
    key: "__proto__",
    message: "unknown key",
  },
  {
    name: "--set constructor.prototype.polluted=1",
    yaml: variant({}),
    set: ["constructor.prototype.polluted=1"],
    at: "--set constructor.prototype.polluted=1",
    key: "constructor",
    message: "unknown key",
  },
  {
    name: "--set train.hasOwnProperty=1",
    yaml: variant({}),
    set: ["train.hasOwnProperty=1"],
    at: "--set train.hasOwnProperty=1",
    key: "train.hasOwnProperty",
    message: "unknown key",
  },
  // Numbers that are not numbers, or not exact.
  {
    name: "seed: .inf",
    yaml: variant({}, "seed: .inf"),
    at: [15, 7],
    key: "seed",
    message: "got number infinity",
    valid: "integer >= 0",
  },
  {
    name: "seed: .nan",
    yaml: variant({}, "seed: .nan"),
    at: [15, 7],
    key: "seed",
    message: "got number NaN",
  },
  {
    name: "train.steps beyond 2^53",
    yaml: variant({ 13: "train: { steps: 99999999999999999999, batch_size: 8 }" }),
    at: [13, 17],
    key: "train.steps",
    message: "got number 1e+20 (beyond 2^53, not exact)",
    valid: "integer >= 1",
  },
  {
    name: "--set a learning rate of -infinity",
    yaml: variant({}),
    set: ["optimizer.generator.lr=-.inf"],
    at: "--set optimizer.generator.lr=-.inf",
    key: "optimizer.generator.lr",
    message: "got number -infinity",
  },
  // Garbage: control characters are escaped in the line, never echoed raw.
  {
    name: "control characters in a string value",
    yaml: variant({ 1: 'name: "\\e[31mred\\a\\u0085"' }),
    at: [1, 7],
    key: "name",
    message: 'got string "\\u001b[31mred\\u0007\\u0085"',
  },
  {
    name: "binary garbage",
    yaml: "\u0000\u0001\u001b[2J\u00ff\u0007garbage\u0000: \u0008\n",
    at: [1, 1],
    key: null,
    // It parses as a mapping with one odd key: named, escaped, unknown.
    message: /^\\u0000\\u0001\\u001b\[2J.*garbage\\u0000: unknown key/,
  },
  // Documents too big, too many keys, too deep: refused before the parser spends time.
  {
    name: "a 1.4 MB file of 10^5 keys",
    yaml: KEYS_1E5,
    at: [1, 1],
    key: null,
    message: /^the file has 1377780 bytes/,
    valid: "at most 262144",
  },
  {
    name: "more than 10,000 list items",
    yaml: variant({}, `seed: [${Array(10_001).fill(0).join(",")}]`),
    at: [15, 19_948], // the 10,001st entry, counting the base file's keys and items
    key: null,
    message: /^more than 10000 keys and list items/,
  },
  {
    name: "flow nesting deeper than 32",
    yaml: variant({}, `seed: ${"[".repeat(40)}${"]".repeat(40)}`),
    at: [15, 39],
    key: null,
    message: /^nesting deeper than 32 levels/,
  },
  // Output folders: empty, or out of the working directory (the repository, in these tests).
  {
    name: "output.root traversal out of the working directory",
    yaml: variant({ 14: 'output: { root: "../../../../etc/duel-escape" }' }),
    at: [14, 17],
    key: "output.root",
    message: /\/etc\/duel-escape is outside the working directory/,
    valid: "--allow-outside",
  },
  {
    name: 'output.root: ""',
    yaml: variant({ 14: 'output: { root: "" }' }),
    at: [14, 17],
    key: "output.root",
    message: 'got string ""',
    valid: "a non-empty folder path",
  },
  {
    name: "output.root from the file, absolute, outside",
    yaml: variant({ 14: 'output: { root: "/tmp/duel-escape-from-file" }' }),
    at: [14, 17],
    key: "output.root",
    message: "is outside the working directory",
  },
  {
    name: "--set output.root with .. out of the working directory",
    yaml: variant({}),
    set: ["output.root=../duel-escape"],
    at: "--set output.root=../duel-escape",
    key: "output.root",
    message: "is outside the working directory",
  },
  {
    name: "--set output.root= (empty)",
    yaml: variant({}),
    set: ["output.root="],
    at: "--set output.root=",
    key: "output.root",
    message: "got nothing",
  },
];
