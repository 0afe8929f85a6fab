import assert from "node:assert/strict";
import { referenceSection, withReference } from "../src/cli/docs.ts";

Deno.test("the README's experiment-file reference is up to date (deno task docs)", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  const normalise = (s: string) => s.replace(/\s+/g, "").replace(/-{3,}/g, "---");
  assert.ok(
    normalise(withReference(readme, referenceSection())) === normalise(readme),
    "README.md's reference is stale: run `deno task docs`",
  );
});

Deno.test("the README documents every objective, layer and data set by name", async () => {
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  for (
    const name of [
      "non_saturating",
      "minimax",
      "leaky_relu",
      "mixture",
      "rmsprop",
      "train.discriminator_steps",
    ]
  ) {
    assert.ok(readme.includes(`\`${name}\``), name);
  }
});
