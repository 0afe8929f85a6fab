/**
 * Reads a PyTorch checkpoint (`torch.save` of a state dict, the zip format
 * of PyTorch >= 1.6) without Python: the zip's central directory (stored
 * entries only, as torch writes them), the pickle program of `data.pkl`
 * (the opcodes torch's pickler emits; anything else is refused by name), and
 * each tensor's storage (`data/<key>`, little-endian), gathered through its
 * offset, size and strides into a contiguous row-major Float32Array.
 * @module
 */

/** One tensor of a state dict. */
export interface PthTensor {
  /** Its shape. */
  readonly shape: readonly number[];
  /** Its values, row-major, as float32. */
  readonly data: Float32Array;
}

/** A bad checkpoint: the message is one line saying what is wrong. */
export class PthError extends Error {
  /** The error's name. */
  override name = "PthError";
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

type Value = unknown;
const MARK = Symbol("mark");

/** A global the pickle names, e.g. `torch._utils._rebuild_tensor_v2`. */
class Global {
  constructor(readonly name: string) {}
}

/** A tensor before its storage is read. */
interface TensorRef {
  readonly storage: { key: string; type: string };
  readonly offset: number;
  readonly size: number[];
  readonly stride: number[];
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

/** Runs the pickle program `pkl`; tensors come back as {@link TensorRef}s. */
function unpickle(pkl: Uint8Array): Value {
  const view = new DataView(pkl.buffer, pkl.byteOffset, pkl.byteLength);
  const decoder = new TextDecoder();
  const stack: Value[] = [], memo = new Map<number, Value>();
  let i = 0;
  const popMark = (): Value[] => {
    const m = stack.lastIndexOf(MARK);
    if (m < 0) throw new PthError("data.pkl: MARK missing");
    const items = stack.slice(m + 1);
    stack.length = m;
    return items;
  };
  const line = () => {
    const j = pkl.indexOf(10, i);
    const s = decoder.decode(pkl.subarray(i, j));
    i = j + 1;
    return s;
  };
  const str = (n: number) => {
    const s = decoder.decode(pkl.subarray(i, i + n));
    i += n;
    return s;
  };
  const call = (fn: Value, args: Value[]): Value => {
    const name = fn instanceof Global ? fn.name : "?";
    if (name === "collections.OrderedDict") return new Map<string, Value>();
    if (name === "torch._utils._rebuild_tensor_v2" || name === "torch._utils._rebuild_tensor") {
      const [storage, offset, size, stride] = args as [
        TensorRef["storage"],
        number,
        number[],
        number[],
      ];
      return { storage, offset, size, stride } satisfies TensorRef;
    }
    if (name === "torch._utils._rebuild_parameter") return args[0];
    throw new PthError(`data.pkl: unsupported call ${name}`);
  };
  while (i < pkl.length) {
    const op = pkl[i++];
    switch (op) {
      case 0x80:
        i++;
        break; // PROTO
      case 0x95:
        i += 8;
        break; // FRAME
      case 0x2e:
        return stack.pop(); // STOP
      case 0x28:
        stack.push(MARK);
        break;
      case 0x63: { // GLOBAL
        const module = line(), name = line();
        stack.push(new Global(`${module}.${name}`));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = stack.pop() as string, module = stack.pop() as string;
        stack.push(new Global(`${module}.${name}`));
        break;
      }
      case 0x7d:
        stack.push(new Map());
        break; // EMPTY_DICT
      case 0x5d:
        stack.push([]);
        break; // EMPTY_LIST
      case 0x29:
        stack.push([]);
        break; // EMPTY_TUPLE
      case 0x4e:
        stack.push(null);
        break; // NONE
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b:
        stack.push(pkl[i++]);
        break; // BININT1
      case 0x4d:
        stack.push(view.getUint16(i, true)), i += 2;
        break; // BININT2
      case 0x4a:
        stack.push(view.getInt32(i, true)), i += 4;
        break; // BININT
      case 0x8a: { // LONG1
        const n = pkl[i++];
        let v = 0n;
        for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(pkl[i + k]);
        if (n && pkl[i + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v)), i += n;
        break;
      }
      case 0x47:
        stack.push(view.getFloat64(i, false)), i += 8;
        break; // BINFLOAT
      case 0x58: {
        const n = view.getUint32(i, true);
        i += 4;
        stack.push(str(n));
        break;
      }
      case 0x8c: {
        const n = pkl[i++];
        stack.push(str(n));
        break;
      } // SHORT_BINUNICODE
      case 0x55: {
        const n = pkl[i++];
        stack.push(str(n));
        break;
      } // SHORT_BINSTRING
      case 0x54: {
        const n = view.getUint32(i, true);
        i += 4;
        stack.push(str(n));
        break;
      }
      case 0x71:
        memo.set(pkl[i++], stack.at(-1));
        break; // BINPUT
      case 0x72:
        memo.set(view.getUint32(i, true), stack.at(-1)), i += 4;
        break;
      case 0x94:
        memo.set(memo.size, stack.at(-1));
        break; // MEMOIZE
      case 0x68:
        stack.push(memo.get(pkl[i++]));
        break; // BINGET
      case 0x6a:
        stack.push(memo.get(view.getUint32(i, true))), i += 4;
        break;
      case 0x74:
        stack.push(popMark());
        break; // TUPLE
      case 0x85:
        stack.push([stack.pop()]);
        break;
      case 0x86: {
        const b = stack.pop(), a = stack.pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: {
        const c = stack.pop(), b = stack.pop(), a = stack.pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x51: { // BINPERSID: ('storage', type, key, location, numel)
        const [, type, key] = stack.pop() as [string, Global, string];
        stack.push({ key, type: type.name.split(".").pop()! });
        break;
      }
      case 0x52: {
        const args = stack.pop() as Value[];
        stack.push(call(stack.pop(), args));
        break;
      }
      case 0x81: {
        const args = stack.pop() as Value[];
        stack.push(call(stack.pop(), args));
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark(), dict = stack.at(-1) as Map<Value, Value>;
        for (let k = 0; k < items.length; k += 2) dict.set(items[k], items[k + 1]);
        break;
      }
      case 0x73: { // SETITEM
        const v = stack.pop(), k = stack.pop();
        (stack.at(-1) as Map<Value, Value>).set(k, v);
        break;
      }
      case 0x65: {
        const items = popMark();
        (stack.at(-1) as Value[]).push(...items);
        break;
      }
      case 0x61: {
        const v = stack.pop();
        (stack.at(-1) as Value[]).push(v);
        break;
      }
      case 0x62:
        stack.pop();
        break; // BUILD: the state (a state dict's _metadata) is not needed
      default:
        throw new PthError(`data.pkl: unsupported pickle opcode 0x${op.toString(16)} at ${i - 1}`);
    }
  }
  throw new PthError("data.pkl: no STOP");
}

/**
 * The tensors of a `torch.save`d state dict, by key, in file order.
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
  const entries = zipEntries(bytes);
  const pklName = [...entries.keys()].find((n) => n.endsWith("/data.pkl") || n === "data.pkl");
  if (!pklName) throw new PthError("no data.pkl in the archive (not a torch.save zip checkpoint)");
  const prefix = pklName.slice(0, -"data.pkl".length);
  const root = unpickle(entries.get(pklName)!);
  if (!(root instanceof Map)) throw new PthError("data.pkl does not hold a state dict");
  const out = new Map<string, PthTensor>();
  for (const [key, ref] of root as Map<string, TensorRef>) {
    if (!ref || typeof ref !== "object" || !("storage" in ref)) continue;
    const dtype = DTYPES[ref.storage.type];
    if (!dtype) throw new PthError(`${key}: unsupported storage ${ref.storage.type}`);
    const raw = entries.get(`${prefix}data/${ref.storage.key}`);
    if (!raw) throw new PthError(`${key}: storage data/${ref.storage.key} missing`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const n = ref.size.reduce((a, b) => a * b, 1), data = new Float32Array(n);
    const idx = new Array<number>(ref.size.length).fill(0);
    for (let k = 0; k < n; k++) {
      let at = ref.offset;
      for (let d = 0; d < idx.length; d++) at += idx[d] * ref.stride[d];
      if ((at + 1) * dtype.bytes > raw.length) throw new PthError(`${key}: storage too short`);
      data[k] = dtype.read(view, at * dtype.bytes);
      for (let d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < ref.size[d]) break;
        idx[d] = 0;
      }
    }
    out.set(key, { shape: ref.size, data });
  }
  return out;
}
