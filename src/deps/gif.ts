/**
 * The GIF encoder for animated views (gifenc), pinned (see `tfjs_core.ts` for why by path).
 * @module
 */
export { default as gifenc } from "npm:gifenc@1.0.3";
