import assert from "node:assert/strict";
import type { RustKernels } from "../src/backend/rust/abi.ts";
import { CHAIN_ACTIVATIONS, type ChainActivation } from "../src/backend/rust/dense_chain.ts";
import { rustKernels } from "../src/backend/rust/loader.ts";
import { hostFusesMultiplyAdd } from "../src/backend/rust/probes.ts";
import { Rng } from "../src/rng.ts";

const SENTINEL = 0x7fc0dead; // a NaN pattern: unwritten outputs show
const ENTRY = 13;

/** Stacked batches of `batch` rows each through a chain of `widths` (input, then units). */
interface Case {
  readonly sets: number;
  readonly batch: number;
  readonly widths: readonly number[];
  readonly acts: readonly ChainActivation[];
}

const CASES: Case[] = [
  { sets: 2, batch: 1, widths: [1, 1], acts: ["linear"] },
  { sets: 2, batch: 17, widths: [2, 16, 5, 1], acts: ["leaky_relu", "relu", "linear"] },
  { sets: 2, batch: 64, widths: [2, 128, 128, 1], acts: ["leaky_relu", "leaky_relu", "linear"] },
  { sets: 3, batch: 9, widths: [6, 12, 3], acts: ["relu", "linear"] },
];

type Kernel = RustKernels["dense_chain_f32"];
type How = "" | "_fma" | "_splat" | "_splat_fma";

/**
 * `c`'s stacked batches forward and every `dz` over all their rows at once,
 * then each batch's `dW` and `db`: by `dense_chain_weight_sets_f32` (`sets`:
 * over the parts `bounds`) or, as the reference, one `dense_chain_weights_f32_ref`
 * (`_fma_ref` where fused) call per batch on its own rows. Returns the memory's words.
 */
function run(
  c: Case,
  how: How,
  weights: "sets" | "each",
  bounds: number[] = [0, c.sets],
  sum: "dense_chain_sum_sets_f32" | "dense_chain_sum_sets_f32_ref" = "dense_chain_sum_sets_f32",
) {
  const memory = new WebAssembly.Memory({ initial: 48 });
  const kernels = rustKernels(memory);
  const k = kernels as unknown as Record<string, Kernel>;
  const f32 = new Float32Array(memory.buffer), u32 = new Uint32Array(memory.buffer);
  u32.fill(SENTINEL);
  let top = 64;
  const alloc = (floats: number) => ((top += floats * 4 + 64), top - floats * 4 - 64);
  const rng = Rng.derive(0, `dense_chain_sets/${c.widths.join("x")}/${c.batch}x${c.sets}`);
  const put = (floats: number) => {
    const at = alloc(floats);
    f32.set(rng.fillNormal(new Float32Array(floats)), at / 4);
    return at;
  };
  const rows = c.batch * c.sets, layers = c.acts.length;
  const x = put(rows * c.widths[0]);
  const ls = c.acts.map((act, l) => {
    const [fanIn, units] = [c.widths[l], c.widths[l + 1]];
    const w = put(fanIn * units), b = put(units), z = alloc(rows * units);
    const h = act === "linear" ? z : alloc(rows * units);
    // Each batch's dW and db, then their sum's.
    const out = Array.from(
      { length: c.sets + 1 },
      () => ({ dw: alloc(fanIn * units), db: alloc(units) }),
    );
    return { fanIn, units, act, w, b, z, h, dz: alloc(rows * units), out };
  });
  const dy = put(rows * c.widths[layers]);
  /** Tables of batch `set` (`undefined`: all rows), `count` of them from `first`. */
  const tables = (first: number | undefined, count: number) => {
    const at = alloc(ENTRY * layers * count);
    for (let t = 0; t < count; t++) {
      const set = first === undefined ? 0 : first + t,
        skip = first === undefined ? 0 : set * c.batch;
      ls.forEach((r, l) => {
        const e = at / 4 + ENTRY * (t * layers + l), input = l === 0 ? x : ls[l - 1].h;
        u32.set([r.fanIn, r.units, CHAIN_ACTIVATIONS[r.act], 0], e);
        f32[e + 3] = 0.2;
        const row = (p: number, width: number) => p + 4 * skip * width;
        const dh = l === layers - 1 ? dy : r.dz;
        u32.set([
          row(input, r.fanIn),
          r.w,
          r.b,
          row(r.z, r.units),
          row(r.h, r.units),
          row(dh, r.units),
          row(r.dz, r.units),
          r.out[set].dw,
          r.out[set].db,
        ], e + 4);
      });
    }
    return at;
  };
  const all = tables(undefined, 1);
  const scratch = 2 << 20;
  assert.ok(top < scratch);
  const fused = how.endsWith("_fma") && hostFusesMultiplyAdd() ? "_fma" : "";
  k[`dense_chain_f32${how}`](all, layers, rows, scratch, 0, rows);
  k[`dense_chain_grad_f32${how}`](all, layers, rows, scratch, 0, rows);
  const stacked = c.widths.slice(0, -1).reduce((a, b) => a + b, 0);
  if (weights === "sets") {
    const sets = tables(0, c.sets + 1);
    for (let p = 0; p + 1 < bounds.length; p++) {
      k[`dense_chain_weight_sets_f32${how}`](
        sets,
        layers,
        c.batch,
        scratch,
        bounds[p],
        bounds[p + 1],
      );
    }
    // The sums, rows of the stacked dW in parts (`batch`: the number of batches).
    const cuts = [...new Set([0, 1, 5, 17, stacked].filter((b) => b <= stacked))];
    for (let p = 0; p + 1 < cuts.length; p++) {
      k[sum](sets, layers, c.sets, scratch, cuts[p], cuts[p + 1]);
    }
  } else {
    for (let set = 0; set < c.sets; set++) {
      k[`dense_chain_weights_f32${fused}_ref`](
        tables(set, 1),
        layers,
        c.batch,
        scratch,
        0,
        stacked,
      );
    }
    // The sums as tfjs adds two f32 tensors (a double sum rounded once to f32 is the f32 sum).
    for (const r of ls) {
      for (const [part, len] of [["dw", r.fanIn * r.units], ["db", r.units]] as const) {
        for (let j = 0; j < len; j++) {
          let acc = f32[r.out[c.sets - 1][part] / 4 + j];
          for (let set = c.sets - 2; set >= 0; set--) {
            acc = Math.fround(acc + f32[r.out[set][part] / 4 + j]);
          }
          f32[r.out[c.sets][part] / 4 + j] = acc;
        }
      }
    }
  }
  return u32.slice(0, all / 4); // every buffer, not the tables after them
}

Deno.test("dense_chain_weight_sets_f32 (and its fused and plain-memory twins) give each stacked batch's weights as its own pass does; dense_chain_sum_sets_f32 sums them as tfjs adds", () => {
  for (const c of CASES) {
    for (const how of ["", "_fma", "_splat", "_splat_fma"] as const) {
      const ref = run(c, how, "each");
      const splits = [[0, c.sets], Array.from({ length: c.sets + 1 }, (_, p) => p)];
      for (
        const [bounds, sum] of [
          [splits[0], "dense_chain_sum_sets_f32"],
          [splits[1], "dense_chain_sum_sets_f32_ref"],
        ] as const
      ) {
        const got = run(c, how, "sets", bounds, sum);
        const bad = got.findIndex((w, i) => w !== ref[i]);
        assert.equal(
          bad,
          -1,
          `${how || "plain"} ${c.sets} x ${c.batch} ${c.widths.join("-")} [${bounds}]: word ${bad}`,
        );
      }
    }
  }
});
