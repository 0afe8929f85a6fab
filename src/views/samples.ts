/**
 * Generated samples as pictures without a run folder: 2-D points as a
 * scatter (SVG or PNG), images as a grid. What `train()` returns can be
 * drawn with these directly.
 * @module
 */
import { gridPng } from "../images/grid.ts";
import { base64, planeSvg, squareAround } from "./plane.ts";
import { pictureToPng, planePicture } from "./raster.ts";

/** Samples to draw: `values` holds examples of `shape`, row-major. */
export interface SampleSet {
  /** The values. */
  readonly values: Float32Array;
  /** One example's shape: `[2]` for points, `[h, w, c]` for images. */
  readonly shape: readonly number[];
}

function kindOf(shape: readonly number[]): "points" | "images" {
  if (shape.length === 1 && shape[0] === 2) return "points";
  if (shape.length === 3) return "images";
  throw new Error(
    `samples of shape [${shape.join(", ")}] have no picture (valid: [2] points or [h, w, c] ` +
      "images; write other samples as CSV with samplesCsv)",
  );
}

const view = (s: SampleSet, real?: Float32Array) => ({
  step: 0,
  bounds: squareAround(real ?? s.values),
  real: real ?? new Float32Array(0),
  fake: s.values,
});

/**
 * An SVG of the samples: 2-D points as a scatter (with `real` points in grey
 * behind them, when given), images as a grid (an inline PNG). Standalone: no
 * scripts, fonts or external references.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplesSvg } from "../../mod.ts";
 * const svg = samplesSvg({ values: new Float32Array([0, 0, 1, 1, -1, 0.5]), shape: [2] });
 * assert.match(svg, /^<svg/);
 * assert.match(samplesSvg({ values: new Float32Array(2 * 4 * 4), shape: [4, 4, 1] }), /image\/png/);
 * ```
 */
export function samplesSvg(samples: SampleSet, real?: Float32Array): string {
  if (kindOf(samples.shape) === "points") return planeSvg(view(samples, real));
  const png = gridPng(samples.values, samples.shape);
  const [h, w] = pngSize(png);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">` +
    `<image width="${w}" height="${h}" href="data:image/png;base64,${base64(png)}"/></svg>`;
}

/**
 * A PNG of the samples: 2-D points as a `size` x `size` scatter, images as a grid.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { samplesPng } from "../../mod.ts";
 * const png = samplesPng({ values: new Float32Array([0, 0, 1, 1]), shape: [2] });
 * assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]); // "PNG"
 * ```
 */
export function samplesPng(samples: SampleSet, real?: Float32Array, size = 320): Uint8Array {
  if (kindOf(samples.shape) === "images") return gridPng(samples.values, samples.shape);
  return pictureToPng(planePicture(view(samples, real), size));
}

/** Height and width from a PNG's IHDR chunk. */
function pngSize(png: Uint8Array): [number, number] {
  const d = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [d.getUint32(20), d.getUint32(16)];
}
