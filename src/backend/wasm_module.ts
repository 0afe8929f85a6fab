/**
 * Reads the few parts of a WebAssembly binary that decide whether a module may
 * run inside another module's memory (zero-copy), and rewrites its memory
 * import for a shared memory (tfjs-wasm's threaded build).
 * @module
 */

/** Section ids of the WebAssembly binary format. */
const SECTION = {
  type: 1,
  import: 2,
  function: 3,
  global: 6,
  export: 7,
  start: 8,
  data: 11,
} as const;

/** An import of a module. */
export interface WasmImport {
  /** Import module name (e.g. `env`). */
  readonly module: string;
  /** Import field name (e.g. `memory`). */
  readonly name: string;
  /** 0 function, 1 table, 2 memory, 3 global. */
  readonly kind: number;
}

/** What {@link inspectWasm} finds. */
export interface WasmFacts {
  /** Every import, in order. */
  readonly imports: readonly WasmImport[];
  /** Globals the module defines that it can change (e.g. a `__stack_pointer`). */
  readonly mutableGlobals: number;
  /** Whether there is a data section (bytes copied into memory at instantiation). */
  readonly data: boolean;
  /** Whether there is a start function (code run at instantiation). */
  readonly start: boolean;
}

class Reader {
  constructor(readonly bytes: Uint8Array, public pos = 0) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error("wasm: unexpected end of module");
    return this.bytes[this.pos++];
  }
  /** Unsigned LEB128. */
  u32(): number {
    let result = 0, shift = 0, b: number;
    do {
      b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  }
  /** Skips a signed LEB128. */
  skipLeb(): void {
    while (this.byte() & 0x80);
  }
  name(): string {
    const len = this.u32();
    const s = new TextDecoder().decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  limits(): { flags: number; min: number; max?: number } {
    const flags = this.byte();
    const min = this.u32();
    return flags & 1 ? { flags, min, max: this.u32() } : { flags, min };
  }
  /** Skips a constant expression up to its `end`. */
  skipInitExpr(): void {
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42 || op === 0x23) this.skipLeb();
      else if (op === 0x43) this.pos += 4;
      else if (op === 0x44) this.pos += 8;
      else if (op === 0xfd) (this.u32(), this.pos += 16); // v128.const
      else {throw new Error(
          `wasm: unsupported opcode 0x${op.toString(16)} in a constant expression`,
        );}
    }
  }
}

/** The sections of a module: id and content range. */
function sections(bytes: Uint8Array): { id: number; start: number; end: number; head: number }[] {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magic.every((b, i) => bytes[i] === b)) throw new Error("wasm: not a version-1 module");
  const r = new Reader(bytes, 8);
  const out = [];
  while (r.pos < bytes.length) {
    const head = r.pos;
    const id = r.byte();
    const size = r.u32();
    out.push({ id, start: r.pos, end: r.pos + size, head });
    r.pos += size;
  }
  return out;
}

function readImports(
  bytes: Uint8Array,
  start: number,
  visit?: (imp: WasmImport, r: Reader) => void,
) {
  const r = new Reader(bytes, start);
  const imports: WasmImport[] = [];
  for (let i = r.u32(); i > 0; i--) {
    const imp = { module: r.name(), name: r.name(), kind: r.byte() };
    imports.push(imp);
    if (visit) visit(imp, r);
    else if (imp.kind === 0) r.u32();
    else if (imp.kind === 1) (r.byte(), r.limits());
    else if (imp.kind === 2) r.limits();
    else (r.byte(), r.byte());
  }
  return imports;
}

/**
 * The facts about `bytes` that decide whether it may share another module's memory.
 */
export function inspectWasm(bytes: Uint8Array): WasmFacts {
  let imports: WasmImport[] = [], mutableGlobals = 0, data = false, start = false;
  for (const s of sections(bytes)) {
    if (s.id === SECTION.import) imports = readImports(bytes, s.start);
    if (s.id === SECTION.start) start = true;
    if (s.id === SECTION.data) data = new Reader(bytes, s.start).u32() > 0;
    if (s.id === SECTION.global) {
      const r = new Reader(bytes, s.start);
      for (let i = r.u32(); i > 0; i--) {
        r.byte(); // value type
        if (r.byte() === 1) mutableGlobals++;
        r.skipInitExpr();
      }
    }
  }
  return { imports, mutableGlobals, data, start };
}

/**
 * Throws unless `bytes` can safely compute inside another module's memory:
 * its only import is `env.memory`, it has no data section, no start function
 * and no mutable global (so no stack pointer: it never writes anywhere it is
 * not told to).
 */
export function assertZeroCopySafe(bytes: Uint8Array, what: string): void {
  const f = inspectWasm(bytes);
  const problems = [
    f.imports.length !== 1 || f.imports[0].module !== "env" || f.imports[0].name !== "memory" ||
      f.imports[0].kind !== 2
      ? `imports ${JSON.stringify(f.imports)} instead of env.memory alone`
      : "",
    f.data ? "a data section" : "",
    f.start ? "a start function" : "",
    f.mutableGlobals ? `${f.mutableGlobals} mutable global(s) (a stack pointer?)` : "",
  ].filter(Boolean);
  if (problems.length) {
    throw new Error(`${what}: not safe to run in tfjs's memory: ${problems.join(", ")}`);
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

/**
 * A copy of `bytes` whose memory import is shared with at most `maxPages`
 * pages (the type tfjs-wasm's threaded build gives its memory). Plain loads
 * and stores are valid on shared memory, so the code needs no change.
 */
export function withSharedMemoryImport(
  bytes: Uint8Array,
  maxPages: number,
): Uint8Array<ArrayBuffer> {
  const imports = sections(bytes).find((s) => s.id === SECTION.import);
  if (!imports) throw new Error("wasm: no import section");
  let range: [number, number, number] | undefined;
  readImports(bytes, imports.start, (imp, r) => {
    if (imp.kind !== 2) throw new Error(`wasm: import ${imp.module}.${imp.name} is not a memory`);
    const at = r.pos;
    const { min } = r.limits();
    range = [at, r.pos, min];
  });
  if (!range) throw new Error("wasm: no memory import");
  const [at, end, min] = range;
  const limits = [0x03, ...leb(min), ...leb(maxPages)];
  const bodyLength = (at - imports.start) + limits.length + (imports.end - end);
  // Typed-array copies: spreading the module's bytes into an array took ~87 ms a process.
  return concatBytes([
    bytes.subarray(0, imports.head),
    [SECTION.import, ...leb(bodyLength)],
    bytes.subarray(imports.start, at),
    limits,
    bytes.subarray(end, imports.end),
    bytes.subarray(imports.end),
  ]);
}

/** The pieces one after another in one new array. */
function concatBytes(pieces: readonly ArrayLike<number>[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** WebAssembly value types by their binary code. */
const VALUE_TYPES: Readonly<Record<number, string>> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
};

/** A function export's WebAssembly type. */
export interface WasmFunctionType {
  /** Parameter value types (`i32`, `f32`, ...), in order. */
  readonly params: readonly string[];
  /** Result value types. */
  readonly results: readonly string[];
}

/**
 * The function exports of `bytes` with their types, in export order.
 */
export function functionExports(bytes: Uint8Array): Map<string, WasmFunctionType> {
  const types: WasmFunctionType[] = [];
  const funcs: number[] = []; // type index per function, imports first
  const out = new Map<string, WasmFunctionType>();
  const valueType = (code: number) => VALUE_TYPES[code] ?? `0x${code.toString(16)}`;
  for (const s of sections(bytes)) {
    const r = new Reader(bytes, s.start);
    if (s.id === SECTION.type) {
      for (let i = r.u32(); i > 0; i--) {
        if (r.byte() !== 0x60) throw new Error("wasm: a type that is not a function type");
        const params = Array.from({ length: r.u32() }, () => valueType(r.byte()));
        const results = Array.from({ length: r.u32() }, () => valueType(r.byte()));
        types.push({ params, results });
      }
    }
    if (s.id === SECTION.import) {
      readImports(bytes, s.start, (imp, ir) => {
        if (imp.kind === 0) funcs.push(ir.u32());
        else if (imp.kind === 1) (ir.byte(), ir.limits());
        else if (imp.kind === 2) ir.limits();
        else (ir.byte(), ir.byte());
      });
    }
    if (s.id === SECTION.function) { for (let i = r.u32(); i > 0; i--) funcs.push(r.u32()); }
    if (s.id === SECTION.export) {
      for (let i = r.u32(); i > 0; i--) {
        const name = r.name(), kind = r.byte(), index = r.u32();
        if (kind === 0) out.set(name, types[funcs[index]]);
      }
    }
  }
  return out;
}
