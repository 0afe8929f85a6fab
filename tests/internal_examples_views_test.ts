/**
 * Examples of src/views/'s internal helpers, moved here from their doc comments
 * (issue #16): doc examples import only the public entry, and these symbols are
 * not part of it. Each test is the example as it was, with what it checked.
 */
import assert from "node:assert/strict";
import { esc, finiteRange, hex, short, viridis } from "../src/views/color.ts";
import { curvesSvg, thin } from "../src/views/curves.ts";
import { gifOf } from "../src/views/gif.ts";
import { lineSvg } from "../src/views/line.ts";
import { gridPoints, planeSvg, squareAround } from "../src/views/plane.ts";
import { pictureToPng, planePicture } from "../src/views/raster.ts";
import { protocolSection, renderRunPage, runCharts } from "../src/views/run_page.ts";

Deno.test("src/views/color.ts: viridis", () => {
  assert.deepEqual(viridis(0), [68, 1, 84]);
  assert.deepEqual(viridis(1), [253, 231, 37]);
});

Deno.test("src/views/color.ts: hex", () => {
  assert.equal(hex([0, 114, 178]), "#0072b2");
});

Deno.test("src/views/color.ts: finiteRange", () => {
  assert.deepEqual(finiteRange([3, NaN, 1, 2]), [1, 3]);
  assert.deepEqual(finiteRange([2, 2]), [1.5, 2.5]);
});

Deno.test("src/views/color.ts: esc", () => {
  assert.equal(esc('a<b & "c"'), "a&lt;b &amp; &quot;c&quot;");
});

Deno.test("src/views/color.ts: short", () => {
  assert.equal(short(0.123456), "0.123");
  assert.equal(short(12345), "1.2e+4");
});

Deno.test("src/views/curves.ts: thin", () => {
  assert.deepEqual(thin([[0, 1], [1, 3], [2, 5], [3, 7]], 2), [[0.5, 2], [2.5, 6]]);
});

Deno.test("src/views/curves.ts: curvesSvg", () => {
  const svg = curvesSvg("losses", [{ name: "d/loss", points: [[1, 1.3], [2, 1.2]] }]);
  assert.equal(svg.split('class="series"').length - 1, 1);
});

Deno.test("src/views/gif.ts: gifOf", () => {
  const frame = { width: 2, height: 2, data: new Uint8Array(12).fill(200) };
  const gif = gifOf([frame, frame]);
  assert.equal(new TextDecoder().decode(gif.subarray(0, 6)), "GIF89a");
});

Deno.test("src/views/line.ts: lineSvg", () => {
  const svg = lineSvg({
    step: 5,
    xs: [0, 1, 2],
    densities: [{ name: "real", values: [0, 1, 0], color: [0, 0, 0] }],
    critic: { label: "T(x)", curves: [{ name: "critic", values: [1, 2, 3], color: [0, 0, 0] }] },
  });
  assert.equal(svg.split("<path").length - 1, 2);
});

Deno.test("src/views/plane.ts: gridPoints", () => {
  const g = gridPoints({ x0: 0, x1: 2, y0: 0, y1: 2 }, 2);
  assert.deepEqual([...g], [0.5, 1.5, 1.5, 1.5, 0.5, 0.5, 1.5, 0.5]);
});

Deno.test("src/views/plane.ts: squareAround", () => {
  assert.deepEqual(squareAround(new Float32Array([-1, 0, 1, 0.5]), 0), {
    x0: -1,
    x1: 1,
    y0: -0.75,
    y1: 1.25,
  });
});

Deno.test("src/views/plane.ts: planeSvg", () => {
  const svg = planeSvg({
    step: 10,
    bounds: { x0: -1, x1: 1, y0: -1, y1: 1 },
    real: new Float32Array([0, 0]),
    fake: new Float32Array([0.5, 0.5]),
    critic: { side: 2, values: new Float32Array([0, 1, 2, 3]), label: "D(x)" },
    pull: new Float32Array([-1, -1]),
    modes: [{ centre: [0, 0], radius: 0.1 }],
  });
  assert.match(svg, /^<svg/);
  assert.match(svg, /<g class="heat"><image [^>]*href="data:image\/png;base64,/);
});

Deno.test("src/views/raster.ts: planePicture", () => {
  const pic = planePicture({
    step: 1,
    bounds: { x0: -1, x1: 1, y0: -1, y1: 1 },
    real: new Float32Array([0, 0]),
    fake: new Float32Array([0.5, 0.5]),
    critic: { side: 2, values: new Float32Array([0, 1, 2, 3]), label: "D" },
  }, 32);
  assert.equal(pic.data.length, 32 * 32 * 3);
});

Deno.test("src/views/raster.ts: pictureToPng", () => {
  const png = pictureToPng({ width: 1, height: 1, data: new Uint8Array([1, 2, 3]) });
  assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]); // "PNG"
});

Deno.test("src/views/run_page.ts: runCharts", () => {
  const charts = runCharts([{ step: 0, "eval/hq": 0 }, { step: 1, "d/loss": 1.4, "g/loss": 0.7 }]);
  assert.deepEqual(charts.map((c) => c.title), ["losses", "eval/hq"]);
});

Deno.test("src/views/run_page.ts: renderRunPage", () => {
  const html = renderRunPage({
    title: "ring8",
    status: "running: step 1 of 10",
    frames: [{ step: 0, src: "views/step-00000000.png" }],
    rows: [{ step: 1, "d/loss": 1.3 }],
    config: "name: ring8\n",
    manifest: "{}",
  });
  assert.match(html, /<h1>ring8<\/h1>/);
  assert.match(html, /id="lapse-range"/);
});

Deno.test("src/views/run_page.ts: protocolSection", () => {
  assert.equal(protocolSection([]), "");
  assert.equal(
    protocolSection(["a < b", "c"]),
    `<h2>Image metrics' protocol</h2>\n<ul id="protocol"><li>a &lt; b</li><li>c</li></ul>`,
  );
});
