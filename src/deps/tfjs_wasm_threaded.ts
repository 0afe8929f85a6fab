/**
 * The wasm backend's threaded SIMD build: its Emscripten factory and its
 * pthread worker script, which `backend/threads.ts` starts under Deno.
 * @module
 */
export { default as threadedFactory } from "npm:@tensorflow/tfjs-backend-wasm@4.22.0/wasm-out/tfjs-backend-wasm-threaded-simd.js";
export * as threadedWorker from "npm:@tensorflow/tfjs-backend-wasm@4.22.0/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js";
