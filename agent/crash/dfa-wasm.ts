/**
 * The prefilter's DFA walk in WebAssembly (issue 13 item 3). In JavaScript the walk costs ~2.3 ns a
 * byte whatever is done to the loop (bounds and type checks on every table load); as WebAssembly, with
 * four independent line ranges walked in lockstep so that one range's table load does not wait for
 * another's, it is a handful of machine instructions a byte.
 *
 * There is no WebAssembly compiler here, so the module's bytes are written by the small encoder
 * below (two functions, no imports but the memory). The walk only reports where the automaton
 * enters a state at or past `first` (an output state, a newline, ESC or NUL): the caller turns those
 * events into candidate lines exactly as its JavaScript loop did.
 *
 * Memory (one fixed-size shared memory made by the caller, never grown, so views into it stay valid;
 * the threads of a parallel scan share it, each with its own slot after the table):
 *   [0, 1024)            CLS: for each byte value, its class times 4 (a byte offset within a row)
 *   [1024, 1024 + T)     TABLE: per state and class (or byte value: byteRows), the next state as the
 *                        byte offset of its row (i32), or (16-bit entries, while the states number
 *                        65,536 or fewer) as its number (u16), the row's offset then being the number
 *                        shifted left by the row's size in bytes' log 2: half the table's memory and
 *                        page faults for one shift more a byte
 *   per slot:
 *   [ctrl, ctrl + 32)    the final states (4 x i32) and event pointers (4 x i32) of walk4
 *   [input, +block)      the bytes walked
 *   [events, +8 block)   events: (byte address, state's row offset) pairs, i32 each
 */

/** Address of the state table in the walker's memory (after the 256 class entries). */
export const TABLE_ADDR = 1024;

// Opcodes used (WebAssembly core spec, binary format).
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br_if: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i32Load8u: 0x2d,
  i32Load16u: 0x2f,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Shl: 0x74,
} as const;
const VOID = 0x40;
const I32 = 0x7f;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, "ascii")];

/**
 * One step of stream k: s = TABLE[s + CLS[mem[p]]] (with `byteRows`, rows of one entry per byte value:
 * s = TABLE[s + 4 * mem[p]], a load less a byte); when s >= first, store the event (p, s) at e and
 * advance e; then p++. With 16-bit entries (`rowShift16` > 0), s is a state's number:
 * s = TABLE16[(s << rowShift16) + CLS[mem[p]]] (CLS then holds class x 2; byteRows: 2 x mem[p]).
 */
function step(p: number, s: number, e: number, first: number, byteRows: boolean, rowShift16: number): number[] {
  const get = (l: number) => [OP.localGet, l];
  return [
    ...get(s),
    ...(rowShift16 ? [OP.i32Const, ...sleb(rowShift16), OP.i32Shl] : []),
    ...get(p),
    OP.i32Load8u, 0, 0,
    // A byte's column (rows of bytes: its entry's size in bytes, log 2), or its CLS entry's offset (4 bytes each).
    OP.i32Const, byteRows && rowShift16 ? 1 : 2,
    OP.i32Shl,
    ...(byteRows ? [] : [OP.i32Load, 2, 0]), // CLS at address 0
    OP.i32Add,
    ...(rowShift16 ? [OP.i32Load16u, 1] : [OP.i32Load, 2]), ...uleb(TABLE_ADDR),
    OP.localTee, s,
    ...get(first),
    OP.i32GeU,
    OP.if, VOID,
    ...get(e), ...get(p), OP.i32Store, 2, 0,
    ...get(e), ...get(s), OP.i32Store, 2, 4,
    ...get(e), OP.i32Const, 8, OP.i32Add, OP.localSet, e,
    OP.end,
    ...get(p), OP.i32Const, 1, OP.i32Add, OP.localSet, p,
  ];
}

/**
 * walk4(p0, p1, p2, p3, n, e0, e1, e2, e3, s0, first, ctrl): n steps of each of four streams at
 * p0..p3 (stream 0 from state s0, the others from the root), events of stream k at e_k; the final
 * states and event pointers go to ctrl.
 */
function walk4Body(byteRows: boolean, rowShift16: number): number[] {
  const [p0, n, e0, s0, first, ctrl, s1] = [0, 4, 5, 9, 10, 11, 12];
  const ps = [p0, 1, 2, 3];
  const es = [e0, 6, 7, 8];
  const ss = [s0, s1, s1 + 1, s1 + 2];
  const code: number[] = [
    OP.block, VOID,
    OP.localGet, n, OP.i32Eqz, OP.br_if, 0,
    OP.loop, VOID,
    ...ps.flatMap((p, k) => step(p, ss[k]!, es[k]!, first, byteRows, rowShift16)),
    OP.localGet, n, OP.i32Const, 1, OP.i32Sub, OP.localTee, n, OP.br_if, 0,
    OP.end,
    OP.end,
    ...ss.flatMap((s, k) => [OP.localGet, ctrl, OP.localGet, s, OP.i32Store, 2, 4 * k]),
    ...es.flatMap((e, k) => [OP.localGet, ctrl, OP.localGet, e, OP.i32Store, 2, 16 + 4 * k]),
    OP.end,
  ];
  return [...vec([[3, I32]]), ...code];
}

/** walk1(p, end, e, s, first, ctrl): stream from p to end; the final state and event pointer go to ctrl. */
function walk1Body(byteRows: boolean, rowShift16: number): number[] {
  const [p, end, e, s, first, ctrl] = [0, 1, 2, 3, 4, 5];
  const code: number[] = [
    OP.block, VOID,
    OP.localGet, p, OP.localGet, end, OP.i32GeU, OP.br_if, 0,
    OP.loop, VOID,
    ...step(p, s, e, first, byteRows, rowShift16),
    OP.localGet, p, OP.localGet, end, OP.i32GeU, OP.i32Eqz, OP.br_if, 0,
    OP.end,
    OP.end,
    OP.localGet, ctrl, OP.localGet, s, OP.i32Store, 2, 0,
    OP.localGet, ctrl, OP.localGet, e, OP.i32Store, 2, 16,
    OP.end,
  ];
  return [...vec([]), ...code];
}

/**
 * The module's bytes: imports the shared memory "m"."mem", exports walk4 and walk1. `byteRows`: the
 * table's rows have an entry per byte value (256), not per class, and CLS is not read. `rowShift16`:
 * 0 for entries of 32 bits (row offsets), else entries of 16 bits (state numbers) in rows of
 * 2 ** rowShift16 bytes (9 for rows of bytes).
 */
export function walkerModuleBytes(byteRows = false, rowShift16 = 0): Uint8Array<ArrayBuffer> {
  const type4 = [0x60, ...vec(Array.from({ length: 12 }, () => [I32])), ...vec([])];
  const type1 = [0x60, ...vec(Array.from({ length: 6 }, () => [I32])), ...vec([])];
  const body4 = walk4Body(byteRows, rowShift16);
  const body1 = walk1Body(byteRows, rowShift16);
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([type4, type1])),
    // Memory, shared (flags 3), 1 to 65,536 pages: one memory holds the table for every thread of a scan.
    ...section(2, vec([[...name("m"), ...name("mem"), 0x02, 0x03, 0x01, ...uleb(65536)]])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec([[...name("walk4"), 0x00, 0], [...name("walk1"), 0x00, 1]])),
    ...section(10, vec([[...uleb(body4.length), ...body4], [...uleb(body1.length), ...body1]])),
  ];
  return new Uint8Array(bytes);
}

const compiled = new Map<string, WebAssembly.Module | null>();

/** The compiled walker module (compiled once per process and kind of row and entry), or null where WebAssembly is unavailable. */
export function walkerModule(byteRows = false, rowShift16 = 0): WebAssembly.Module | null {
  const key = `${byteRows} ${rowShift16}`;
  let module = compiled.get(key);
  if (module === undefined) {
    try {
      module = new WebAssembly.Module(walkerModuleBytes(byteRows, rowShift16));
    } catch {
      module = null;
    }
    compiled.set(key, module);
  }
  return module;
}
