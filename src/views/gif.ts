/**
 * An animated GIF of pictures (the 2-D views over training), encoded with
 * the npm package gifenc: one palette of up to 256 colours per frame.
 * @module
 */
import { gifenc } from "../deps/gif.ts";
import type { Picture } from "./raster.ts";

interface Encoder {
  writeFrame(index: Uint8Array, width: number, height: number, o: object): void;
  finish(): void;
  bytes(): Uint8Array;
}
const { GIFEncoder, quantize, applyPalette } = gifenc as unknown as {
  GIFEncoder(): Encoder;
  quantize(rgba: Uint8Array, colors: number, o?: object): number[][];
  applyPalette(rgba: Uint8Array, palette: number[][], format?: string): Uint8Array;
};

/**
 * The frames as one looping GIF, `delay` milliseconds per frame (the last
 * frame holds three times as long).
 */
export function gifOf(frames: readonly Picture[], delay = 400): Uint8Array {
  if (!frames.length) throw new Error("gifOf needs at least one frame");
  const gif = GIFEncoder();
  frames.forEach((f, i) => {
    const rgba = new Uint8Array(f.width * f.height * 4);
    for (let p = 0; p < f.width * f.height; p++) {
      rgba.set(f.data.subarray(3 * p, 3 * p + 3), 4 * p);
      rgba[4 * p + 3] = 255;
    }
    const palette = quantize(rgba, 256, { format: "rgb565" });
    const index = applyPalette(rgba, palette, "rgb565");
    gif.writeFrame(index, f.width, f.height, {
      palette,
      delay: i === frames.length - 1 ? 3 * delay : delay,
      ...(i === 0 ? { repeat: 0 } : {}),
    });
  });
  gif.finish();
  return gif.bytes();
}
