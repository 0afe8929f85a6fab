/**
 * Checks a ring8 run's report.html in Chromium (run by
 * tests/run_report_chromium_test.ts in a subprocess with -A: playwright-core
 * probes the system when it loads, which Deno's test permissions do not allow).
 * Usage: deno run -A tests/browser/report_check.ts <run folder>
 */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { launchChromium } from "./_launch.ts";

const run_dir = Deno.args[0];
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(`file://${run_dir}/report.html`);
  await page.waitForLoadState("load");
  const count = (css: string) => page.locator(css).count();
  assert.equal(await count("#latest .heat image"), 1);
  assert.ok(await count("#latest .arrows path") >= 300, "arrows drawn");
  assert.ok(await count("#latest .fake circle") >= 1000, "generated samples drawn");
  assert.ok(await count("#latest .real circle") >= 500, "real samples drawn");
  assert.equal(await count("#latest .modes circle"), 8);
  const losses = page.locator("svg.chart", { hasText: "losses" }).locator("path.series");
  assert.equal(await losses.count(), 2);
  assert.ok((await losses.first().getAttribute("d"))!.split("L").length > 100);
  const shot = decode(await page.locator("#latest .heat").screenshot());
  const colours = new Set<number>();
  for (let p = 0; p < shot.width * shot.height; p++) {
    const o = p * shot.channels;
    colours.add((shot.data[o] << 16) | (shot.data[o + 1] << 8) | shot.data[o + 2]);
  }
  assert.ok(colours.size > 200, `only ${colours.size} colours in the heatmap`);
  await page.locator("#lapse-range").fill("0");
  assert.match((await page.locator("#lapse-img").getAttribute("src"))!, /step-00000000\.png$/);
  assert.equal(await page.locator("#lapse-step").textContent(), "0");
  const images = await page.locator(".strip img").evaluateAll((els) =>
    els.map((e) => (e as unknown as { naturalWidth: number }).naturalWidth)
  );
  assert.deepEqual(images, [320, 320, 320], "every frame loads");
  assert.deepEqual(requests.filter((u) => !u.startsWith("file://")), []);
} finally {
  await browser.close();
}
console.log("report ok");
