/**
 * Drives the board in Chromium (run by tests/board_test.ts in a subprocess
 * with -A): it lists the two runs under the root, opens one and sees its
 * charts, and while a third run trains the page's step counter advances
 * without a reload; `/../`, encoded dots and symbolic links out of the root
 * are 404s. Usage: deno run -A tests/browser/board_check.ts <root> <experiment file>
 */
import assert from "node:assert/strict";
import { startBoard } from "../../src/board/server.ts";
import { experimentArgs } from "../../src/runs/subprocess.ts";
import { launchChromium } from "./_launch.ts";

const [root, third] = Deno.args;
await Deno.symlink("/etc", `${root}/escape`);
await Deno.symlink("/etc/hostname", `${root}/link.txt`);
const board = await startBoard({ root });
const browser = await launchChromium();
let trainer: Deno.ChildProcess | undefined;

/** A raw HTTP request, so no client folds `..` away before the server sees it. */
async function rawStatus(path: string): Promise<number> {
  const { hostname, port } = new URL(board.url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(
    new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
  );
  const buf = new Uint8Array(256);
  const n = (await conn.read(buf)) ?? 0;
  conn.close();
  return Number(new TextDecoder().decode(buf.subarray(0, n)).split(" ")[1]);
}

try {
  for (
    const path of ["/../etc/passwd", "/files/../../etc/passwd", "/files/%2e%2e/%2e%2e/etc/passwd"]
  ) {
    assert.equal(await rawStatus(path), 404, path);
  }
  assert.equal(await rawStatus("/files/escape/hostname"), 404, "symlinked folder out of the root");
  assert.equal(await rawStatus("/files/link.txt"), 404, "symlinked file out of the root");

  const page = await browser.newPage({ viewport: { width: 1300, height: 1400 } });
  const external: string[] = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(board.url)) external.push(r.url());
  });
  await page.goto(board.url);
  const rows = page.locator("tr[data-path]");
  await page.waitForFunction(`document.querySelectorAll("tr[data-path]").length === 2`);
  assert.deepEqual(await rows.locator(".state").allTextContents(), ["finished", "finished"]);

  // Open the first run: its report shows its charts.
  await rows.first().locator(".open").click();
  const report = page.frameLocator("#report");
  await report.locator("svg.chart").first().waitFor();
  assert.ok(await report.locator("svg.chart").count() >= 4, "the report's charts");
  assert.equal(await report.locator("#latest .heat image").count(), 1, "the report's heatmap");

  // Overlay both runs' losses.
  for (const tick of await rows.locator(".tick").all()) await tick.check();
  await page.waitForFunction(`document.querySelectorAll("#overlay .overlay-line").length === 2`);

  // The filter hides what does not match.
  await page.locator("#filter").fill("no-such-run");
  assert.equal(await page.locator("tr[data-path]:visible").count(), 0);
  await page.locator("#filter").fill("");

  // A third run trains: its row appears and its step counter advances without a reload.
  await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
  trainer = new Deno.Command(Deno.execPath(), {
    args: experimentArgs([third, "--quiet", "--allow-outside"]),
    stdout: "null",
    stderr: "piped",
  }).spawn();
  await page.waitForFunction(`document.querySelectorAll("tr.running").length === 1`, null, {
    timeout: 120_000,
  });
  const counter = page.locator("tr.running .step");
  const first = Number(await counter.textContent());
  await page.waitForFunction(
    `Number(document.querySelector("tr.running .step")?.textContent) > ${first + 10}`,
    null,
    { timeout: 120_000 },
  );
  assert.equal(await page.evaluate(() => (globalThis as unknown as { marker: number }).marker), 42);
  assert.equal(await page.locator("tr[data-path]").count(), 3);
  assert.deepEqual(external, []);
  console.log(`board ok: step ${first} -> ${await counter.textContent()}`);
} finally {
  if (trainer) {
    try {
      trainer.kill();
    } catch { /* already ended */ }
    await trainer.status;
  }
  await browser.close();
  await board.shutdown();
}
