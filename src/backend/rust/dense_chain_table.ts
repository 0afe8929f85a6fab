/**
 * The dense chains' kernel table and call (kernels/src/dense_chain.rs): per
 * layer one entry of its shape, activation and buffers, written in scratch
 * memory from the backend's allocator, then the export run on the calling
 * thread or split over the kernel threads. What the forward and backward
 * kernels of `dense_chain.ts` share.
 * @module
 */
import { memoryOf, type WasmBackend } from "../wasm_backend.ts";
import { boundRustKernels } from "./bound.ts";
import { gemmExport, type GemmRounding } from "./gemm.ts";
import { MATMUL_SPLIT, planRows } from "./split.ts";

/** A chain's attrs: per layer the activation code and leaky ReLU's slope; the GEMM rounding. */
export interface ChainAttrs {
  /** Activation codes, one per layer (`CHAIN_ACTIVATIONS` of dense_chain.ts). */
  readonly acts: readonly number[];
  /** Leaky ReLU's slope per layer (unused by the others). */
  readonly alphas: readonly number[];
  /** The rounding of the matmul in force (`matmul_rust` plain, `matmul_rust_fma` fused). */
  readonly rounding: GemmRounding;
}

/** `u32`s per layer of the kernels' table (kernels/src/dense_chain.rs `ENTRY`). */
const ENTRY = 13;

/** A chain's shapes: batch, and per layer fan-in and units. */
export interface ChainShape {
  readonly batch: number;
  readonly fanIn: readonly number[];
  readonly units: readonly number[];
}

/** Per layer, the tensors and buffers of the table (byte offsets; 0 where a pass reads none). */
export interface TableRow {
  /** The layer's input, `x` or the previous `h`. */
  readonly x: number;
  readonly w: number;
  readonly b: number;
  readonly z: number;
  readonly h: number;
  readonly dh: number;
  readonly dz: number;
  readonly dw: number;
  readonly db: number;
}

/** The chain kernels run through {@link runChain}. */
export type ChainExport =
  | "dense_chain_f32"
  | "dense_chain_grad_f32"
  | "dense_chain_weights_f32"
  | "dense_chain_weight_sets_f32"
  | "dense_chain_sum_sets_f32";

/**
 * Writes the tables (one, or one per stacked batch for
 * `dense_chain_weight_sets_f32`, table after table) in scratch memory from the
 * backend's allocator, runs `name` (with `rounding`) over `rows` parts (split
 * over the kernel threads when large; the sets one batch a part), frees them.
 */
export function runChain(
  backend: WasmBackend,
  name: ChainExport,
  shape: ChainShape,
  attrs: ChainAttrs,
  tables: readonly (readonly TableRow[])[],
  parts: number,
): void {
  const layers = tables[0].length;
  const table = backend.wasm._malloc(ENTRY * 4 * layers * tables.length) >>> 0;
  try {
    const memory = memoryOf(backend).buffer;
    const u32 = new Uint32Array(memory, table, ENTRY * layers * tables.length);
    const f32 = new Float32Array(memory, table, ENTRY * layers * tables.length);
    let e = 0;
    for (const rows of tables) {
      for (let l = 0; l < layers; l++, e += ENTRY) {
        const r = rows[l];
        u32[e] = shape.fanIn[l];
        u32[e + 1] = shape.units[l];
        u32[e + 2] = attrs.acts[l];
        f32[e + 3] = attrs.alphas[l];
        u32[e + 4] = r.x;
        u32[e + 5] = r.w;
        u32[e + 6] = r.b;
        u32[e + 7] = r.z;
        u32[e + 8] = r.h;
        u32[e + 9] = r.dh;
        u32[e + 10] = r.dz;
        u32[e + 11] = r.dw;
        u32[e + 12] = r.db;
      }
    }
    const { kernels, work, threads } = boundRustKernels(backend);
    const fn = name === "dense_chain_sum_sets_f32" ? name : gemmExport(name, attrs.rounding);
    let macs = 0;
    for (let l = 0; l < layers; l++) macs += shape.fanIn[l] * shape.units[l];
    macs *= shape.batch;
    const bounds = !threads
      ? undefined
      : name === "dense_chain_weight_sets_f32"
      ? parts > 1 && macs >= MATMUL_SPLIT.minMacs &&
        Array.from({ length: parts + 1 }, (_, p) => p)
      : planRows(parts, macs, threads.threads, weightSegments(name, shape, parts));
    if (threads && bounds) threads.run(fn, [table, layers, shape.batch], bounds);
    else kernels[fn](table, layers, shape.batch, work[0], 0, parts);
  } finally {
    backend.wasm._free(table);
  }
}

/**
 * The weights pass's stacked `dW` rows cost their layer's units each (the
 * first `parts` rows' layers); a pass over the batch's rows, alike (undefined);
 * the sets are parts of their own (a whole batch each).
 */
function weightSegments(
  name: ChainExport,
  shape: ChainShape,
  parts: number,
): [number, number][] | undefined {
  if (name !== "dense_chain_weights_f32") return undefined;
  const segments: [number, number][] = [];
  for (let l = 0, before = 0; l < shape.fanIn.length && before < parts; l++) {
    segments.push([shape.fanIn[l], shape.units[l]]);
    before += shape.fanIn[l];
  }
  return segments;
}
