/**
 * tfjs's wasm backend (registers itself on load), pinned to tfjs-core's version.
 * @module
 */
export * from "npm:@tensorflow/tfjs-backend-wasm@4.22.0";
