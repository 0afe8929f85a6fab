/**
 * tfjs's WebGPU backend (registers itself on load), pinned to tfjs-core's version.
 * Loaded only when a run asks for `backend.name: webgpu` (see `backend/webgpu.ts`):
 * registered, it would outrank wasm as tfjs's default.
 * @module
 */
import "npm:@tensorflow/tfjs-backend-webgpu@4.22.0";
