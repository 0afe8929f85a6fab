/** The views' renderers: SVG documents, pictures, the GIF and the run page. */
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { gridPoints, planeSvg, type PlaneView, squareAround } from "../src/views/plane.ts";
import { pictureToPng, planePicture } from "../src/views/raster.ts";
import { gifOf } from "../src/views/gif.ts";
import { lineSvg } from "../src/views/line.ts";
import { curvesSvg, thin } from "../src/views/curves.ts";
import { renderRunPage, runCharts } from "../src/views/run_page.ts";

function ringView(): PlaneView {
  const bounds = { x0: -2, x1: 2, y0: -2, y1: 2 };
  const side = 16;
  const grid = gridPoints(bounds, side);
  const values = new Float32Array(side * side).map((_, i) => grid[2 * i] + 0.37 * grid[2 * i + 1]);
  const fake = new Float32Array(200).map((_, i) => Math.sin(i) * 1.5);
  return {
    step: 100,
    bounds,
    real: new Float32Array(100).map((_, i) => Math.cos(i)),
    fake,
    critic: { side, values, label: "D" },
    pull: new Float32Array(40).map((_, i) => (i % 2 ? 1 : -1)),
    modes: [{ centre: [1, 0], radius: 0.1 }, { centre: [-1, 0], radius: 0.1 }],
  };
}

Deno.test("a 2-D view draws every heatmap cell, its scale, points, arrows and modes", () => {
  const svg = planeSvg(ringView());
  const group = (cls: string) =>
    svg.match(new RegExp(`<g class="${cls}"[^>]*>(.*?)</g>`, "s"))?.[1] ?? "";
  const uri = group("heat").match(/href="data:image\/png;base64,([^"]+)"/)![1];
  const heat = decode(Uint8Array.from(atob(uri), (c) => c.charCodeAt(0)));
  assert.deepEqual([heat.width, heat.height], [16, 16]); // one pixel per cell
  const colours = new Set<number>();
  for (let p = 0; p < 256; p++) {
    colours.add((heat.data[3 * p] << 16) | (heat.data[3 * p + 1] << 8) | heat.data[3 * p + 2]);
  }
  assert.ok(colours.size > 50, `${colours.size} distinct colours`);
  assert.equal(group("real").split("<circle").length - 1, 50);
  assert.ok(group("fake").split("<circle").length - 1 > 50);
  assert.equal(group("arrows").split("<path").length - 1, 20);
  assert.equal(group("modes").split("<circle").length - 1, 2);
  assert.doesNotMatch(svg, /<script|url\(|href="(?!data:image\/png)/);
});

Deno.test("a 2-D view without a critic or arrows draws only the points", () => {
  const { critic: _c, pull: _p, ...bare } = ringView();
  const svg = planeSvg(bare);
  assert.doesNotMatch(svg, /class="heat"|class="arrows"/);
  assert.match(svg, /class="fake"/);
});

Deno.test("squareAround is a square that holds every point", () => {
  const b = squareAround(new Float32Array([-1, -3, 2, 1]));
  assert.ok(b.x0 < -1 && b.x1 > 2 && b.y0 < -3 && b.y1 > 1);
  assert.ok(Math.abs(b.x1 - b.x0 - (b.y1 - b.y0)) < 1e-9);
});

Deno.test("the picture of a view has the heatmap's colours and the samples' colour", () => {
  const pic = planePicture(ringView(), 64, 0.5);
  assert.equal(pic.height, 70); // the progress bar
  const colours = new Set<number>();
  let orange = 0;
  for (let p = 0; p < pic.width * pic.height; p++) {
    const [r, g, b] = pic.data.subarray(3 * p, 3 * p + 3);
    colours.add((r << 16) | (g << 8) | b);
    if (r === 213 && g === 94 && b === 0) orange++;
  }
  assert.ok(colours.size > 20, `${colours.size} colours`);
  assert.ok(orange > 20, `${orange} sample pixels`);
  const png = decode(pictureToPng(pic));
  assert.deepEqual([png.width, png.height], [64, 70]);
});

Deno.test("the GIF holds one frame per picture", () => {
  const frames = [0, 0.5, 1].map((t) => planePicture(ringView(), 32, t));
  const gif = gifOf(frames);
  assert.equal(new TextDecoder().decode(gif.subarray(0, 6)), "GIF89a");
  // Each frame starts with an image descriptor (0x2c) after a graphic control extension.
  let descriptors = 0;
  for (let i = 0; i + 1 < gif.length; i++) {
    if (gif[i] === 0x21 && gif[i + 1] === 0xf9) descriptors++;
  }
  assert.equal(descriptors, 3);
  assert.throws(() => gifOf([]), /at least one frame/);
});

Deno.test("a 1-D view draws its densities above and its critic curves below", () => {
  const xs = [0, 1, 2, 3];
  const svg = lineSvg({
    step: 1,
    xs,
    densities: [
      { name: "real (exact)", values: [0, 1, 1, 0], color: [0, 0, 0], dashed: true },
      { name: "generated", values: [0, 0.5, NaN, 0.5], color: [1, 1, 1] },
    ],
    critic: { label: "T", curves: [{ name: "critic", values: [1, 2, 3, 4], color: [0, 0, 0] }] },
  });
  const group = (cls: string) => svg.match(new RegExp(`<g class="${cls}">(.*?)</g>`, "s"))![1];
  assert.equal(group("densities").split("<path").length - 1, 2);
  assert.match(group("densities"), /stroke-dasharray/);
  assert.match(group("densities"), /M[^"]*M/, "a NaN leaves a gap");
  assert.equal(group("critic").split("<path").length - 1, 1);
});

Deno.test("curves are thinned to bucket means and drawn on a log scale without non-positive values", () => {
  const points = Array.from({ length: 1000 }, (_, i) => [i, i % 2 ? 1 : 3] as [number, number]);
  assert.deepEqual(thin(points, 10).map(([, y]) => y), Array(10).fill(2));
  const svg = curvesSvg("norms", [{ name: "g", points: [[1, 0], [2, 10], [3, 100]] }], {
    log: true,
  });
  assert.match(svg, /\(log scale\)/);
  assert.equal(svg.match(/class="series" d="([^"]*)"/)![1].split(/[ML]/).length - 1, 2);
});

Deno.test("the run page holds the curves, the time-lapse, the config and the manifest", () => {
  const rows: Record<string, number>[] = [
    { step: 0, "eval/hq": 0 },
    { step: 1, "d/loss": 1.4, "g/loss": 0.7, "d/real_score": 0.5, "d/fake_score": 0.5 },
    { step: 2, "d/loss": 1.3, "g/loss": 0.8, "d/grad_norm": 0.1, "g/grad_norm": 0.2, "eval/hq": 1 },
  ];
  assert.deepEqual(runCharts(rows).map((c) => c.title), [
    "losses",
    "critic's mean output",
    "gradient norms",
    "eval/hq",
  ]);
  const html = renderRunPage({
    title: "t</h1>",
    status: "finished",
    latest: "<svg></svg>",
    frames: [{ step: 0, src: "views/a.png" }, { step: 2, src: "views/b.png" }],
    rows,
    config: "name: <t>",
    manifest: "{}",
  });
  assert.match(html, /<h1>t&lt;\/h1&gt;<\/h1>/);
  assert.match(html, /max="1" value="1"/);
  assert.equal(html.split('class="series"').length - 1, 7);
  assert.match(html, /name: &lt;t&gt;/);
  assert.doesNotMatch(html, /(src|href)="?https?:/);
});
