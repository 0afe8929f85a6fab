/**
 * Examples of src/cli/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { runCommand, UsageError } from "../src/cli/command.ts";

Deno.test("src/cli/command.ts: runCommand, UsageError", async () => {
  const echo = {
    usage: "usage: echo <word>",
    options: { loud: { type: "boolean" } },
    main: async ({ positionals }: { positionals: string[] }) => {
      if (positionals.length !== 1) throw new UsageError("expected one word");
      return await Promise.resolve(0);
    },
  } as const;
  assert.equal(await runCommand(echo, ["hi"]), 0);
  assert.equal(await runCommand(echo, []), 2); // prints "duel: expected one word" and the usage
  assert.equal(await runCommand(echo, ["--nope"]), 2);
});
