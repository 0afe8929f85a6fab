/**
 * Reads a PyTorch checkpoint (`torch.save` of a state dict) without Python,
 * in both of torch's formats: the zip format of PyTorch >= 1.6 (the zip's
 * central directory, stored entries only as torch writes them; the pickle
 * program of `data.pkl`; each storage in `data/<key>`) and the legacy format
 * before it (pickles one after another: magic number, protocol, system info,
 * the state dict, the storage keys; then each storage as an int64 count and
 * its bytes). Each tensor's storage (little-endian) is gathered through its
 * offset, size and strides into a contiguous row-major Float32Array.
 * @module
 */
import { Global, PthError, unpickle } from "./pickle.ts";

export { PthError };

/** One tensor of a state dict. */
export interface PthTensor {
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its values, row-major, as float32. */
  readonly data: Float32Array;
}

/** One tensor of a state dict before its values are read: where they are and what they are. */
export interface PthEntry {
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its storage type as torch names it, e.g. `FloatStorage`, `LongStorage`. */
  readonly storage: string;
  /** Reads its values, row-major, as float32. */
  read(): Float32Array;
}

/** The stored entries of a zip archive, by name. */
export function zipEntries(bytes: Uint8Array): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new PthError("not a zip archive (no end-of-central-directory record)");
  let count = view.getUint16(end + 10, true), at = view.getUint32(end + 16, true);
  if (count === 0xffff || at === 0xffffffff) {
    const locator = end - 20; // zip64 end-of-central-directory locator
    if (locator < 0 || view.getUint32(locator, true) !== 0x07064b50) {
      throw new PthError("zip64 archive without its locator");
    }
    const record = Number(view.getBigUint64(locator + 8, true));
    count = Number(view.getBigUint64(record + 32, true));
    at = Number(view.getBigUint64(record + 48, true));
  }
  const entries = new Map<string, Uint8Array>();
  const decoder = new TextDecoder();
  for (let k = 0; k < count; k++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) {
      throw new PthError("corrupt zip central directory");
    }
    const method = view.getUint16(at + 10, true);
    let size = view.getUint32(at + 24, true);
    const nameLen = view.getUint16(at + 28, true), extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    let local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    // zip64 extra field: the 64-bit sizes and offset that are 0xffffffff above.
    for (let e = at + 46 + nameLen; e < at + 46 + nameLen + extraLen;) {
      const id = view.getUint16(e, true), len = view.getUint16(e + 2, true);
      if (id === 1) {
        let p = e + 4;
        if (view.getUint32(at + 24, true) === 0xffffffff) {
          size = Number(view.getBigUint64(p, true)), p += 8;
        }
        if (view.getUint32(at + 20, true) === 0xffffffff) p += 8;
        if (view.getUint32(at + 42, true) === 0xffffffff) {
          local = Number(view.getBigUint64(p, true));
        }
      }
      e += 4 + len;
    }
    if (method !== 0) throw new PthError(`zip entry ${name} is compressed (method ${method})`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) {
      throw new PthError(`corrupt zip entry ${name}`);
    }
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > bytes.length) throw new PthError(`zip entry ${name} is truncated`);
    entries.set(name, bytes.subarray(start, start + size));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** A tensor before its storage is read. */
interface TensorRef {
  readonly storage: StorageRef;
  readonly offset: number;
  readonly size: number[];
  readonly stride: number[];
}

/** A storage as the pickle refers to it; legacy views add an offset into their root storage. */
interface StorageRef {
  readonly key: string;
  readonly type: string;
  readonly viewOffset: number;
}

const DTYPES: Record<string, { bytes: number; read: (v: DataView, at: number) => number }> = {
  FloatStorage: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  DoubleStorage: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  HalfStorage: { bytes: 2, read: (v, at) => half(v.getUint16(at, true)) },
  LongStorage: { bytes: 8, read: (v, at) => Number(v.getBigInt64(at, true)) },
  IntStorage: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
};

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const HOOKS = {
  call(fn: Global, args: unknown[]): unknown {
    const name = fn.name;
    if (name === "collections.OrderedDict") return new Map<string, unknown>();
    if (name === "torch._utils._rebuild_tensor_v2" || name === "torch._utils._rebuild_tensor") {
      const [storage, offset, size, stride] = args as [StorageRef, number, number[], number[]];
      return { storage, offset, size, stride } satisfies TensorRef;
    }
    if (name === "torch._utils._rebuild_parameter") return args[0];
    throw new PthError(`data.pkl: unsupported call ${name}`);
  },
  /** ('storage', type, key, location, numel[, view_metadata]) */
  persistent(pid: unknown): StorageRef {
    const [kind, type, key, , , view] = pid as [string, Global, string, string, number, unknown];
    if (kind !== "storage" || !(type instanceof Global)) {
      throw new PthError(`data.pkl: unsupported persistent id ${String(kind)}`);
    }
    const viewOffset = Array.isArray(view) ? Number(view[1]) : 0; // (view_key, offset, size)
    return { key: String(key), type: type.name.split(".").pop()!, viewOffset };
  },
};

/** The legacy format's first pickle: torch's magic number 0x1950a86a20f9469cfc6c. */
const LEGACY_MAGIC = Number(0x1950a86a20f9469cfc6cn);

/** Does `bytes` start like a legacy (pre-1.6) torch.save file: PROTO 2, LONG1 of 10 bytes? */
function isLegacy(bytes: Uint8Array): boolean {
  return bytes[0] === 0x80 && bytes[1] === 0x02 && bytes[2] === 0x8a && bytes[3] === 0x0a;
}

/** The state dict's tensor references and their storages' bytes, from either format. */
function open(bytes: Uint8Array): { root: unknown; storages: Map<string, Uint8Array> } {
  if (isLegacy(bytes)) return openLegacy(bytes);
  const entries = zipEntries(bytes);
  const pklName = [...entries.keys()].find((n) => n.endsWith("/data.pkl") || n === "data.pkl");
  if (!pklName) throw new PthError("no data.pkl in the archive (not a torch.save zip checkpoint)");
  const prefix = pklName.slice(0, -"data.pkl".length);
  const root = unpickle(entries.get(pklName)!, 0, HOOKS).value;
  const storages = new Map<string, Uint8Array>();
  for (const [name, data] of entries) {
    if (name.startsWith(`${prefix}data/`)) storages.set(name.slice(prefix.length + 5), data);
  }
  return { root, storages };
}

function openLegacy(bytes: Uint8Array): { root: unknown; storages: Map<string, Uint8Array> } {
  const plain = { call: HOOKS.call, persistent: () => null };
  const magic = unpickle(bytes, 0, plain, "legacy header");
  if (magic.value !== LEGACY_MAGIC) throw new PthError("legacy header: wrong magic number");
  const protocol = unpickle(bytes, magic.end, plain, "legacy header");
  if (protocol.value !== 1001) {
    throw new PthError(`legacy header: protocol ${protocol.value} (valid: 1001)`);
  }
  const info = unpickle(bytes, protocol.end, plain, "legacy header");
  const sys = info.value instanceof Map ? info.value : new Map();
  if (sys.get("little_endian") === false) throw new PthError("legacy file is big-endian");
  const types = new Map<string, string>();
  const hooks = {
    call: HOOKS.call,
    persistent(pid: unknown) {
      const ref = HOOKS.persistent(pid);
      types.set(ref.key, ref.type);
      return ref;
    },
  };
  const root = unpickle(bytes, info.end, hooks, "state dict");
  const keys = unpickle(bytes, root.end, plain, "storage keys");
  if (!Array.isArray(keys.value)) throw new PthError("legacy file: no list of storage keys");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storages = new Map<string, Uint8Array>();
  let at = keys.end;
  for (const key of keys.value as string[]) {
    if (at + 8 > bytes.length) throw new PthError(`storage ${key} is truncated`);
    const count = Number(view.getBigInt64(at, true)), size = DTYPES[types.get(key)!]?.bytes ?? 4;
    at += 8;
    if (at + count * size > bytes.length) throw new PthError(`storage ${key} is truncated`);
    storages.set(key, bytes.subarray(at, at + count * size));
    at += count * size;
  }
  return { root: root.value, storages };
}

/**
 * The tensors of a `torch.save`d state dict (either format), by key, in file
 * order, with their shapes and storage types; their values are read on
 * demand. Every tensor's storage is checked to exist and to hold the values
 * its offset, size and strides reach.
 *
 * @example
 * ```ts ignore
 * // Needs the user's weights file (not shipped: pytorch-fid's download).
 * import { indexPth } from "../../mod.ts";
 * const index = indexPth(await Deno.readFile("pt_inception-2015-12-05-6726825d.pth"));
 * index.get("Conv2d_1a_3x3.conv.weight")!.shape; // [32, 3, 3, 3]
 * ```
 */
export function indexPth(bytes: Uint8Array): Map<string, PthEntry> {
  const { root, storages } = open(bytes);
  if (!(root instanceof Map)) throw new PthError("the pickle does not hold a state dict");
  const out = new Map<string, PthEntry>();
  for (const [key, ref] of root as Map<string, TensorRef>) {
    if (!ref || typeof ref !== "object" || !("storage" in ref)) continue;
    const dtype = DTYPES[ref.storage.type];
    if (!dtype) throw new PthError(`${key}: unsupported storage ${ref.storage.type}`);
    const raw = storages.get(ref.storage.key);
    if (!raw) throw new PthError(`${key}: storage data/${ref.storage.key} missing`);
    const base = ref.storage.viewOffset + ref.offset;
    const last = ref.size.reduce((s, n, d) => s + (n - 1) * ref.stride[d], base);
    const n = ref.size.reduce((a, b) => a * b, 1);
    if (n > 0 && (last + 1) * dtype.bytes > raw.length) {
      throw new PthError(`${key}: storage too short (truncated file?)`);
    }
    out.set(key, {
      shape: ref.size,
      storage: ref.storage.type,
      read: () => gather(raw, dtype, base, ref.size, ref.stride),
    });
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function gather(
  raw: Uint8Array,
  dtype: (typeof DTYPES)[string],
  base: number,
  size: readonly number[],
  stride: readonly number[],
): Float32Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const n = size.reduce((a, b) => a * b, 1), data = new Float32Array(n);
  let contiguous = true;
  for (let d = size.length - 1, s = 1; d >= 0; s *= size[d], d--) {
    if (size[d] !== 1 && stride[d] !== s) contiguous = false;
  }
  if (contiguous && dtype === DTYPES.FloatStorage && LITTLE_ENDIAN) {
    new Uint8Array(data.buffer).set(raw.subarray(base * 4, (base + n) * 4));
    return data;
  }
  if (contiguous) {
    for (let k = 0; k < n; k++) data[k] = dtype.read(view, (base + k) * dtype.bytes);
    return data;
  }
  const idx = new Array<number>(size.length).fill(0);
  for (let k = 0; k < n; k++) {
    let at = base;
    for (let d = 0; d < idx.length; d++) at += idx[d] * stride[d];
    data[k] = dtype.read(view, at * dtype.bytes);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < size[d]) break;
      idx[d] = 0;
    }
  }
  return data;
}

/**
 * The tensors of a `torch.save`d state dict (either format), by key, in file order.
 *
 * @example
 * ```ts ignore
 * // Needs the user's weights file (not shipped: pytorch-fid's download).
 * import { readPth } from "../../mod.ts";
 * const tensors = readPth(await Deno.readFile("pt_inception-2015-12-05-6726825d.pth"));
 * tensors.get("Conv2d_1a_3x3.conv.weight")!.shape; // [32, 3, 3, 3]
 * ```
 */
export function readPth(bytes: Uint8Array): Map<string, PthTensor> {
  const out = new Map<string, PthTensor>();
  for (const [key, e] of indexPth(bytes)) out.set(key, { shape: e.shape, data: e.read() });
  return out;
}
