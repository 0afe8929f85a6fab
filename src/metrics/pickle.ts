/**
 * The pickle virtual machine as far as `torch.save` needs it: the opcodes
 * Python's pickler emits for a state dict (protocols 2 to 5), globals and
 * persistent ids handed to the caller, anything else refused by name. A
 * program that runs past its bytes is refused as truncated.
 * @module
 */

/** A bad checkpoint: the message is one line saying what is wrong. */
export class PthError extends Error {
  /** The error's name. */
  override name = "PthError";
}

/** A global the pickle names, e.g. `torch._utils._rebuild_tensor_v2`. */
export class Global {
  /** @param name the module and name, dotted */
  constructor(readonly name: string) {}
}

/** What the caller decides while a pickle runs. */
export interface PickleHooks {
  /** A call of a global (REDUCE, NEWOBJ) with its arguments. */
  call(fn: Global, args: unknown[]): unknown;
  /** A persistent id (BINPERSID): torch's reference to a storage. */
  persistent(pid: unknown): unknown;
}

const MARK = Symbol("mark");

/**
 * Runs the pickle program that starts at `start` in `bytes`; returns its
 * value and where the next byte after its STOP is.
 */
export function unpickle(
  bytes: Uint8Array,
  start: number,
  hooks: PickleHooks,
  what = "data.pkl",
): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const stack: unknown[] = [], memo = new Map<number, unknown>();
  let i = start;
  const need = (n: number) => {
    if (i + n > bytes.length) throw new PthError(`${what}: truncated pickle at byte ${i}`);
  };
  const popMark = (): unknown[] => {
    const m = stack.lastIndexOf(MARK);
    if (m < 0) throw new PthError(`${what}: MARK missing`);
    const items = stack.slice(m + 1);
    stack.length = m;
    return items;
  };
  const line = () => {
    const j = bytes.indexOf(10, i);
    if (j < 0) throw new PthError(`${what}: truncated pickle at byte ${i}`);
    const s = decoder.decode(bytes.subarray(i, j));
    i = j + 1;
    return s;
  };
  const str = (n: number) => {
    need(n);
    const s = decoder.decode(bytes.subarray(i, i + n));
    i += n;
    return s;
  };
  const u8 = () => (need(1), bytes[i++]);
  const u16 = () => (need(2), i += 2, view.getUint16(i - 2, true));
  const u32 = () => (need(4), i += 4, view.getUint32(i - 4, true));
  const call = (fn: unknown, args: unknown): unknown => {
    if (!(fn instanceof Global)) throw new PthError(`${what}: call of a non-global`);
    return hooks.call(fn, args as unknown[]);
  };
  while (i < bytes.length) {
    const op = bytes[i++];
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        need(8), i += 8;
        break;
      case 0x2e: // STOP
        return { value: stack.pop(), end: i };
      case 0x28: // MARK
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
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(u32() | 0);
        break;
      case 0x8a: { // LONG1
        const n = u8();
        need(n);
        let v = 0n;
        for (let k = n - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i + k]);
        if (n && bytes[i + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(Number(v)), i += n;
        break;
      }
      case 0x47: // BINFLOAT
        need(8), stack.push(view.getFloat64(i, false)), i += 8;
        break;
      case 0x58: // BINUNICODE
      case 0x54: // BINSTRING
        stack.push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
      case 0x55: // SHORT_BINSTRING
        stack.push(str(u8()));
        break;
      case 0x71: // BINPUT
        memo.set(u8(), stack.at(-1));
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack.at(-1));
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack.at(-1));
        break;
      case 0x68: // BINGET
        stack.push(memo.get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(u32()));
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([stack.pop()]);
        break;
      case 0x86: { // TUPLE2
        const b = stack.pop(), a = stack.pop();
        stack.push([a, b]);
        break;
      }
      case 0x87: { // TUPLE3
        const c = stack.pop(), b = stack.pop(), a = stack.pop();
        stack.push([a, b, c]);
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistent(stack.pop()));
        break;
      case 0x52: // REDUCE
      case 0x81: { // NEWOBJ
        const args = stack.pop();
        stack.push(call(stack.pop(), args));
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark(), dict = stack.at(-1) as Map<unknown, unknown>;
        for (let k = 0; k < items.length; k += 2) dict.set(items[k], items[k + 1]);
        break;
      }
      case 0x73: { // SETITEM
        const v = stack.pop(), k = stack.pop();
        (stack.at(-1) as Map<unknown, unknown>).set(k, v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        (stack.at(-1) as unknown[]).push(...items);
        break;
      }
      case 0x61: { // APPEND
        const v = stack.pop();
        (stack.at(-1) as unknown[]).push(v);
        break;
      }
      case 0x62: // BUILD: the state (a state dict's _metadata) is not needed
        stack.pop();
        break;
      default:
        throw new PthError(`${what}: unsupported pickle opcode 0x${op.toString(16)} at ${i - 1}`);
    }
  }
  throw new PthError(`${what}: truncated pickle (no STOP)`);
}
