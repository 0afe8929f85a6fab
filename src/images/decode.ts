/**
 * PNG and JPEG files to 8-bit grey or RGB pixels (fast-png, jpeg-js).
 * PNG: every colour type and bit depth (palettes expanded, 16-bit reduced to
 * the high byte, 1/2/4-bit grey stretched to 0-255); JPEG: baseline and
 * progressive, decoded as RGB. Alpha is dropped (colours are kept as stored,
 * not composited over a background).
 * @module
 */
import { convertIndexedToRgb, type DecodedPng, decodePng } from "../deps/images.ts";
import { decodeJpeg } from "../deps/images.ts";

/** A decoded image: `height * width * channels` bytes, row-major, grey (1) or RGB (3). */
export interface Bitmap {
  /** Width in pixels. */
  readonly width: number;
  /** Height in pixels. */
  readonly height: number;
  /** 1 (grey) or 3 (RGB). */
  readonly channels: 1 | 3;
  /** The pixels, `[height, width, channels]`. */
  readonly data: Uint8Array;
}

/** Which decoder a file's first bytes call for, or undefined for neither. */
export function imageFormat(bytes: Uint8Array): "png" | "jpeg" | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return "jpeg";
  }
  return undefined;
}

/** Grey or RGB bytes of an interleaved image with `channels` 1-4 (2 and 4 carry alpha). */
function dropAlpha(data: Uint8Array, pixels: number, channels: number): Bitmap["data"] {
  if (channels === 1 || channels === 3) return data;
  const keep = channels === 2 ? 1 : 3;
  const out = new Uint8Array(pixels * keep);
  for (let p = 0; p < pixels; p++) {
    for (let k = 0; k < keep; k++) out[p * keep + k] = data[p * channels + k];
  }
  return out;
}

/** 8-bit samples of a decoded PNG, one per channel per pixel. */
function pngBytes(png: DecodedPng): { data: Uint8Array; channels: number } {
  const pixels = png.width * png.height;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return { data: rgb, channels: rgb.length / pixels };
  }
  if (png.depth === 16) {
    return {
      data: Uint8Array.from(png.data as Uint16Array, (v) => v >> 8),
      channels: png.channels,
    };
  }
  if (png.depth === 8) return { data: png.data as Uint8Array, channels: png.channels };
  // 1, 2 or 4-bit grey: rows are packed and padded to whole bytes.
  const depth = png.depth, max = (1 << depth) - 1, perByte = 8 / depth;
  const rowBytes = Math.ceil(png.width / perByte);
  const out = new Uint8Array(pixels);
  for (let y = 0; y < png.height; y++) {
    for (let x = 0; x < png.width; x++) {
      const byte = png.data[y * rowBytes + Math.floor(x / perByte)];
      const shift = 8 - depth * (1 + (x % perByte));
      out[y * png.width + x] = Math.round(((byte >> shift) & max) * 255 / max);
    }
  }
  return { data: out, channels: 1 };
}

/**
 * Decodes a PNG or JPEG file's bytes; throws an `Error` saying why when the
 * bytes are neither or are damaged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encode } from "npm:fast-png@8.0.0";
 * import { decodeImage } from "../../mod.ts";
 * const png = encode({ width: 2, height: 1, data: new Uint8Array([0, 255]), channels: 1 });
 * assert.deepEqual(decodeImage(png), { width: 2, height: 1, channels: 1, data: new Uint8Array([0, 255]) });
 * assert.throws(() => decodeImage(new Uint8Array([1, 2, 3])), /not a PNG or JPEG/);
 * ```
 */
export function decodeImage(bytes: Uint8Array): Bitmap {
  const format = imageFormat(bytes);
  if (format === "png") {
    const png = decodePng(bytes);
    const { data, channels } = pngBytes(png);
    const pixels = png.width * png.height;
    if (!pixels || data.length < pixels * channels) throw new Error("truncated PNG data");
    return {
      width: png.width,
      height: png.height,
      channels: channels <= 2 ? 1 : 3,
      data: dropAlpha(data.subarray(0, pixels * channels), pixels, channels),
    };
  }
  if (format === "jpeg") {
    const img = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false });
    if (!img.width || !img.height) throw new Error("empty JPEG");
    return { width: img.width, height: img.height, channels: 3, data: img.data };
  }
  throw new Error("not a PNG or JPEG file (its first bytes are neither signature)");
}

/**
 * The image with `channels` 1 (grey; from RGB by Rec. 601 luma,
 * 0.299 R + 0.587 G + 0.114 B) or 3 (RGB; grey is repeated).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toChannels } from "../../mod.ts";
 * const grey = { width: 1, height: 1, channels: 1 as const, data: new Uint8Array([7]) };
 * assert.deepEqual(Array.from(toChannels(grey, 3).data), [7, 7, 7]);
 * assert.deepEqual(Array.from(toChannels(toChannels(grey, 3), 1).data), [7]);
 * ```
 */
export function toChannels(image: Bitmap, channels: 1 | 3): Bitmap {
  if (image.channels === channels) return image;
  const pixels = image.width * image.height;
  const out = new Uint8Array(pixels * channels);
  for (let p = 0; p < pixels; p++) {
    if (channels === 3) out.fill(image.data[p], 3 * p, 3 * p + 3);
    else {
      const [r, g, b] = image.data.subarray(3 * p, 3 * p + 3);
      out[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
  return { ...image, channels, data: out };
}
