/**
 * PNG and JPEG codecs, pinned (see `tfjs_core.ts` for why by path).
 * @module
 */
export { convertIndexedToRgb, decode as decodePng, encode as encodePng } from "npm:fast-png@8.0.0";
export type { DecodedPng } from "npm:fast-png@8.0.0";
export { decode as decodeJpeg } from "npm:jpeg-js@0.4.4";
