/**
 * Reads the plain data out of a pickle (torch.save's data.pkl, training_args.bin) without running
 * it: no global is ever imported or called. Strings, numbers, booleans, None, lists, tuples and dicts
 * come back as they are; a global reference, a call (REDUCE/NEWOBJ), a persistent id (a tensor's
 * storage) and a BUILD become inert markers, so `TrainingArguments(...)` reads as a marker holding the
 * state dict its BUILD would have set. Unknown opcodes stop the reader with an error, never a guess.
 */

/** An object pickle would have made by calling code; here only what it names and holds. */
export interface PickleObject {
  readonly $kind: "global" | "call" | "persistent";
  /** "module.name" of the global (for a call: of the callable when it was a global). */
  readonly name: string;
  readonly args: PickleValue[];
  /** What BUILD would have set on the object (a dataclass's __dict__). */
  state: PickleValue;
}

export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | Map<PickleValue, PickleValue> | PickleObject;

/** Most opcodes read from one pickle: data.pkl of a model's state dict is a few thousand. */
const MAX_OPS = 2_000_000;
const MARK = Symbol("mark");
type Slot = PickleValue | typeof MARK;

/** Decodes `buf` into plain values and inert markers; throws an Error naming the offset on anything else. */
export function readPickle(buf: Uint8Array): PickleValue {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stack: Slot[] = [];
  const memo = new Map<number, PickleValue>();
  let p = 0;
  const need = (n: number) => {
    if (p + n > buf.length) throw new Error(`pickle ends early at byte ${p}`);
  };
  const u8 = () => (need(1), buf[p++]!);
  const u16 = () => (need(2), (p += 2), view.getUint16(p - 2, true));
  const u32 = () => (need(4), (p += 4), view.getUint32(p - 4, true));
  const i32 = () => (need(4), (p += 4), view.getInt32(p - 4, true));
  const bytes = (n: number) => (need(n), (p += n), buf.subarray(p - n, p));
  const text = (n: number) => Buffer.from(bytes(n)).toString("utf8");
  const line = () => {
    const end = buf.indexOf(0x0a, p);
    if (end < 0) throw new Error(`pickle ends early at byte ${p}`);
    const s = Buffer.from(buf.subarray(p, end)).toString("latin1");
    p = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new Error(`pickle stack underflow at byte ${p}`);
    return v;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new Error(`pickle stack underflow at byte ${p}`);
    return v;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new Error(`pickle has no mark at byte ${p}`);
    const items = stack.splice(at) as PickleValue[];
    return items.slice(1);
  };
  const setItems = (target: PickleValue, items: PickleValue[]) => {
    // An object made by a call (a dict subclass) keeps its items in its state, as a dict would.
    if (isObject(target) && target.state === null) target.state = new Map();
    const dict = isObject(target) ? target.state : target;
    if (!(dict instanceof Map)) throw new Error(`pickle SETITEM on a non-dict at byte ${p}`);
    for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i]!, items[i + 1]!);
  };
  const append = (target: PickleValue, items: PickleValue[]) => {
    if (!Array.isArray(target)) throw new Error(`pickle APPEND on a non-list at byte ${p}`);
    target.push(...items);
  };
  const global = (name: string): PickleObject => ({ $kind: "global", name, args: [], state: null });
  const call = (fn: PickleValue, args: PickleValue): PickleValue => {
    const name = isObject(fn) ? fn.name : "?";
    // torch.save writes state dicts as OrderedDict(); it holds nothing but its items.
    if (name === "collections.OrderedDict") return new Map();
    return { $kind: "call", name, args: Array.isArray(args) ? args : [args], state: null };
  };

  for (let ops = 0; ops < MAX_OPS; ops++) {
    const at = p;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: bytes(8); break; // FRAME
      case 0x2e: return pop(); // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x49: { // INT (protocol 0: "01"/"00" are booleans)
        const s = line().trim();
        stack.push(s === "01" ? true : s === "00" ? false : Number(s));
        break;
      }
      case 0x4c: stack.push(Number(line().trim().replace(/L$/, ""))); break; // LONG
      case 0x8a: stack.push(long(bytes(u8()))); break; // LONG1
      case 0x8b: stack.push(long(bytes(u32()))); break; // LONG4
      case 0x47: need(8); stack.push(view.getFloat64(p, false)); p += 8; break; // BINFLOAT
      case 0x46: stack.push(Number(line())); break; // FLOAT
      case 0x58: stack.push(text(u32())); break; // BINUNICODE
      case 0x8c: stack.push(text(u8())); break; // SHORT_BINUNICODE
      case 0x8d: { // BINUNICODE8
        const lo = u32();
        const hi = u32();
        if (hi !== 0) throw new Error(`pickle string too long at byte ${at}`);
        stack.push(text(lo));
        break;
      }
      case 0x55: stack.push(Buffer.from(bytes(u8())).toString("latin1")); break; // SHORT_BINSTRING
      case 0x54: stack.push(Buffer.from(bytes(u32())).toString("latin1")); break; // BINSTRING
      case 0x43: stack.push(bytes(u8())); break; // SHORT_BINBYTES
      case 0x42: stack.push(bytes(u32())); break; // BINBYTES
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x8f: stack.push([]); break; // EMPTY_SET (a list here)
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x91: stack.push(popMark()); break; // FROZENSET
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x64: { const m = new Map<PickleValue, PickleValue>(); setItems(m, popMark()); stack.push(m); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); append(top(), items); break; } // APPENDS
      case 0x90: { const items = popMark(); append(top(), items); break; } // ADDITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x70: memo.set(Number(line()), top()); break; // PUT
      case 0x68: stack.push(memoGet(memo, u8(), at)); break; // BINGET
      case 0x6a: stack.push(memoGet(memo, u32(), at)); break; // LONG_BINGET
      case 0x67: stack.push(memoGet(memo, Number(line()), at)); break; // GET
      case 0x63: { const mod = line(); stack.push(global(`${mod}.${line()}`)); break; } // GLOBAL
      case 0x93: { const n = pop(); const m = pop(); stack.push(global(`${String(m)}.${String(n)}`)); break; } // STACK_GLOBAL
      case 0x52: { const args = pop(); stack.push(call(pop(), args)); break; } // REDUCE
      case 0x81: { const args = pop(); stack.push(call(pop(), args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = pop(); stack.push(call(pop(), args)); break; } // NEWOBJ_EX
      case 0x51: stack.push({ $kind: "persistent", name: "persistent_id", args: [pop()], state: null }); break; // BINPERSID
      case 0x62: { // BUILD: the state is kept beside the inert object, never applied by code
        const state = pop();
        const obj = top();
        if (isObject(obj)) obj.state = state;
        else if (obj instanceof Map && state instanceof Map) for (const [k, v] of state) obj.set(k, v);
        break;
      }
      default:
        throw new Error(`pickle opcode 0x${op.toString(16)} at byte ${at} is not one trainsafe reads`);
    }
  }
  throw new Error(`pickle has more than ${MAX_OPS} opcodes`);
}

function memoGet(memo: Map<number, PickleValue>, key: number, at: number): PickleValue {
  const v = memo.get(key);
  if (v === undefined) throw new Error(`pickle memo ${key} unset at byte ${at}`);
  return v;
}

/** Little-endian two's-complement integer; a number when it fits exactly, else a bigint. */
function long(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** Whether `v` is an inert marker for a global, a call or a persistent id. */
export function isObject(v: PickleValue | undefined): v is PickleObject {
  return typeof v === "object" && v !== null && !(v instanceof Map) && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** The field `key` of a dict, or of the state an object's BUILD set (a dataclass such as TrainingArguments). */
export function field(v: PickleValue | undefined, key: string): PickleValue | undefined {
  if (v instanceof Map) return v.get(key);
  if (isObject(v)) {
    if (v.state instanceof Map) return v.state.get(key);
    // copyreg._reconstructor and dataclasses pickle their __dict__ as (None, slots) or a plain dict.
    if (Array.isArray(v.state) && v.state[0] instanceof Map) return v.state[0].get(key);
  }
  return undefined;
}

/** A non-negative integer field, or null. */
export function intField(v: PickleValue | undefined, key: string): number | null {
  const f = field(v, key);
  return typeof f === "number" && Number.isSafeInteger(f) && f >= 0 ? f : null;
}
