/**
 * Examples of src/board/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { fileUnder } from "../src/board/files.ts";
import { boardPage } from "../src/board/page.ts";
import { boardHandler } from "../src/board/server.ts";

Deno.test("src/board/files.ts: fileUnder", async () => {
  const root = await Deno.makeTempDir();
  await Deno.writeTextFile(`${root}/a.txt`, "a");
  assert.equal(await fileUnder(root, "a.txt"), await Deno.realPath(`${root}/a.txt`));
  assert.equal(await fileUnder(root, "../a.txt"), undefined);
  assert.equal(await fileUnder(root, "%2e%2e/a.txt"), undefined);
});

Deno.test("src/board/page.ts: boardPage", () => {
  assert.match(boardPage(), /id="entries"/);
  assert.doesNotMatch(boardPage(), /(src|href)="?https?:/);
});

Deno.test("src/board/server.ts: boardHandler", async () => {
  const handle = boardHandler(await Deno.makeTempDir());
  assert.equal((await handle(new Request("http://x/api/entries"))).status, 200);
  assert.equal((await handle(new Request("http://x/files/../etc/passwd"))).status, 404);
});
