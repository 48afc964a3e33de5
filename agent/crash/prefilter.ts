/**
 * Literal prefilter of the crash scanner (issue 13 item 3): finds, in one pass over raw bytes, the
 * lines on which some rule pattern can possibly match, so that regexes run only on those lines.
 *
 * Derivation (at rule load time, from each compiled pattern's source and flags, so rules added by
 * anyone work without changes here): the pattern is parsed and, bottom up, each part gets the set of
 * exact strings it can match (when small), the strings every match starts / ends with, and
 * "factors": sets of strings one of which every match contains. Alternations of literals multiply
 * out (`outputs? (?:is|are) (?:nan|inf)` needs one of "output is nan", "outputs are inf", ...).
 * A pattern keeps its best few factors (longest shortest string); a line is a candidate for it only
 * when it holds one string of each. A pattern whose factors cannot be derived (unknown syntax, the
 * `u`/`v` flags, nothing literal) always runs. Soundness is the contract: anything not understood
 * counts as "any text", never as a literal.
 *
 * Search: one Aho-Corasick automaton over all factor strings, as a DFA over byte classes with ASCII
 * letters folded to lower case (case-sensitive strings are verified against the bytes on a hit).
 * The same pass counts lines. Text is raw bytes: UTF-8 strings are searched as their bytes, and an
 * ASCII byte never occurs inside a multi-byte UTF-8 sequence, so a string present in the decoded
 * line is present in its bytes. Lines holding ESC or NUL are searched again after removing ANSI
 * codes and NULs exactly as the classifier does, since a code can split a literal.
 */
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { crc32Function } from "../lib/crc32.js";
import { CAPTURE_PREFIX_SOURCE } from "./capture-prefix.js";
import { walkerModule } from "./dfa-wasm.js";
import { patternFactors as ruleFactors, type CompiledRules } from "./rules.js";

/** Largest set of alternative strings a factor may have (more: give up on that part). */
const MAX_SET = 48;
/** Largest character class enumerated into its characters. */
const MAX_CLASS_CHARS = 12;
/** Shortest string of the first factor of a pattern; below it the pattern always runs. */
const MIN_FIRST_FACTOR_CHARS = 2;
/** Shortest string of further factors (a short common string only adds hits). */
const MIN_MORE_FACTOR_CHARS = 3;
/** Factors kept per pattern. */
const MAX_FACTORS = 3;
/**
 * A further factor made only of digits, punctuation and spaces (": 1", "): ", "-11", "): 147") is not
 * searched for when the pattern's first factor has a shortest string of at least
 * STRONG_FIRST_FACTOR_CHARS: numbers and punctuation are in most lines of any log, and each of their
 * occurrences costs the scan an event, while the lines holding the long first factor are few. On the
 * bench log (2026-12-06) such factors of four patterns (GPU row remapping, Xid codes, exitcode -11)
 * were 47 % of the automaton's hits. Length alone says nothing of rarity ("grad_norm" is in every HF
 * Trainer line, its further factor "nan"/"inf" rules most of them out). Sound either way: a line must
 * still hold a string of every searched factor, each a factor of the pattern.
 */
const STRONG_FIRST_FACTOR_CHARS = 8;
/**
 * Longest literal searched for: a longer one is searched by its first MAX_LITERAL_BYTES bytes (sound: a
 * line holding the literal holds them; the regexes decide). The automaton's states are its literals'
 * distinct prefixes, and its tables a row of 512 bytes each: for the rules of 2026-12-07, 20 bytes give
 * 20,898 states instead of 38,616 (the literals' median is 23 bytes), a walk table of 10.7 MB instead of
 * 19.8 and ~10 ms less of its fill and page faults at every whole-file scan, with the same candidate lines
 * on the bench's 0.30 GB log and 2.4 % more on the crash corpora's 3.7 MB of error-dense logs; at 16
 * bytes the states fall to 16,127, but the JavaScript walk's rows of 256 (WIDE_TABLE_MAX_ENTRIES) would
 * turn on, and the corpora's candidates rise 4.4 % (docs/benchmarks.md, 2026-12-07 19:00).
 */
const MAX_LITERAL_BYTES = 20;
/** Bytes the WebAssembly walk takes at a time (copied into its memory; events need 8 bytes per byte). */
const WASM_BLOCK_BYTES = 256 * 1024;
/**
 * Bytes of a slot's input region: a whole piece of a parallel scan (a quarter of a 16 MiB read, cut
 * at a line end: 4 MiB and a little), which a thread reads straight into it (inputBuffer).
 */
const WASM_INPUT_BYTES = (4 << 20) + (256 << 10);
/** Slots of the shared walk memory: one per thread of a parallel scan (MAX_SCAN_THREADS of parallel-scan.ts). */
const WALK_SLOTS = 4;
/** Largest WebAssembly table with rows of one entry per byte value when rows of classes would be smaller. */
const BYTE_ROWS_MAX_BYTES = 16 << 20;
/** Largest automaton (states x 256) kept with one row entry per byte value. */
const WIDE_TABLE_MAX_ENTRIES = 4 << 20;

/** What the prefilter derived for one pattern. */
export interface PatternFilter {
  /** Index of the rule in CompiledRules.rules. */
  readonly rule: number;
  readonly pattern: RegExp;
  /** Each factor: strings (lower-cased when caseInsensitive) one of which every match contains. Empty: always runs. */
  readonly factors: readonly (readonly string[])[];
  /** The factors the automaton searches for (a line must hold one string of each): see searchedFactors. */
  readonly searched: readonly (readonly string[])[];
  readonly caseInsensitive: boolean;
}

/** Called for each candidate line: bytes [start, end) (no "\n"), `newlinesBefore` in the region. */
export type CandidateVisitor = (start: number, end: number, newlinesBefore: number, patterns: readonly number[], cleaned: boolean) => void;

/** The compiled prefilter of one CompiledRules. */
export interface Prefilter {
  readonly patterns: readonly PatternFilter[];
  /** Patterns with no factor (they run on every line). */
  readonly alwaysRun: readonly number[];
  /** Distinct strings searched for. */
  readonly literalCount: number;
  /** States of the automaton. */
  readonly stateCount: number;
  /** Whether its tables came from prefilter data (prefilterData; the bundle's own, or opts.shipped), not built. */
  readonly fromData: boolean;
  /**
   * Scans bytes [start, end) of buf (whole lines; the last may lack its "\n") and calls `visit` for
   * each line on which some pattern may match (`all`: for every line). Returns the number of "\n".
   * `bulk` (default: a text of 8 MiB or more, or one in the walk's own memory: lendInput): walk with
   * WebAssembly, which pays on megabytes only (its code starts unoptimised; the JavaScript walk is
   * faster for a tail of a few megabytes).
   */
  scan(buf: Uint8Array, start: number, end: number, visit: CandidateVisitor, all?: boolean, bulk?: boolean): number;
  /** False when none of `patterns` matches any "\r"-separated segment of `line` (so no rule can match it). */
  mayMatch(line: string, patterns: readonly number[]): boolean;
  /**
   * A buffer of `length` bytes inside the WebAssembly walk's own memory, or null (no WebAssembly, or
   * too long): a bulk scan of bytes read into it walks them where they are instead of copying each
   * block in. One region per prefilter: valid until the next call, for one scan at a time.
   */
  inputBuffer(length: number): Buffer | null;
  /**
   * A buffer of up to `length` bytes inside the WebAssembly walk's memory for a whole-file scan to read
   * its chunks into (then walked where they are, not copied block by block), lent to one scan at a
   * time until given back; null while lent, or without WebAssembly. Scans of other buffers meanwhile
   * copy their blocks in front of it.
   */
  lendInput(length: number): { buf: Buffer; giveBack(): void } | null;
  /** The automaton and literals as data (what a worker thread needs to search with it). */
  readonly spec: PrefilterSpec;
  /** The spec with the WebAssembly walk built (what a worker thread of a whole-file scan gets). */
  bulkSpec(): PrefilterSpec;
}

const cache = new WeakMap<CompiledRules, Prefilter>();

/** The prefilter of `rules` when it was built already (building costs ~0.1-0.2 s: small scans do without). */
export function builtPrefilter(rules: CompiledRules): Prefilter | undefined {
  return cache.get(rules);
}

/** The prefilter of `rules`, built once per CompiledRules object. */
export function prefilterFor(rules: CompiledRules): Prefilter {
  let pf = cache.get(rules);
  if (!pf) {
    pf = buildPrefilter(rules);
    cache.set(rules, pf);
  }
  return pf;
}

// ---------------------------------------------------------------------------------------------
// Deriving factors from a regex source

type Node =
  | { t: "str"; cs: string[] } // one character out of cs (a literal is one choice)
  | { t: "any" } // one character not enumerated
  | { t: "empty" } // zero-width assertion
  | { t: "opaque" } // anything, possibly empty (backreference)
  | { t: "alt"; branches: Node[][] }
  | { t: "rep"; n: Node; min: number; max: number };

class Unsupported extends Error {}

/** Parses a JavaScript regex source (non-unicode syntax, Annex B) into the tree above. */
function parse(src: string, fold: boolean): Node {
  let i = 0;
  const ch = (c: string): Node => {
    // Lines never hold "\n"; ESC and NUL are where the classifier's cleaning and the byte search
    // differ: none of them is ever part of a literal.
    if (c === "\n" || c === "\x1b" || c === "\0") return { t: "any" };
    if (!fold) return { t: "str", cs: [c] };
    const lo = c.toLowerCase();
    if (c.charCodeAt(0) < 0x80) return { t: "str", cs: [lo] };
    // A non-ASCII character with case variants folds in ways the byte search does not mirror.
    return lo === c && c.toUpperCase() === c ? { t: "str", cs: [c] } : { t: "any" };
  };
  const parseAlt = (): Node => {
    const branches: Node[][] = [[]];
    while (i < src.length) {
      const c = src[i]!;
      if (c === ")") break;
      if (c === "|") {
        i++;
        branches.push([]);
        continue;
      }
      const atom = parseAtom();
      branches[branches.length - 1]!.push(parseQuantifier(atom));
    }
    return { t: "alt", branches };
  };
  const parseQuantifier = (atom: Node): Node => {
    const q = src[i];
    let min = 1;
    let max = 1;
    if (q === "*") [min, max] = [0, Infinity];
    else if (q === "+") [min, max] = [1, Infinity];
    else if (q === "?") [min, max] = [0, 1];
    else if (q === "{") {
      const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(src.slice(i));
      if (!m) return atom;
      min = Number(m[1]);
      max = m[2] ? (m[3] ? Number(m[3]) : Infinity) : min;
      i += m[0].length - 1;
    } else return atom;
    i++;
    if (src[i] === "?") i++; // lazy: same strings
    return { t: "rep", n: atom, min, max };
  };
  const parseAtom = (): Node => {
    const c = src[i]!;
    if (c === "(") {
      i++;
      let lookaround = false;
      if (src[i] === "?") {
        const rest = src.slice(i, i + 4);
        if (rest.startsWith("?:")) i += 2;
        else if (rest.startsWith("?=") || rest.startsWith("?!")) [i, lookaround] = [i + 2, true];
        else if (rest.startsWith("?<=") || rest.startsWith("?<!")) [i, lookaround] = [i + 3, true];
        else if (rest.startsWith("?<")) {
          const close = src.indexOf(">", i);
          if (close < 0) throw new Unsupported("group name");
          i = close + 1;
        } else throw new Unsupported(`group (${rest}`);
      }
      const inner = parseAlt();
      if (src[i] !== ")") throw new Unsupported("unclosed group");
      i++;
      return lookaround ? { t: "empty" } : inner;
    }
    if (c === "[") return parseClass();
    if (c === "\\") return parseEscape();
    i++;
    if (c === ".") return { t: "any" };
    if (c === "^" || c === "$") return { t: "empty" };
    if (c === "*" || c === "+" || c === "?") throw new Unsupported("nothing to repeat");
    return ch(c); // includes Annex B literal "{", "}" and "]"
  };
  const parseEscape = (): Node => {
    const d = src[i + 1];
    if (d === undefined) throw new Unsupported("trailing backslash");
    i += 2;
    if ("dDwWsS".includes(d)) return { t: "any" };
    if (d === "b" || d === "B") return { t: "empty" };
    const ctl: Record<string, string> = { n: "\n", r: "\r", t: "\t", v: "\v", f: "\f" };
    if (ctl[d]) return ch(ctl[d]);
    if (d === "x" || d === "u") {
      const n = d === "x" ? 2 : 4;
      const hex = src.slice(i, i + n);
      if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) throw new Unsupported(`\\${d}`);
      i += n;
      return ch(String.fromCharCode(parseInt(hex, 16)));
    }
    if (/[0-9]/.test(d)) {
      // Backreference (or a legacy octal escape): anything, possibly empty.
      while (i < src.length && /[0-9]/.test(src[i]!)) i++;
      return { t: "opaque" };
    }
    if (d === "k") {
      const close = src[i] === "<" ? src.indexOf(">", i) : -1;
      if (close < 0) throw new Unsupported("\\k");
      i = close + 1;
      return { t: "opaque" };
    }
    if (/[A-Za-z]/.test(d)) throw new Unsupported(`\\${d}`); // \c, \p and other letter escapes
    return ch(d); // identity escape of punctuation
  };
  const parseClass = (): Node => {
    i++;
    let negated = false;
    if (src[i] === "^") [negated, i] = [true, i + 1];
    const chars = new Set<string>();
    let enumerable = true;
    let prev: string | null = null;
    for (;;) {
      if (i >= src.length) throw new Unsupported("unclosed class");
      let c = src[i]!;
      // In JavaScript "]" always closes a class ("[]" matches nothing, "[^]" anything).
      if (c === "]") {
        i++;
        break;
      }
      let single: string | null;
      if (c === "\\") {
        const d = src[i + 1];
        if (d === undefined) throw new Unsupported("trailing backslash");
        i += 2;
        const ctl: Record<string, string> = { n: "\n", r: "\r", t: "\t", v: "\v", f: "\f", b: "\b" };
        if ("dDwWsS".includes(d)) single = null;
        else if (ctl[d]) single = ctl[d];
        else if (d === "x" || d === "u") {
          const n = d === "x" ? 2 : 4;
          const hex = src.slice(i, i + n);
          if (!new RegExp(`^[0-9A-Fa-f]{${n}}$`).test(hex)) throw new Unsupported(`\\${d} in class`);
          i += n;
          single = String.fromCharCode(parseInt(hex, 16));
        } else if (/[A-Za-z0-9]/.test(d)) throw new Unsupported(`\\${d} in class`);
        else single = d;
      } else {
        i++;
        single = c;
      }
      if (single === null) {
        enumerable = false;
        prev = null;
        continue;
      }
      // A range "a-z": prev is the start, this "-" is followed by the end.
      if (single === "-" && c === "-" && prev !== null && src[i] !== "]" && i < src.length) {
        let endC = src[i]!;
        if (endC === "\\") {
          const d = src[i + 1]!;
          if (/[A-Za-z0-9]/.test(d)) throw new Unsupported("escape as range end");
          endC = d;
          i += 2;
        } else i++;
        const lo = prev.charCodeAt(0);
        const hi = endC.charCodeAt(0);
        if (hi - lo > MAX_CLASS_CHARS) enumerable = false;
        else for (let k = lo + 1; k <= hi; k++) chars.add(String.fromCharCode(k));
        prev = null;
        continue;
      }
      c = single;
      chars.add(c);
      prev = c;
    }
    if (negated || !enumerable || chars.size === 0 || chars.size > MAX_CLASS_CHARS) return { t: "any" };
    const out = new Set<string>();
    for (const c of chars) {
      const n = ch(c);
      if (n.t !== "str") return { t: "any" };
      out.add(n.cs[0]!);
    }
    return { t: "str", cs: [...out] };
  };
  const root = parseAlt();
  if (i !== src.length) throw new Unsupported("unbalanced )");
  return root;
}

/** What every match of a part of a pattern must look like. */
interface Info {
  /** All strings the part can match (may include ""); null when unknown or too many. */
  exact: string[] | null;
  /** Every match starts with one of these (null: unknown). */
  pre: string[] | null;
  /** Every match ends with one of these (null: unknown). */
  suf: string[] | null;
  /** Each: every match contains one of its strings. */
  factors: string[][];
}

const UNKNOWN: Info = { exact: null, pre: null, suf: null, factors: [] };

function cross(a: readonly string[] | null, b: readonly string[] | null): string[] | null {
  if (!a || !b || a.length * b.length > MAX_SET) return null;
  // One string by one (a literal grown by a character): the common case, without a Set.
  if (a.length === 1 && b.length === 1) return [a[0]! + b[0]!];
  const out = new Set<string>();
  for (const x of a) for (const y of b) out.add(x + y);
  return [...out];
}

function union(sets: readonly (readonly string[] | null)[]): string[] | null {
  const out = new Set<string>();
  for (const s of sets) {
    if (!s) return null;
    for (const x of s) out.add(x);
    if (out.size > MAX_SET) return null;
  }
  return [...out];
}

/** A usable factor: no empty string, and no string that contains another (it adds nothing). */
function asFactor(set: readonly string[] | null): string[] | null {
  if (!set || set.length === 0 || set.includes("")) return null;
  const sorted = [...new Set(set)].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const s of sorted) if (!out.some((m) => s.includes(m))) out.push(s);
  return out;
}

const minLen = (f: readonly string[]) => Math.min(...f.map((s) => s.length));

/** Better factor first: longer shortest string, then fewer strings. */
function compareFactors(a: readonly string[], b: readonly string[]): number {
  return minLen(b) - minLen(a) || a.length - b.length;
}

function candidateFactors(info: Info): string[][] {
  const out: string[][] = [];
  for (const f of [info.exact, info.pre, info.suf, ...info.factors]) {
    const g = asFactor(f);
    if (g) out.push(g);
  }
  return out.sort(compareFactors);
}

function analyse(n: Node): Info {
  switch (n.t) {
    case "str":
      return { exact: n.cs, pre: n.cs, suf: n.cs, factors: [] };
    case "any":
    case "opaque":
      return UNKNOWN;
    case "empty":
      return { exact: [""], pre: [""], suf: [""], factors: [] };
    case "rep": {
      const inner = analyse(n.n);
      if (n.min === 0) {
        if (n.max === 1 && inner.exact) return { exact: union([inner.exact, [""]]), pre: union([inner.pre, [""]]), suf: union([inner.suf, [""]]), factors: [] };
        return UNKNOWN;
      }
      let exact: string[] | null = null;
      if (inner.exact && n.max === n.min) {
        exact = [""];
        for (let k = 0; k < n.min && exact; k++) exact = cross(exact, inner.exact);
      }
      if (exact) return { exact, pre: exact, suf: exact, factors: [] };
      const own = inner.exact ? [inner.exact] : [];
      return { exact: null, pre: inner.pre ?? inner.exact, suf: inner.suf ?? inner.exact, factors: [...inner.factors, ...own] };
    }
    case "alt": {
      const infos = n.branches.map(analyseSeq);
      if (infos.length === 1) return infos[0]!;
      const exact = union(infos.map((x) => x.exact));
      if (exact) return { exact, pre: exact, suf: exact, factors: [] };
      // Each branch's best factor: one of them is in every match of the alternation.
      const best = infos.map((x) => candidateFactors(x)[0] ?? null);
      const f = union(best);
      return { exact: null, pre: union(infos.map((x) => x.pre)), suf: union(infos.map((x) => x.suf)), factors: f ? [f] : [] };
    }
  }
}

function analyseSeq(items: Node[]): Info {
  let acc: Info = { exact: [""], pre: [""], suf: [""], factors: [] };
  for (const item of items) acc = concat(acc, analyse(item));
  return acc;
}

function concat(a: Info, b: Info): Info {
  const exact = cross(a.exact, b.exact);
  // Factor lists are never changed once made, so an empty side lets the other be shared.
  if (exact) return { exact, pre: exact, suf: exact, factors: b.factors.length === 0 ? a.factors : a.factors.length === 0 ? b.factors : [...a.factors, ...b.factors] };
  const factors = [...a.factors, ...b.factors];
  if (a.exact) factors.push(a.exact);
  if (b.exact) factors.push(b.exact);
  // Where a ends and b begins, the match holds a's end followed by b's start.
  const left = a.exact ?? a.suf;
  const right = b.exact ?? b.pre;
  const junction = cross(left, right);
  if (junction) factors.push(junction);
  else {
    if (left) factors.push(left);
    if (right) factors.push(right);
  }
  const pre = a.exact ? (cross(a.exact, b.pre) ?? a.exact) : a.pre;
  const suf = b.exact ? (cross(a.suf, b.exact) ?? b.exact) : b.suf;
  return { exact: null, pre, suf, factors };
}

/**
 * Factors of a pattern (each a set of strings, one of which every match contains; lower-cased when
 * the pattern ignores case); empty when none can be derived, and then the pattern always runs.
 */
export function deriveFactors(source: string, flags: string): string[][] {
  // Unicode mode changes escapes and case folding: not worth the risk, such patterns always run.
  if (flags.includes("u") || flags.includes("v")) return [];
  let info: Info;
  try {
    info = analyse(parse(source, flags.includes("i")));
  } catch (err) {
    if (err instanceof Unsupported) return [];
    throw err;
  }
  const all = candidateFactors(info);
  const chosen: string[][] = [];
  for (const f of all) {
    const need = chosen.length === 0 ? MIN_FIRST_FACTOR_CHARS : MIN_MORE_FACTOR_CHARS;
    if (minLen(f) < need) continue;
    // Implied by a chosen factor (each of its strings contains one of f's): adds nothing.
    if (chosen.some((c) => c.every((s) => f.some((x) => s.includes(x))))) continue;
    chosen.push(f);
    if (chosen.length === MAX_FACTORS) break;
  }
  return chosen;
}

/**
 * The factors of a pattern the search looks for: the first, and each further one unless it holds no
 * letter while the first is strong (STRONG_FIRST_FACTOR_CHARS). Each is a factor of the pattern, so
 * a line that lacks one cannot match either way.
 */
export function searchedFactors(factors: readonly (readonly string[])[]): (readonly string[])[] {
  if (factors.length === 0) return [];
  const strong = minLen(factors[0]!) >= STRONG_FIRST_FACTOR_CHARS;
  return factors.filter((f, k) => k === 0 || !strong || f.some((x) => /[A-Za-z]/.test(x)));
}

// ---------------------------------------------------------------------------------------------
// The automaton

const NL = 0x0a;
const ESC = 0x1b;
const NUL = 0x00;

interface Literal {
  /** Bytes as searched: UTF-8, ASCII letters lower-cased. */
  folded: Uint8Array;
  /** Exact bytes to verify on a hit (case-sensitive literals), else null. */
  exact: Uint8Array | null;
  /** Factor ids this literal satisfies. */
  factors: number[];
}

function foldByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

/** Each pattern of `rules` with its factors, in order. */
function patternFilters(rules: CompiledRules): PatternFilter[] {
  const patterns: PatternFilter[] = [];
  rules.rules.forEach((rule, r) => {
    rule.patterns.forEach((p, j) => {
      // As deriveFactors(p.source, p.flags) gives them: shipped in the bundle with the built-in rules.
      const factors = ruleFactors(rule, j);
      patterns.push({ rule: r, pattern: p, factors, searched: searchedFactors(factors), caseInsensitive: p.flags.includes("i") });
    });
  });
  return patterns;
}

/**
 * Builds a prefilter; `wasm: false` keeps the JavaScript walk (the reference the WebAssembly one is
 * tested against); `byteRows` sets the WebAssembly table's kind of row, `alternateAfter` when a
 * candidate list's patterns are tested as alternations (makeRuntime; both for tests, default as shipped);
 * `shipped`: prefilter data (prefilterData) to use instead of the bundle's own (undefined), or none (null).
 */
export function buildPrefilter(rules: CompiledRules, opts: { wasm?: boolean; byteRows?: boolean; entry16?: boolean; alternateAfter?: number; shipped?: Uint8Array | null } = {}): Prefilter {
  const patterns = patternFilters(rules);
  const alwaysRun = patterns.flatMap((p, k) => (p.factors.length ? [] : [k]));

  // The literals, classes, automaton and lists: a pure function of the patterns' searched factors,
  // read from the data deploy/build.mjs ships beside the bundle when made for these same factors
  // (~0.1 s of every whole-file scan's start built here: docs/benchmarks.md, 2026-12-07 18:40), else built.
  const shipped = opts.shipped === undefined ? shippedTables(patterns) : opts.shipped === null ? null : loadPrefilterData(opts.shipped, patterns);
  const tables = shipped ?? buildTables(patterns);
  const { cls, shift, automaton, stateOut, litFactors, litExact, litLen, factorPattern, patternNeeded } = tables;
  const width = 1 << shift;
  const { n, firstSpecial } = automaton;
  const S_NL = n;
  const S_ESC = n + 1;
  const S_NUL = n + 2;
  const total = n + 3;
  const Table = total < 0xffff ? Uint16Array : Int32Array;
  // The JavaScript walk's table (rows of classes), built on its first use: a whole-file scan walks with
  // WebAssembly, whose rows also serve its lines with ANSI codes or NULs (makeRuntime's cleanedCandidates),
  // so it never needs this one (18.6 MB for the rules of 2026-12-07, ~30 ms of every `crash scan
  // --all`'s CPU before its first byte: docs/benchmarks.md, 2026-12-07 15:30). In shared memory: a worker
  // thread of the parallel scan gets it without a copy (structured cloning 4-7 MB cost 20-50 ms a thread).
  const classTable = (): Uint16Array | Int32Array => {
    const table = Table === Uint16Array ? new Uint16Array(new SharedArrayBuffer(total * width * 2)) : new Int32Array(new SharedArrayBuffer(total * width * 4));
    automatonRows(automaton, table, 0, false, 0);
    return table;
  };
  // Rows of 256 (one per byte value) save the JavaScript walk a class lookup per byte, when the table
  // stays small; built by the runtime on the JavaScript walk's first use (a whole-file scan walks with
  // WebAssembly and never needs it: building it cost ~10-20 ms of every `crash scan --all`).
  const wide = total * 256 <= WIDE_TABLE_MAX_ENTRIES;

  // The same automaton for the WebAssembly walk: rows addressed by byte offset (state x width x 4),
  // classes as offsets within a row, so a step is two loads and an add. Rows of one entry per byte
  // value instead where they take no more memory than rows of classes (more than 128 classes: rows of
  // 256 either way) or fit BYTE_ROWS_MAX_BYTES: a step is then one load less (the byte's class), which
  // took the prefilter pass over the bench log from ~0.62 to ~0.56 s of CPU (docs/benchmarks.md, 2026-12-07).
  // Built on the first bulk scan (a whole-file scan's chunk): a tail scan never needs it.
  const byteRows = opts.byteRows ?? (width === 256 || total * 256 * 4 <= BYTE_ROWS_MAX_BYTES);
  // Entries of 16 bits (state numbers) while the states number 65,536 or fewer (38,616 for the rules
  // of 2026-12-07): half the table (19.8 MB, not 39.5) and its page faults, for one shift more a byte
  // in the walk (docs/benchmarks.md, 2026-12-07 16:45). Past that, entries of 32 bits (row offsets).
  const entry16 = total <= 0x10000 && opts.entry16 !== false;
  const rowShift = (byteRows ? 8 : shift) + (entry16 ? 1 : 2);
  // One shared memory holds the classes and the table once for all the threads of a parallel scan
  // (each thread walks in a slot of its own after them): a worker neither copies the table nor
  // faults its pages in, and the threads read one copy of it in the shared cache, not one each.
  const loadWalk = (): WalkSpec | null => {
    const module = opts.wasm !== false && total * 2 ** rowShift < 2 ** 30 ? walkerModule(byteRows, entry16 ? rowShift : 0) : null;
    if (!module) return null;
    const tableBytes = 1024 + total * 2 ** rowShift;
    const slotBase = Math.ceil(tableBytes / 64) * 64;
    const slotBytes = 64 + WASM_INPUT_BYTES + 8 * WASM_BLOCK_BYTES;
    const pages = Math.ceil((slotBase + WALK_SLOTS * slotBytes) / 65536);
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
    } catch {
      return null;
    }
    const i32 = new Int32Array(memory.buffer);
    for (let b = 0; b < 256; b++) i32[b] = cls[b]! << (entry16 ? 1 : 2);
    if (entry16) automatonRows(automaton, new Uint16Array(memory.buffer), 512, byteRows, 0);
    else automatonRows(automaton, i32, 256, byteRows, rowShift);
    const slots = new Int32Array(new SharedArrayBuffer(4 * WALK_SLOTS));
    return { module, memory, slots, tableBytes, slotBase, slotBytes, rowShift, byteRows, entry16, blockBytes: WASM_BLOCK_BYTES };
  };
  const spec: PrefilterSpec = {
    cls,
    table: undefined,
    wide,
    shift,
    firstSpecial,
    n,
    stateOut,
    litExact,
    litLen,
    litFactors,
    factorPattern,
    patternNeeded,
    alwaysRun: Int32Array.from(alwaysRun),
    patternSources: patterns.map((p) => ({ source: p.pattern.source, flags: p.pattern.flags })),
    capturePrefix: CAPTURE_PREFIX_SOURCE,
    walk: undefined,
  };
  const runtime = makeRuntime(
    spec,
    patterns.map((p) => p.pattern),
    loadWalk,
    opts.alternateAfter,
    classTable,
  );
  const bulkSpec = (): PrefilterSpec => {
    if (spec.walk === undefined) spec.walk = loadWalk();
    // A worker thread walks with WebAssembly where it can (rows of its own for cleaned lines too): the
    // JavaScript walk's table only where there is none.
    if (spec.walk === null && spec.table === undefined) spec.table = classTable();
    return spec;
  };
  return { patterns, alwaysRun, literalCount: litLen.length, stateCount: total, fromData: shipped !== null, spec, bulkSpec, scan: runtime.scan, mayMatch: runtime.mayMatch, inputBuffer: runtime.inputBuffer, lendInput: runtime.lendInput };
}

/**
 * What buildPrefilter derives from the patterns' searched factors alone (and so may be built once, by
 * deploy/build.mjs, for the shipped rules): the byte classes, the automaton, and the lists the search
 * reads. Every array is of the type and length a run-time build gives (the shipped data's round trip
 * is tested byte for byte).
 */
export interface PrefilterTables {
  /** Byte -> class (ASCII upper case reads as lower). */
  readonly cls: Uint8Array;
  /** A row of the class table holds 1 << shift classes. */
  readonly shift: number;
  readonly automaton: Automaton;
  readonly stateOut: FlatLists;
  readonly litFactors: FlatLists;
  readonly litExact: FlatLists;
  readonly litLen: Int32Array;
  readonly factorPattern: Int32Array;
  readonly patternNeeded: Int32Array;
}

/** The literals, classes, automaton and lists of `patterns` (PrefilterTables), built. */
function buildTables(patterns: readonly PatternFilter[]): PrefilterTables {
  // Factors: id -> pattern; literals: distinct (bytes, case) -> factors.
  const factorPattern: number[] = [];
  const patternFactors: number[][] = patterns.map(() => []);
  const literals = new Map<string, Literal>();
  patterns.forEach((p, k) => {
    for (const f of p.searched) {
      const id = factorPattern.length;
      factorPattern.push(k);
      patternFactors[k]!.push(id);
      for (const s of f) {
        // Searched by its first MAX_LITERAL_BYTES bytes (UTF-8): literals that share them are one.
        const utf8 = Buffer.from(s, "utf8");
        const bytes = utf8.length > MAX_LITERAL_BYTES ? utf8.subarray(0, MAX_LITERAL_BYTES) : utf8;
        const key = `${p.caseInsensitive ? "i" : "c"}:${bytes.toString("latin1")}`;
        let lit = literals.get(key);
        if (!lit) {
          const folded = new Uint8Array(bytes.length);
          for (let i = 0; i < bytes.length; i++) folded[i] = foldByte(bytes[i]!);
          // The search folds the text's case: a case-sensitive literal with any ASCII letter
          // ("loss" also finds "LOSS") is checked against the bytes on each hit.
          const needsVerify = !p.caseInsensitive && bytes.some((b) => (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a);
          lit = { folded, exact: needsVerify ? new Uint8Array(bytes) : null, factors: [] };
          literals.set(key, lit);
        }
        if (!lit.factors.includes(id)) lit.factors.push(id);
      }
    }
  });
  const lits = [...literals.values()];

  // Byte classes: each byte used by a literal, newline, ESC, NUL, and everything else (class 0).
  const cls = new Uint8Array(256);
  let nClasses = 1;
  const classOf = (b: number) => {
    if (!cls[b]) cls[b] = nClasses++;
    return cls[b]!;
  };
  classOf(NL);
  classOf(ESC);
  classOf(NUL);
  for (const l of lits) for (const b of l.folded) classOf(b);
  for (let b = 0x41; b <= 0x5a; b++) cls[b] = cls[b + 0x20]!; // upper case reads as lower
  let shift = 0;
  while (1 << shift < nClasses) shift++;
  const width = 1 << shift;
  const { automaton, out } = buildAutomaton(
    lits.map((l) => l.folded),
    cls,
    width,
    [cls[NL]!, cls[ESC]!, cls[NUL]!],
  );
  const { n, renum } = automaton;
  // Lists as flat arrays with start offsets (one typed array each, not thousands: a worker thread
  // gets them copied, and copying 13,000 small arrays cost more than the scan's first chunk).
  const none: readonly number[] = [];
  const byRenum: (readonly number[])[] = new Array<readonly number[]>(n);
  for (let s = 0; s < n; s++) byRenum[renum[s]!] = out[s] ?? none;
  return {
    cls,
    shift,
    automaton,
    stateOut: flatLists(byRenum),
    litFactors: flatLists(lits.map((l) => l.factors)),
    litExact: flatLists(lits.map((l) => l.exact ?? NO_BYTES)),
    litLen: Int32Array.from(lits, (l) => l.folded.length),
    factorPattern: Int32Array.from(factorPattern),
    patternNeeded: Int32Array.from(patternFactors, (f) => f.length),
  };
}

// ---------------------------------------------------------------------------------------------
// The tables as data shipped beside the bundle

/**
 * The prefilter's data beside the bundle (deploy/build.mjs): its file name, size and CRC-32 as that
 * build wrote it (JSON), in the bundle only. A file that is not the one built with this code is not read.
 */
declare const TRAINSAFE_PREFILTER_DATA: string | undefined;

/** Layout of prefilterData's bytes (and of what it holds): change it and this number together. */
const DATA_FORMAT = 3;
const DATA_MAGIC = "TSPREFIL";
/** The typed arrays of PrefilterTables in the data, in this order (Int32Array each). */
const DATA_SECTIONS = (t: PrefilterTables, n: number): Int32Array[] => {
  const { order, fail, renum, trie } = t.automaton;
  // The trie's arrays as built hold a slot per literal byte; only the first n (states, and edges:
  // an edge's number is its target's) are ever read.
  const cut = (a: Int32Array) => a.subarray(0, n);
  return [cut(order), cut(fail), cut(renum), cut(trie.firstEdge), cut(trie.edgeNext), cut(trie.edgeClass), cut(trie.edgeTarget), t.stateOut.start, t.stateOut.items, t.litFactors.start, t.litFactors.items, t.litExact.start, t.litExact.items, t.litLen, t.factorPattern, t.patternNeeded];
};
/**
 * Header: magic (8), then u32s: format, CRC-32 of the bytes after this field, size, fingerprint (size,
 * CRC-32), n, firstSpecial, shift, 3 specials, section count, BYTE_ORDER_MARK, each section's length.
 * The header's words are little-endian; the sections are in the writing machine's byte order, which
 * BYTE_ORDER_MARK (written in that order) tells: a dist/ copied to a machine of the other order is rebuilt.
 */
const HEADER_WORDS = 13;
const BYTE_ORDER_WORD = 12;
const BYTE_ORDER_MARK = 0x01020304;

/**
 * What the tables are a function of: per pattern, in order, whether it ignores case and its searched
 * factors. Its size and CRC-32 (agent/lib/crc32.ts) are the data's fingerprint; null where this node has
 * no CRC-32 (before 20.15: built at run time).
 */
function tablesFingerprint(patterns: readonly PatternFilter[]): { size: number; crc32: number } | null {
  const crc = crc32Function();
  if (!crc) return null;
  let key = `${DATA_FORMAT}\n`;
  for (const p of patterns) key += `${p.caseInsensitive ? "i" : "c"}${JSON.stringify(p.searched)}\n`;
  return { size: key.length, crc32: crc(key) };
}

/**
 * The prefilter tables of `rules` as bytes (deploy/build.mjs writes them beside the bundle): read back by
 * buildPrefilter when the rules at hand have the same patterns' factors, instead of building them.
 */
export function prefilterData(rules: CompiledRules): Uint8Array {
  const patterns = patternFilters(rules);
  const fp = tablesFingerprint(patterns);
  if (!fp) throw new Error("prefilter data: this node has no CRC-32 (zlib.crc32, Node 20.15 or later)");
  const t = buildTables(patterns);
  const { n, firstSpecial, specials } = t.automaton;
  const sections = DATA_SECTIONS(t, n);
  const headerBytes = 8 + 4 * (HEADER_WORDS + sections.length);
  const size = headerBytes + 256 + 4 * sections.reduce((a, x) => a + x.length, 0);
  const out = new Uint8Array(size);
  out.set(Buffer.from(DATA_MAGIC, "latin1"), 0);
  const view = new DataView(out.buffer);
  const words = [DATA_FORMAT, 0, size, fp.size, fp.crc32, n, firstSpecial, t.shift, ...specials, sections.length, BYTE_ORDER_MARK, ...sections.map((x) => x.length)];
  words.forEach((w, k) => view.setUint32(8 + 4 * k, w >>> 0, true));
  new Uint32Array(out.buffer, 8 + 4 * BYTE_ORDER_WORD, 1)[0] = BYTE_ORDER_MARK;
  out.set(t.cls, headerBytes);
  let at = headerBytes + 256;
  for (const x of sections) {
    out.set(new Uint8Array(x.buffer, x.byteOffset, x.byteLength), at);
    at += x.byteLength;
  }
  view.setUint32(12, crc32Function()!(out.subarray(16)) >>> 0, true);
  return out;
}

/** A note on stderr, only with NODE_DEBUG=trainsafe: whether shipped tables were used, and why not. */
function debugNote(text: string): void {
  if (/\btrainsafe\b/i.test(process.env.NODE_DEBUG ?? "")) process.stderr.write(`trainsafe: prefilter: ${text}\n`);
}

/**
 * The tables in `data` (prefilterData) when it is whole (size, CRC-32, layout) and was made for
 * `patterns` (the fingerprint), else null (a rebuild; the reason on stderr under NODE_DEBUG=trainsafe).
 * The arrays are views of one shared copy: a worker thread of a parallel scan gets them without a copy.
 * `wholeChecked`: the caller has checked all of `data` against a CRC-32 of its own (its header's is not
 * computed again over the same bytes).
 */
export function loadPrefilterData(data: Uint8Array, patterns: readonly PatternFilter[], what = "data", wholeChecked = false): PrefilterTables | null {
  const fp = tablesFingerprint(patterns);
  if (!fp) return null;
  const bad = (why: string): null => (debugNote(`${what}: ${why}; building its tables`), null);
  if (data.length < 8 + 4 * HEADER_WORDS + 256 || Buffer.from(data.buffer, data.byteOffset, 8).toString("latin1") !== DATA_MAGIC) return bad("not prefilter data");
  // One shared copy (4-byte aligned for the Int32Array views).
  const shared = new Uint8Array(new SharedArrayBuffer(data.length));
  shared.set(data);
  const view = new DataView(shared.buffer);
  const word = (k: number) => view.getUint32(8 + 4 * k, true);
  if (word(0) !== DATA_FORMAT) return bad(`format ${word(0)}, not ${DATA_FORMAT}`);
  if (word(2) !== data.length) return bad(`${data.length} bytes, its header says ${word(2)} (truncated?)`);
  // The bundle's own file was checked whole against the size and CRC-32 the build recorded (shippedTables).
  if (!wholeChecked && word(1) !== crc32Function()!(shared.subarray(16)) >>> 0) return bad("checksum mismatch (corrupt)");
  if (new Uint32Array(shared.buffer, 8 + 4 * BYTE_ORDER_WORD, 1)[0] !== BYTE_ORDER_MARK) return bad("written on a machine of the other byte order");
  if (word(3) !== fp.size || word(4) !== fp.crc32 >>> 0) return bad("made for other rules (their patterns' factors differ)");
  const [n, firstSpecial, shift, sp0, sp1, sp2, count] = [5, 6, 7, 8, 9, 10, 11].map(word) as [number, number, number, number, number, number, number];
  const headerBytes = 8 + 4 * (HEADER_WORDS + count);
  if (count !== 16 || headerBytes + 256 > data.length) return bad("bad layout");
  const sections: Int32Array[] = [];
  let at = headerBytes + 256;
  for (let k = 0; k < count; k++) {
    const len = word(HEADER_WORDS + k);
    if (at + 4 * len > data.length) return bad("bad layout");
    sections.push(new Int32Array(shared.buffer, at, len));
    at += 4 * len;
  }
  if (at !== data.length) return bad("bad layout");
  const [order, fail, renum, firstEdge, edgeNext, edgeClass, edgeTarget, outStart, outItems, lfStart, lfItems, leStart, leItems, litLen, factorPattern, patternNeeded] = sections as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array, Int32Array];
  if (order.length !== n || outStart.length !== n + 1 || firstSpecial > n || shift > 8) return bad("bad layout");
  const cls = shared.subarray(headerBytes, headerBytes + 256);
  const trie: Trie = { firstEdge, edgeNext, edgeClass, edgeTarget };
  const tables: PrefilterTables = {
    cls,
    shift,
    automaton: { n, width: 1 << shift, order, fail, renum, firstSpecial, trie, cls, specials: [sp0, sp1, sp2] },
    stateOut: { start: outStart, items: outItems },
    litFactors: { start: lfStart, items: lfItems },
    litExact: { start: leStart, items: leItems },
    litLen,
    factorPattern,
    patternNeeded,
  };
  const flaw = tablesFlaw(tables);
  return flaw ? bad(flaw) : tables;
}

/**
 * What makes `t` unusable, or null: the edge lists and failure links go forward (so no walk over them
 * can loop), the automaton's indices are in range, the lists have their lengths. The CRC-32 already
 * rules out damage; this rules out a writer's bug or a foreign writer (a shipped file whose tables loop
 * would hang every whole-file scan). Two plain loops over the states: it runs once, cold (checking every
 * array with callbacks cost ~14 ms of CPU here).
 */
function tablesFlaw(t: PrefilterTables): string | null {
  const { n, width, order, fail, renum, firstSpecial, trie } = t.automaton;
  const { firstEdge, edgeNext, edgeClass, edgeTarget } = trie;
  if (n < 1 || firstSpecial > n || order[0] !== 0) return "bad automaton";
  for (let c = 0; c < 256; c++) if (t.cls[c]! >= width) return "bad automaton";
  // Position of each state in the breadth-first order (a permutation of the states).
  const at = new Int32Array(n).fill(-1);
  for (let q = 0; q < n; q++) {
    const s = order[q]!;
    if (s < 0 || s >= n || at[s] !== -1) return "bad state order";
    at[s] = q;
  }
  for (let s = 0; s < n; s++) {
    const f = fail[s]!;
    if (renum[s]! < 0 || renum[s]! >= n) return "bad state order";
    if (s > 0 && (f < 0 || f >= n || at[f]! >= at[s]!)) return "bad failure links";
    // An edge's number is its target's, made after its source and after its state's earlier edges.
    const e = firstEdge[s]!;
    const next = edgeNext[s]!;
    if ((e !== -1 && (e <= s || e >= n)) || (next !== -1 && (next <= s || next >= n))) return "bad trie edges";
    if (edgeClass[s]! < 0 || edgeClass[s]! >= width || edgeTarget[s]! < 0 || edgeTarget[s]! >= n) return "bad trie edges";
  }
  const lits = t.litLen.length;
  if (!flatListsFit(t.stateOut, n) || !flatListsFit(t.litFactors, lits) || !flatListsFit(t.litExact, lits)) return "bad lists";
  return null;
}

/** Whether `l` holds `count` lists, from 0 to its items' end (their items are not read here: an index out of range reads as no item, it cannot loop). */
function flatListsFit(l: FlatLists, count: number): boolean {
  return l.start.length === count + 1 && l.start[0] === 0 && l.start[count] === l.items.length;
}

/** The bundle's own prefilter data (TRAINSAFE_PREFILTER_DATA), read once: null where there is none or it is not this build's. */
let shippedData: Uint8Array | null | undefined;

/** The tables of `patterns` from the bundle's own prefilter data, or null (none, not this build's, or for other rules). */
function shippedTables(patterns: readonly PatternFilter[]): PrefilterTables | null {
  if (typeof TRAINSAFE_PREFILTER_DATA !== "string") return null;
  const meta = JSON.parse(TRAINSAFE_PREFILTER_DATA) as { file: string; bytes: number; crc32: number };
  const file = fileURLToPath(new URL(`./${meta.file}`, import.meta.url));
  if (shippedData === undefined) {
    shippedData = null;
    try {
      const bytes = fs.readFileSync(file);
      const crc = crc32Function();
      if (!crc) return null;
      if (bytes.length !== meta.bytes || crc(bytes) >>> 0 !== meta.crc32) debugNote(`${file}: not the file this bundle was built with (${bytes.length} bytes); building its tables`);
      else shippedData = bytes;
    } catch (err) {
      debugNote(`${file}: ${(err as Error).message}; building its tables`);
    }
  }
  const tables = shippedData && loadPrefilterData(shippedData, patterns, file, true);
  if (tables) debugNote(`tables from ${file}`);
  return tables;
}

/**
 * The Aho-Corasick automaton of `literals` (bytes as searched, of the classes `cls`, `width` classes a
 * row): the trie, its breadth-first order, failure links and numbering (states without output first,
 * from `firstSpecial` on those with some), and per state the literals ending there (null: none).
 */
export function buildAutomaton(literals: readonly Uint8Array[], cls: Uint8Array, width: number, specials: readonly [number, number, number]): { automaton: Automaton; out: readonly (readonly number[] | null)[] } {
  // Trie, then BFS for failure links (classic Aho-Corasick), outputs merged along failure links.
  // The trie's edges in typed arrays (per state its first and last edge, per edge the next one, its
  // class and target; edges in the order they were added), and outputs only where a state has some:
  // an array per state (38,000 of them for the rules of 2026-12-07) cost every whole-file scan's start
  // ~40 ms of building and of the garbage collections it caused (docs/benchmarks.md, 2026-12-07 15:30).
  let capacity = 1;
  for (const l of literals) capacity += l.length;
  const firstEdge = new Int32Array(capacity).fill(-1);
  const lastEdge = new Int32Array(capacity).fill(-1);
  const edgeNext = new Int32Array(capacity).fill(-1);
  const edgeClass = new Int32Array(capacity);
  const edgeTarget = new Int32Array(capacity);
  const out: (number[] | null)[] = new Array<number[] | null>(capacity).fill(null);
  let n = 1;
  for (let id = 0; id < literals.length; id++) {
    const folded = literals[id]!;
    let s = 0;
    for (let i = 0; i < folded.length; i++) {
      const c = cls[folded[i]!]!;
      let next = -1;
      for (let e = firstEdge[s]!; e >= 0; e = edgeNext[e]!) {
        if (edgeClass[e] === c) {
          next = edgeTarget[e]!;
          break;
        }
      }
      if (next < 0) {
        next = n++;
        // Edge number: its target (each state but the root has one edge into it).
        const e = next;
        edgeClass[e] = c;
        edgeTarget[e] = next;
        if (lastEdge[s]! < 0) firstEdge[s] = e;
        else edgeNext[lastEdge[s]!] = e;
        lastEdge[s] = e;
      }
      s = next;
    }
    (out[s] ??= []).push(id);
  }
  const trie: Trie = { firstEdge, edgeNext, edgeClass, edgeTarget };
  // Failure links in breadth-first order, from the trie alone: fail(t) for t = goto(s, c) is goto(g, c)
  // for the first g on s's failure chain that has an edge c, else the root. No table of every state's
  // next states is built here: the tables below are filled row by row from these links (automatonRows).
  const fail = new Int32Array(n);
  const order = new Int32Array(n);
  const rootNext = new Int32Array(width);
  for (let e = firstEdge[0]!; e >= 0; e = edgeNext[e]!) rootNext[edgeClass[e]!] = edgeTarget[e]!;
  let queued = 1;
  for (let q = 0; q < queued; q++) {
    const s = order[q]!;
    for (let e = firstEdge[s]!; e >= 0; e = edgeNext[e]!) {
      const c = edgeClass[e]!;
      const t = edgeTarget[e]!;
      order[queued++] = t;
      let f = 0;
      if (s !== 0) {
        for (let g = fail[s]!; ; g = fail[g]!) {
          if (g === 0) {
            f = rootNext[c]!;
            break;
          }
          let x = -1;
          for (let ge = firstEdge[g]!; ge >= 0; ge = edgeNext[ge]!) {
            if (edgeClass[ge] === c) {
              x = edgeTarget[ge]!;
              break;
            }
          }
          if (x >= 0) {
            f = x;
            break;
          }
        }
      }
      fail[t] = f;
      // A state's outputs: its own, then its failure state's (complete: nearer the root). Shared where
      // it has none of its own (no list is changed once its state has been reached here).
      const inherited = out[f];
      if (inherited) {
        const own = out[t];
        if (!own) out[t] = inherited;
        else for (const x of inherited) if (!own.includes(x)) own.push(x);
      }
    }
  }
  // Renumber: states without output first, so one comparison (s >= firstSpecial) finds every
  // state that needs attention; then the newline, ESC and NUL states, which behave like the root.
  const renum = new Int32Array(n);
  let firstSpecial = 0;
  for (let q = 0; q < n; q++) if (!out[order[q]!]) renum[order[q]!] = firstSpecial++;
  for (let q = 0, k = firstSpecial; q < n; q++) if (out[order[q]!]) renum[order[q]!] = k++;
  return { automaton: { n, width, order, fail, renum, firstSpecial, trie, cls, specials }, out };
}

/** A trie's edges: per state its first edge (-1: none), per edge the next edge of its state (-1: none), its class and target. */
export interface Trie {
  readonly firstEdge: Int32Array;
  readonly edgeNext: Int32Array;
  readonly edgeClass: Int32Array;
  readonly edgeTarget: Int32Array;
}

/** The Aho-Corasick automaton as buildPrefilter derives it: the trie, its breadth-first order and failure links. */
export interface Automaton {
  /** States of the trie (the newline, ESC and NUL states are n, n + 1, n + 2). */
  readonly n: number;
  /** Classes per row of the class table (a power of two). */
  readonly width: number;
  /** The states in breadth-first order (order[0] is the root, 0). */
  readonly order: Int32Array;
  /** Per state: its failure link. */
  readonly fail: Int32Array;
  /** Per state: its number in the tables (states without output first). */
  readonly renum: Int32Array;
  /** Numbers from here on are states with output. */
  readonly firstSpecial: number;
  /** The trie's edges. */
  readonly trie: Trie;
  /** Byte -> class. */
  readonly cls: Uint8Array;
  /** The classes of newline, ESC and NUL, whose next state is n, n + 1, n + 2 from every state. */
  readonly specials: readonly [number, number, number];
}

/**
 * Fills the automaton's next-state table into `rows` from index `base`: a row per state (renumbered,
 * then the newline, ESC and NUL states), of `width` classes, or of 256 byte values (`byteRows`), each
 * entry the next state's number shifted left by `valueShift`. Row by row in breadth-first order: a
 * state's row is its failure state's (nearer the root, so filled already: one copyWithin), then its own
 * trie edges; the newline, ESC and NUL rows are the root's, and those three columns lead to them from
 * every row. What the earlier entry-by-entry fill from a table of every state's next states gave
 * (delta, 37 MB for the rules of 2026-12-07, and two passes of ~9 million entries: ~0.2 s of every
 * `crash scan --all`'s CPU before its first byte; docs/benchmarks.md, 2026-12-07 15:30).
 */
export function automatonRows(a: Automaton, rows: Uint16Array | Int32Array, base: number, byteRows: boolean, valueShift: number): void {
  const { n, width, order, fail, renum, trie, cls, specials } = a;
  const { firstEdge, edgeNext, edgeClass, edgeTarget } = trie;
  const rowLen = byteRows ? 256 : width;
  // Per class, the columns it sets: itself, or (rows of bytes) every byte value of that class.
  const colStart = new Int32Array(width + 1);
  const cols = new Int32Array(byteRows ? 256 : width);
  if (byteRows) {
    for (let b = 0; b < 256; b++) colStart[cls[b]! + 1]!++;
    for (let c = 0; c < width; c++) colStart[c + 1] = colStart[c + 1]! + colStart[c]!;
    const at = colStart.slice(0, width);
    for (let b = 0; b < 256; b++) cols[at[cls[b]!]!++] = b;
  } else {
    for (let c = 0; c < width; c++) {
      colStart[c + 1] = c + 1;
      cols[c] = c;
    }
  }
  const rowOf = (st: number) => base + st * rowLen;
  const setSpecials = (r: number) => {
    for (let k = 0; k < 3; k++) {
      const v = (n + k) << valueShift;
      const c = specials[k]!;
      for (let j = colStart[c]!, je = colStart[c + 1]!; j < je; j++) rows[r + cols[j]!] = v;
    }
  };
  // The newline, ESC and NUL columns are set in the root's row, so every row copied from it on down
  // has them, unless a trie edge has one of their classes (never for the prefilter's literals, which
  // hold none of those bytes): then they are set again in every row at the end. One pass over the
  // rows less (~116,000 scattered writes for the rules of 2026-12-07).
  const special = new Uint8Array(width);
  for (let k = 0; k < 3; k++) special[specials[k]!] = 1;
  let specialEdge = false;
  for (let q = 0; q < n; q++) {
    const s = order[q]!;
    const r = rowOf(renum[s]!);
    if (s === 0) {
      rows.fill(renum[0]! << valueShift, r, r + rowLen);
      setSpecials(r);
    } else {
      const fr = rowOf(renum[fail[s]!]!);
      rows.copyWithin(r, fr, fr + rowLen);
    }
    for (let e = firstEdge[s]!; e >= 0; e = edgeNext[e]!) {
      const v = renum[edgeTarget[e]!]! << valueShift;
      const c = edgeClass[e]!;
      if (special[c]) specialEdge = true;
      for (let j = colStart[c]!, je = colStart[c + 1]!; j < je; j++) rows[r + cols[j]!] = v;
    }
  }
  const root = rowOf(renum[0]!);
  for (let sp = n; sp < n + 3; sp++) rows.copyWithin(rowOf(sp), root, root + rowLen);
  if (specialEdge) for (let st = 0; st < n + 3; st++) setSpecials(rowOf(st));
}

/** What the search needs of a built prefilter: plain data, so that a worker thread can rebuild it (agent/crash/parallel-scan.ts). */
export interface PrefilterSpec {
  /** Byte -> class (ASCII upper case reads as lower). */
  readonly cls: Uint8Array;
  /**
   * Next state per state and class (rows of 1 << shift); states n, n+1, n+2 are newline, ESC, NUL.
   * Undefined until the JavaScript walk first needs it (makeRuntime's loadTable; bulkSpec builds it for
   * worker threads when there is no WebAssembly walk).
   */
  table: Uint16Array | Int32Array | undefined;
  /** Whether the JavaScript walk may use rows of 256 (one entry per byte value): small enough. */
  readonly wide: boolean;
  readonly shift: number;
  /** States from here on need attention (outputs, then newline, ESC, NUL). */
  readonly firstSpecial: number;
  /** States of the automaton proper (newline, ESC, NUL are n, n+1, n+2). */
  readonly n: number;
  /** Literals ending at each output state. */
  readonly stateOut: FlatLists;
  /** Per literal: its exact bytes when a hit must be verified (case-sensitive), else none. */
  readonly litExact: FlatLists;
  readonly litLen: Int32Array;
  /** Per literal: the factors it satisfies. */
  readonly litFactors: FlatLists;
  /** Per factor: its pattern. */
  readonly factorPattern: Int32Array;
  /** Per pattern: how many factors a line must hold. */
  readonly patternNeeded: Int32Array;
  readonly alwaysRun: Int32Array;
  /** Per pattern: the regex, to rebuild it in another thread. */
  readonly patternSources: readonly { readonly source: string; readonly flags: string }[];
  /** A line's capture prefix (agent/crash/capture-prefix.ts): a line is classified without it too. */
  readonly capturePrefix: string;
  /** The WebAssembly walk: null where unavailable, undefined until built (Prefilter.bulkSpec). */
  walk: WalkSpec | null | undefined;
}

/** Lists of numbers: list k is items[start[k] .. start[k + 1]). */
export interface FlatLists {
  readonly start: Int32Array;
  readonly items: Int32Array;
}

const NO_BYTES = new Uint8Array(0);

/** `lists` of numbers, or of bytes (read in place: no copy of each to an array first). */
function flatLists(lists: readonly (ArrayLike<number>)[]): FlatLists {
  // Plain loops: forEach and TypedArray.set of each of ~38,000 small arrays cost ~20 ms of every
  // whole-file scan's start (run once, so never optimised).
  const start = new Int32Array(lists.length + 1);
  for (let k = 0; k < lists.length; k++) start[k + 1] = start[k]! + lists[k]!.length;
  const items = new Int32Array(start[lists.length]!);
  for (let k = 0, j = 0; k < lists.length; k++) {
    const l = lists[k]!;
    for (let i = 0; i < l.length; i++) items[j++] = l[i]!;
  }
  return { start, items };
}

/** The automaton as the WebAssembly walk reads it (agent/crash/dfa-wasm.ts). */
export interface WalkSpec {
  readonly module: WebAssembly.Module;
  /**
   * Shared by the threads: at 0 each byte value's class x 4 (x 2: entry16), at 1024 the next state's
   * row per state and class (or byte value: byteRows) as a byte offset (state << rowShift, i32), or
   * (entry16) as the state's number (u16), up to tableBytes; then slots of slotBytes from slotBase,
   * one per thread walking (its control block, input and events).
   */
  readonly memory: WebAssembly.Memory;
  /** Per slot: 1 while a runtime holds it (taken with Atomics.compareExchange). */
  readonly slots: Int32Array;
  readonly tableBytes: number;
  readonly slotBase: number;
  readonly slotBytes: number;
  /** A row's size in bytes, log 2. */
  readonly rowShift: number;
  /** Rows of one entry per byte value (else per class). */
  readonly byteRows: boolean;
  /** Entries of 16 bits, state numbers (else of 32 bits, row offsets); the walk's states and events are state numbers then. */
  readonly entry16: boolean;
  readonly blockBytes: number;
}

/** The search over a PrefilterSpec. */
export interface PrefilterRuntime {
  scan: Prefilter["scan"];
  mayMatch: Prefilter["mayMatch"];
  inputBuffer: Prefilter["inputBuffer"];
  lendInput: Prefilter["lendInput"];
  /** Gives back the slot of the shared walk memory (a worker thread, when it is done); a later scan takes one again. */
  release(): void;
}

/**
 * The search (scan) and the segment test (mayMatch) of a built prefilter. Self-contained: it refers
 * to nothing outside its own body but globals (Buffer, WebAssembly), so that its source text is also
 * the code of the parallel scan's worker threads (agent/crash/parallel-scan.ts), which get the spec
 * as data; `regexes` are the patterns (rebuilt from spec.patternSources when not given).
 */
export function makeRuntime(spec: PrefilterSpec, regexes?: readonly RegExp[], loadWalk?: () => WalkSpec | null, alternateAfter = 4096, loadTable?: () => Uint16Array | Int32Array): PrefilterRuntime & { digitBlind(source: string, flags: string): boolean } {
  const NL = 0x0a;
  // ESCAPE_SEQUENCE_SOURCE of capture-prefix.ts, written out: this body is also the workers' code.
  const ANSI = /\x1b(?:\[[0-?]*[ -\/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -\/]+[0-~]|[0-Z\\^-~])/g;
  const { cls, shift, firstSpecial, n, stateOut, litExact, litLen, litFactors, factorPattern, patternNeeded } = spec;
  /** The JavaScript walk's table (PrefilterSpec.table), built on first use. */
  const getTable = (): Uint16Array | Int32Array => {
    if (spec.table === undefined) {
      if (!loadTable) throw new Error("prefilter: a spec without its table and nothing to build it (bulkSpec builds it where a thread needs it)");
      spec.table = loadTable();
    }
    return spec.table;
  };
  const alwaysRun = Array.from(spec.alwaysRun);
  const res = regexes ?? spec.patternSources.map((p) => new RegExp(p.source, p.flags));
  const capturePrefix = new RegExp(spec.capturePrefix);
  // Patterns that may match a line's text without its capture prefix and not the line (see mayMatch):
  // those with a "^" (not "[^" nor "\^"), a lookbehind or "\B". Any other pattern matching the text
  // matches the line at the same place, the prefix ending in a space, ":", ">" or "]".
  const bodyOnly = Uint8Array.from(res, (re) => (/(?:^|[^\\[])\^|\(\?<[=!]|\\B/.test(re.source) ? 1 : 0));
  const S_NL = n;
  const wide = spec.wide;
  let wideTable: Uint16Array | Int32Array | null = null;
  /** The table with rows of 256 (see PrefilterSpec.wide), built on first use. */
  const getWideTable = (): Uint16Array | Int32Array => {
    if (wideTable) return wideTable;
    const table = getTable();
    const rows = table.length >> shift;
    const t = table instanceof Uint16Array ? new Uint16Array(rows * 256) : new Int32Array(rows * 256);
    for (let st = 0; st < rows; st++) for (let b = 0; b < 256; b++) t[st * 256 + b] = table[(st << shift) | cls[b]!]!;
    wideTable = t;
    return t;
  };
  const nFactors = factorPattern.length;
  const nPatterns = patternNeeded.length;
  const factorStamp = new Float64Array(nFactors);
  const patternStamp = new Float64Array(nPatterns);
  const patternHave = new Int32Array(nPatterns);
  let serial = 0;

  // Factors found on the current line: touched[0..nTouched).
  const touched = new Int32Array(nFactors);
  let nTouched = 0;
  // No candidate (most lines that hold some factor): one shared empty list. Otherwise a fresh array:
  // emptying a reused one (`length = 0`) is a runtime call, which cost more than the allocation.
  const NONE: readonly number[] = Object.freeze([]);
  /** Candidate patterns of the current line from the factors it holds (plus the always-run ones). */
  const evaluate = (): readonly number[] => {
    serial++;
    let candidates: number[] | null = null;
    for (let t = 0; t < nTouched; t++) {
      const f = touched[t]!;
      const p = factorPattern[f]!;
      if (patternStamp[p] !== serial) {
        patternStamp[p] = serial;
        patternHave[p] = 0;
      }
      const have = patternHave[p]! + 1;
      patternHave[p] = have;
      if (have === patternNeeded[p]) (candidates ??= []).push(p);
    }
    for (let a = 0; a < alwaysRun.length; a++) (candidates ??= []).push(alwaysRun[a]!);
    nTouched = 0;
    if (candidates === null) return NONE;
    // Insertion sort: a line has a handful of candidates, and Array.prototype.sort with a comparator
    // costs more than the rest of this function.
    for (let a = 1; a < candidates.length; a++) {
      const v = candidates[a]!;
      let b = a - 1;
      for (; b >= 0 && candidates[b]! > v; b--) candidates[b + 1] = candidates[b]!;
      candidates[b + 1] = v;
    }
    return candidates;
  };
  let lineSerial = 1;
  const outStart = stateOut.start;
  const outItems = stateOut.items;
  const exactStart = litExact.start;
  const exactItems = litExact.items;
  const factorStart = litFactors.start;
  const factorItems = litFactors.items;
  // A state none of whose literals is checked against the bytes adds nothing when hit again on the
  // same line (its factors are noted already): -1 marks the states with a checked literal (a first
  // "LOSS" can fail where a later "loss" passes), the others hold the line they were last hit on.
  // On the bench log 2.0 of 7.1 million hits are such repeats (doing this in the WebAssembly walk
  // instead cost more than it saved: tried, see docs/benchmarks.md).
  const stateLine = new Float64Array(n);
  for (let st = firstSpecial; st < n; st++) {
    for (let k = stateOut.start[st]!; k < stateOut.start[st + 1]!; k++) {
      const l = stateOut.items[k]!;
      if (litExact.start[l + 1]! > litExact.start[l]!) stateLine[st] = -1;
    }
  }
  const hit = (buf: Uint8Array, i: number, s: number) => {
    const seen = stateLine[s]!;
    if (seen === lineSerial) return;
    if (seen !== -1) stateLine[s] = lineSerial;
    for (let k = outStart[s]!, ke = outStart[s + 1]!; k < ke; k++) {
      const l = outItems[k]!;
      const e0 = exactStart[l]!;
      const e1 = exactStart[l + 1]!;
      if (e1 > e0) {
        const from = i - litLen[l]! + 1 - e0;
        let ok = true;
        for (let j = e0; j < e1; j++) {
          if (buf[from + j] !== exactItems[j]) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
      }
      for (let j = factorStart[l]!, je = factorStart[l + 1]!; j < je; j++) {
        const f = factorItems[j]!;
        if (factorStamp[f] !== lineSerial) {
          factorStamp[f] = lineSerial;
          touched[nTouched++] = f;
        }
      }
    }
  };

  /** Factors of bytes [start, end) (one line), after ANSI codes and NULs are removed. */
  const cleanedCandidates = (buf: Uint8Array, start: number, end: number): readonly number[] => {
    const text = Buffer.from(buf.buffer, buf.byteOffset + start, end - start)
      .toString("latin1")
      .replace(ANSI, "")
      .replace(/\0+/g, "");
    const bytes = Buffer.from(text, "latin1");
    nTouched = 0;
    lineSerial++;
    let s = 0;
    const w = walker;
    if (w) {
      // The WebAssembly walk's rows (a bulk scan has them): the same next states, as state numbers
      // (16-bit entries) or byte offsets.
      const { entries, rowEntriesShift, valueShift, byteRows } = w;
      const base = 1024 >> (valueShift ? 2 : 1);
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]!;
        s = entries[base + (s << rowEntriesShift) + (byteRows ? b : cls[b]!)]! >> valueShift;
        if (s >= firstSpecial && s < n) hit(bytes, i, s);
        else if (s >= n) s = 0;
      }
      return evaluate();
    }
    const table = getTable();
    for (let i = 0; i < bytes.length; i++) {
      s = table[(s << shift) | cls[bytes[i]!]!]!;
      if (s >= firstSpecial && s < n) hit(bytes, i, s);
      else if (s >= n) s = 0;
    }
    return evaluate();
  };

  // The WebAssembly walker: the shared memory (fixed size, so views stay valid) holding the classes
  // and the table, and this runtime's slot there: a control block, the input and the events (see
  // agent/crash/dfa-wasm.ts and WalkSpec). A thread reads a whole piece of a parallel scan straight
  // into its input region (inputBuffer): no copy per block.
  // entries: the table's entries (i32 or u16), each a row's offset shifted by valueShift (0: a state's
  // number); a row has 2 ** rowEntriesShift of them.
  type W = { i32: Int32Array; u8: Uint8Array; entries: Int32Array | Uint16Array; ctrl: number; input: number; inputBytes: number; events: number; walk4: Function; walk1: Function; rowEntriesShift: number; valueShift: number; byteRows: boolean; blockBytes: number };
  let walker: W | null | undefined;
  let slot = -1;
  const getWalker = (): W | null => {
    if (walker !== undefined) return walker;
    if (spec.walk === undefined) spec.walk = loadWalk ? loadWalk() : null;
    walker = null;
    if (!spec.walk) return null;
    const { module, slots, tableBytes, slotBase, slotBytes, blockBytes, rowShift, byteRows, entry16 } = spec.walk;
    // A free slot of the shared memory, which holds the table already. None free (more threads
    // walking at once than slots: scans at the same time): a memory of this runtime's own, with a
    // copy of the table.
    let memory = spec.walk.memory;
    let base = -1;
    for (let k = 0; k < slots.length; k++) {
      if (Atomics.compareExchange(slots, k, 0, 1) === 0) {
        slot = k;
        base = slotBase + k * slotBytes;
        break;
      }
    }
    if (base < 0) {
      const pages = Math.ceil((slotBase + slotBytes) / 65536);
      memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
      new Uint8Array(memory.buffer).set(new Uint8Array(spec.walk.memory.buffer, 0, tableBytes));
      base = slotBase;
    }
    const ctrl = base;
    const input = ctrl + 64;
    const inputBytes = slotBytes - 64 - 8 * blockBytes;
    const events = input + inputBytes;
    const inst = new WebAssembly.Instance(module, { m: { mem: memory } });
    const ex = inst.exports as { walk4: Function; walk1: Function };
    const ab = memory.buffer;
    const entries = entry16 ? new Uint16Array(ab) : new Int32Array(ab);
    const rowEntriesShift = rowShift - (entry16 ? 1 : 2);
    walker = { i32: new Int32Array(ab), u8: new Uint8Array(ab), entries, ctrl, input, inputBytes, events, walk4: ex.walk4, walk1: ex.walk1, rowEntriesShift, valueShift: entry16 ? 0 : rowShift, byteRows, blockBytes };
    return walker;
  };
  const release = (): void => {
    if (slot < 0) return;
    Atomics.store(spec.walk!.slots, slot, 0);
    slot = -1;
    walker = undefined;
  };

  /** A buffer of `length` bytes inside the walker's memory (a bulk scan of it copies nothing), or null. */
  const inputBuffer = (length: number): Buffer | null => {
    const w = getWalker();
    return w && !lent && length <= w.inputBytes ? Buffer.from(w.u8.buffer, w.input, length) : null;
  };
  // The input region after its first block (where a scan of another buffer copies each block in).
  let lent = false;
  const lendInput = (length: number): { buf: Buffer; giveBack(): void } | null => {
    const w = getWalker();
    if (!w || lent || w.inputBytes <= w.blockBytes) return null;
    lent = true;
    const buf = Buffer.from(w.u8.buffer, w.input + w.blockBytes, Math.max(1, Math.min(length, w.inputBytes - w.blockBytes)));
    return { buf, giveBack: () => void (lent = false) };
  };

  const scan = (buf: Uint8Array, start: number, end: number, visit: CandidateVisitor, all = false, bulk?: boolean): number => {
    let s = 0;
    let lineStart = start;
    let newlines = 0;
    let dirty = false; // ESC or NUL seen on this line
    nTouched = 0;
    lineSerial++;
    const endLine = (lineEnd: number) => {
      if (dirty) {
        const c = cleanedCandidates(buf, lineStart, lineEnd);
        if (c.length || all) visit(lineStart, lineEnd, newlines, c, true);
      } else if (nTouched || alwaysRun.length || all) {
        const c = evaluate();
        if (c.length || all) visit(lineStart, lineEnd, newlines, c, false);
      }
      nTouched = 0;
      lineSerial++;
      dirty = false;
    };
    const w = (bulk ?? (end - start >= 8 * 1024 * 1024 || (walker && buf.buffer === walker.u8.buffer))) ? getWalker() : null;
    if (w) {
      // Blocks of the text, copied into the walker's memory (unless the text is there already:
      // inputBuffer); each block in four parts cut at line starts (where every state behaves as the
      // root), walked in lockstep; the events of part 0, then 1, 2, 3, handled in text order as the
      // loop below handles its stops.
      const i32 = w.i32;
      const ctrl = w.ctrl >> 2;
      const valueShift = w.valueShift;
      const blockBytes = w.blockBytes;
      const firstOff = firstSpecial << valueShift;
      const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
      const inPlace = buf.buffer === w.u8.buffer;
      const cut = [0, 0, 0, 0, 0];
      const evFrom = [0, 0, 0, 0];
      const evTo = [0, 0, 0, 0];
      const fin = [0, 0, 0, 0];
      let carry = 0;
      for (let b = start; b < end; ) {
        const be = Math.min(end, b + blockBytes);
        // Address of byte b in the walker's memory.
        const at0 = inPlace ? buf.byteOffset + b : w.input;
        if (!inPlace) w.u8.set(bytes.subarray(b, be), w.input);
        cut[0] = b;
        cut[4] = be;
        const quarter = (be - b) >> 2;
        for (let k = 1; k < 4; k++) {
          // Only a line break inside this block and after the previous cut (lastIndexOf counts a
          // negative offset from the buffer's end: never pass one).
          const nominal = b + k * quarter;
          const nl = nominal > cut[k - 1]! ? bytes.lastIndexOf(NL, nominal - 1) : -1;
          cut[k] = nl >= cut[k - 1]! && nl < be ? nl + 1 : cut[k - 1]!;
        }
        let lock = Infinity;
        for (let k = 0; k < 4; k++) {
          lock = Math.min(lock, cut[k + 1]! - cut[k]!);
          evFrom[k] = w.events + (cut[k]! - b) * 8;
        }
        const p = (k: number) => at0 + (cut[k]! - b);
        w.walk4(p(0), p(1), p(2), p(3), lock, evFrom[0]!, evFrom[1]!, evFrom[2]!, evFrom[3]!, carry, firstOff, w.ctrl);
        for (let k = 0; k < 4; k++) {
          fin[k] = i32[ctrl + k]!;
          evTo[k] = i32[ctrl + 4 + k]!;
        }
        for (let k = 0; k < 4; k++) {
          if (cut[k]! + lock >= cut[k + 1]!) continue;
          w.walk1(p(k) + lock, p(k + 1), evTo[k]!, fin[k]!, firstOff, w.ctrl);
          fin[k] = i32[ctrl]!;
          evTo[k] = i32[ctrl + 4]!;
        }
        // The state at the block's end is that of its last non-empty part.
        for (let k = 3; k >= 0; k--) {
          if (cut[k + 1]! > cut[k]!) {
            carry = fin[k]!;
            break;
          }
        }
        const delta = b - at0;
        for (let k = 0; k < 4; k++) {
          for (let q = evFrom[k]! >> 2, qe = evTo[k]! >> 2; q < qe; q += 2) {
            const at = i32[q]! + delta;
            const st = i32[q + 1]! >> valueShift;
            if (st < n) hit(buf, at, st);
            else if (st === S_NL) {
              endLine(at);
              newlines++;
              lineStart = at + 1;
            } else dirty = true;
          }
        }
        b = be;
      }
      if (lineStart < end) endLine(end);
      return newlines;
    }
    // Locals, not closure slots, in the hot loop: it runs once per byte of the log.
    const tbl = getTable();
    const wtbl = wide ? getWideTable() : tbl;
    const cl = cls;
    const sh = shift;
    const first = firstSpecial;
    let i = start;
    while (i < end) {
      if (wide) {
        for (; i < end; i++) {
          s = wtbl[(s << 8) | buf[i]!]!;
          if (s >= first) break;
        }
      } else {
        for (; i < end; i++) {
          s = tbl[(s << sh) | cl[buf[i]!]!]!;
          if (s >= first) break;
        }
      }
      if (i >= end) break;
      if (s < n) hit(buf, i, s);
      else if (s === S_NL) {
        endLine(i);
        newlines++;
        lineStart = i + 1;
      } else dirty = true;
      i++;
    }
    if (lineStart < end) endLine(end);
    return newlines;
  };

  // A global or sticky pattern keeps state in lastIndex: testing it here would change it (flags read
  // once: RegExp.prototype.global is a getter, and this runs for every candidate pattern of a line).
  const stateful = res.map((re) => re.global || re.sticky);
  /**
   * A pattern's source with its named groups made plain (`(?<value>` -> `(?:`), for an alternation of
   * patterns (duplicate names would not compile); null where that could change what it matches: a
   * backreference (`\1`, `\k<name>`: the groups renumber), the `u` or `v` flag (other escape rules).
   */
  const unionPart = (re: RegExp): string | null => {
    if (/[uv]/.test(re.flags)) return null;
    const src = re.source;
    let out = "";
    let from = 0;
    for (let i = 0; i < src.length; i++) {
      const c = src[i];
      if (c === "\\") {
        const d = src[i + 1] ?? "";
        if ((d >= "1" && d <= "9") || d === "k") return null;
        i++;
      } else if (c === "[") {
        for (i++; i < src.length && src[i] !== "]"; i++) if (src[i] === "\\") i++;
      } else if (c === "(" && src[i + 1] === "?" && src[i + 2] === "<" && src[i + 3] !== "=" && src[i + 3] !== "!") {
        const close = src.indexOf(">", i);
        if (close < 0) return null;
        out += src.slice(from, i) + "(?:";
        from = close + 1;
        i = close;
      }
    }
    return out + src.slice(from);
  };
  const parts = res.map((re, k) => (stateful[k] ? null : unionPart(re)));
  /**
   * The tests standing for candidate patterns: one alternation per flags of those that allow it (see
   * unionPart), the others as they are. A line matches one of them exactly when it matches one of the
   * patterns (an alternation matches where one of its branches does), and V8 runs one alternation of
   * a dozen patterns for ~2/3 of what the dozen calls cost (measured on the bench log's Megatron lines,
   * candidates of 12 patterns each, none matching: ~0.5 us a line less). A new alternation costs ~3 ms
   * though (V8 compiles its bytecode at its first test and its machine code at the second): hence only
   * for a candidate list seen `alternateAfter` times (default 4096; some 6,000 lines pay for it).
   */
  const testsFor = (ks: readonly number[], combine: boolean): RegExp[] => {
    const byFlags = new Map<string, number[]>();
    const tests: RegExp[] = [];
    for (const k of ks) {
      if (!combine || parts[k] === null) tests.push(res[k]!);
      else byFlags.set(res[k]!.flags, [...(byFlags.get(res[k]!.flags) ?? []), k]);
    }
    for (const [flags, group] of byFlags) tests.push(group.length === 1 ? res[group[0]!]! : new RegExp(group.map((k) => `(?:${parts[k]})`).join("|"), flags));
    return tests;
  };
  /**
   * Whether a pattern cannot tell ASCII digits apart: every literal, escape and class in it accepts all
   * of 0-9 or none of them (`\d`, `\w`, `\S`, `.`, `[^x]`, `[a-z0-9]`: yes; `7`, `[1-9]`, `\x31`: no),
   * with no backreference or octal escape, no `u`/`v` flag and no syntax not known here (then: no).
   * Such a pattern answers the same on a line and on the line with any of its digits changed: its
   * matching only asks whether a character is in a set, and `\b` sees every digit as a word character.
   */
  const digitBlind = (source: string, flags: string): boolean => {
    if (/[uv]/.test(flags)) return false;
    const ALL = 0x3ff;
    const digitsOf = (code: number): number => (code >= 48 && code <= 57 ? 1 << (code - 48) : 0);
    // An escape at i: its length, its character's code (-1: a class escape or an assertion) and the
    // digits it accepts; null where unknown here or digit-sensitive (backreference, octal).
    const escape = (i: number, inClass: boolean): { len: number; code: number; set: number } | null => {
      const d = source[i + 1];
      if (d === undefined) return null;
      if (d === "d" || d === "w" || d === "S") return { len: 2, code: -1, set: ALL };
      if (d === "D" || d === "W" || d === "s") return { len: 2, code: -1, set: 0 };
      if (d === "b" || d === "B") return { len: 2, code: inClass ? (d === "b" ? 8 : 66) : -1, set: 0 };
      if (d === "0") return /[0-9]/.test(source[i + 2] ?? "") ? null : { len: 2, code: 0, set: 0 };
      if (d >= "1" && d <= "9") return null;
      if (d === "x" || d === "u") {
        const hex = source.slice(i + 2, i + (d === "x" ? 4 : 6));
        if (!/^(?:[0-9A-Fa-f]{2}|[0-9A-Fa-f]{4})$/.test(hex) || hex.length !== (d === "x" ? 2 : 4)) return null;
        const code = parseInt(hex, 16);
        return { len: 2 + hex.length, code, set: digitsOf(code) };
      }
      if (d === "c") return /[A-Za-z]/.test(source[i + 2] ?? "") ? { len: 3, code: source.charCodeAt(i + 2) % 32, set: 0 } : null;
      if (d === "k" || d === "p" || d === "P") return null;
      const ctl = "nrtvf".indexOf(d);
      if (ctl >= 0) return { len: 2, code: [10, 13, 9, 11, 12][ctl]!, set: 0 };
      return { len: 2, code: d.charCodeAt(0), set: digitsOf(d.charCodeAt(0)) }; // identity escape
    };
    for (let i = 0; i < source.length; ) {
      const c = source[i]!;
      if (c === "\\") {
        const e = escape(i, false);
        if (!e || (e.set !== 0 && e.set !== ALL)) return false;
        i += e.len;
      } else if (c === "[") {
        let j = source[i + 1] === "^" ? i + 2 : i + 1;
        let set = 0;
        const member = (k: number): { len: number; code: number; set: number } | null =>
          source[k] === "\\" ? escape(k, true) : { len: 1, code: source.charCodeAt(k), set: digitsOf(source.charCodeAt(k)) };
        // "]" closes a class even first ("[]" matches nothing, "[^]" anything).
        while (source[j] !== "]") {
          if (j >= source.length) return false;
          const a = member(j);
          if (!a) return false;
          j += a.len;
          // A range between two characters; next to a class escape "-" is itself (Annex B).
          if (source[j] === "-" && j + 1 < source.length && source[j + 1] !== "]" && a.code >= 0) {
            const b = member(j + 1);
            if (!b) return false;
            if (b.code >= 0) {
              for (let k = Math.max(a.code, 48); k <= Math.min(b.code, 57); k++) set |= 1 << (k - 48);
              j += 1 + b.len;
              continue;
            }
          }
          set |= a.set;
        }
        if (set !== 0 && set !== ALL) return false;
        i = j + 1;
      } else if (c === "(") {
        if (source[i + 1] !== "?") i++;
        else if (source[i + 2] === ":" || source[i + 2] === "=" || source[i + 2] === "!") i += 3;
        else if (source[i + 2] === "<" && (source[i + 3] === "=" || source[i + 3] === "!")) i += 4;
        else if (source[i + 2] === "<") {
          // A group's name (it may hold digits: not characters matched).
          const close = source.indexOf(">", i);
          if (close < 0 || !/^[A-Za-z_$][\w$]*$/.test(source.slice(i + 3, close))) return false;
          i = close + 1;
        } else return false;
      } else if (c === "{") {
        // A braced quantifier's digits are no characters; a "{" that starts none is itself (Annex B),
        // and what follows it is read as characters.
        const m = /^\{\d+(?:,\d*)?\}/.exec(source.slice(i, i + 24));
        i += m ? m[0].length : 1;
      } else if (c >= "0" && c <= "9") return false;
      else i++;
    }
    return true;
  };
  /**
   * Per candidate list seen (a log repeats a few: its line kinds): its tests, and those of its anchored
   * patterns, pattern by pattern until the list has been seen `alternateAfter` times, then as alternations.
   */
  type Tests = { cand: readonly number[]; all: RegExp[]; body: RegExp[] | null; stateful: boolean; seen: number; memo: Memo | null };
  /**
   * A list's negative answers remembered by the line's shape (its ASCII digits made "0", length kept):
   * the list's digit-blind patterns give the same answer on every line of one shape (digitBlind; the
   * capture prefix, which cuts the text its anchored patterns retry, is digit-blind too), so once they
   * matched none of a line, a line of the same shape needs only the others' tests. The bench log's
   * 235,002 Megatron iteration lines are candidates of the same 12 patterns, 10 of them digit-blind,
   * in 4 shapes (docs/benchmarks.md, 2026-12-07 19:35). Made with the list's alternations: the shapes
   * of its next SHAPE_SAMPLE lines that no blind pattern matches are counted, and those seen twice
   * (at most MAX_SHAPES, covering half the sample) become one regex `^(?:shape|...)$` (a digit as
   * `\d`, the rest as itself), testing which costs a Megatron line ~1/3 of the blind patterns' tests
   * (a JavaScript loop masking or comparing its characters costs more than the tests). Never a
   * positive answer: a line the shapes do not hold runs the blind tests. Sampled again where later
   * lines miss the shapes more often than not; dropped (the list's alternations as before) where a
   * sample's shapes are too many, or after MAX_RESAMPLES samples.
   */
  type Memo = { rest: RegExp[]; restBody: RegExp[] | null; blind: RegExp[]; blindBody: RegExp[] | null; shapes: Map<string, number> | null; sampled: number; kept: string[]; shapeRe: RegExp | null; asked: number; hits: number; resamples: number };
  const SHAPE_SAMPLE = 256;
  const MAX_SHAPES = 8;
  const MAX_SHAPE_CHARS = 2048;
  const MAX_RESAMPLES = 16;
  const blindPattern: (boolean | undefined)[] = [];
  let prefixBlind: boolean | undefined;
  const testsByHash = new Map<number, Tests[]>();
  let testsKept = 0;
  const MAX_TESTS_KEPT = 1024;
  const memoOf = (cand: readonly number[]): Memo | null => {
    const isBlind = (k: number): boolean => (blindPattern[k] ??= digitBlind(res[k]!.source, res[k]!.flags));
    const blind = cand.filter(isBlind);
    if (blind.length === 0) return null;
    const rest = cand.filter((k) => !isBlind(k));
    const blindAnchored = blind.filter((k) => bodyOnly[k] === 1);
    if (blindAnchored.length > 0 && !(prefixBlind ??= digitBlind(capturePrefix.source, capturePrefix.flags))) return null;
    const restAnchored = rest.filter((k) => bodyOnly[k] === 1);
    return {
      rest: testsFor(rest, true),
      restBody: restAnchored.length ? testsFor(restAnchored, true) : null,
      blind: testsFor(blind, true),
      blindBody: blindAnchored.length ? testsFor(blindAnchored, true) : null,
      shapes: new Map(),
      sampled: 0,
      kept: [],
      shapeRe: null,
      asked: 0,
      hits: 0,
      resamples: 0,
    };
  };
  const alternate = (t: Tests): void => {
    t.all = testsFor(t.cand, true);
    if (t.body) t.body = testsFor(t.cand.filter((k) => bodyOnly[k] === 1), true);
    if (!t.stateful) t.memo = memoOf(t.cand);
  };
  const testsOf = (cand: readonly number[]): Tests => {
    let h = cand.length;
    for (let c = 0; c < cand.length; c++) h = (Math.imul(h, 31) + cand[c]!) | 0;
    const list = testsByHash.get(h);
    if (list) {
      for (const t of list) {
        if (t.cand.length !== cand.length) continue;
        let same = true;
        for (let c = 0; c < cand.length && same; c++) same = t.cand[c] === cand[c];
        if (same) {
          if (++t.seen === alternateAfter) alternate(t);
          return t;
        }
      }
    }
    const anchored = cand.filter((k) => bodyOnly[k] === 1);
    const t: Tests = { cand: [...cand], all: testsFor(cand, false), body: anchored.length ? testsFor(anchored, false) : null, stateful: cand.some((k) => stateful[k]), seen: 1, memo: null };
    if (alternateAfter <= 1) alternate(t);
    // A log with ever new candidate lists: past MAX_TESTS_KEPT, a new one is tested pattern by pattern.
    if (testsKept < MAX_TESTS_KEPT) {
      testsKept++;
      if (list) list.push(t);
      else testsByHash.set(h, [t]);
    }
    return t;
  };
  /** Whether one of `all` matches the line (no "\r"), or one of `body` its text after a capture prefix. */
  const anyTest = (all: RegExp[], body: RegExp[] | null, line: string): boolean => {
    for (let c = 0; c < all.length; c++) if (all[c]!.test(line)) return true;
    if (!body) return false;
    const m = capturePrefix.exec(line);
    if (!m) return false;
    const text = line.slice(m[0].length);
    for (let c = 0; c < body.length; c++) if (body[c]!.test(text)) return true;
    return false;
  };
  /** mayMatch of a line without "\r" whose list has a memo (see Memo). */
  const memoMatch = (t: Tests, m: Memo, line: string): boolean => {
    if (anyTest(m.rest, m.restBody, line)) return true;
    if (m.shapeRe !== null && line.length <= MAX_SHAPE_CHARS) {
      if (m.shapeRe.test(line)) {
        m.hits++;
        m.asked++;
        return false;
      }
      // Later lines of new shapes (a count grew a digit): their shapes sampled again, kept beside the
      // others, MAX_RESAMPLES times; then, where misses outnumber hits, no memo.
      if (++m.asked >= 1024) {
        if (m.hits * 2 < m.asked && m.shapes === null) {
          if (m.resamples++ < MAX_RESAMPLES) [m.shapes, m.sampled] = [new Map(), 0];
          else t.memo = null;
        }
        m.asked = m.hits = 0;
      }
    }
    if (anyTest(m.blind, m.blindBody, line)) return true;
    if (m.shapes !== null && line.length <= MAX_SHAPE_CHARS) {
      const shape = line.replace(/[0-9]/g, "0");
      m.shapes.set(shape, (m.shapes.get(shape) ?? 0) + 1);
      if (++m.sampled === SHAPE_SAMPLE) {
        const sampled = [...m.shapes].filter(([, n]) => n >= 2).sort((a, b) => b[1] - a[1]);
        m.shapes = null;
        if (sampled.reduce((sum, [, n]) => sum + n, 0) * 2 < SHAPE_SAMPLE) t.memo = null;
        else {
          // The newest shapes first (they are the log's current lines), then those kept before.
          m.kept = [...new Set([...sampled.map(([shape]) => shape), ...m.kept])].slice(0, MAX_SHAPES);
          m.shapeRe = new RegExp(`^(?:${m.kept.map((shape) => shape.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&").replace(/0/g, "\\d")).join("|")})$`);
        }
      }
    }
    return false;
  };
  const mayMatch = (line: string, cand: readonly number[]): boolean => {
    if (cand.length === 0) return false;
    const t = testsOf(cand);
    if (t.stateful) return true;
    if (line.indexOf("\r") === -1) {
      if (t.memo !== null) return memoMatch(t, t.memo, line);
      for (let c = 0; c < t.all.length; c++) if (t.all[c]!.test(line)) return true;
      // The line is classified without its capture prefix too (`[rank3]: `): an anchored pattern
      // (`^\s*Killed`) may match only there. The prefix's characters only add factors, so the
      // candidates found in the whole line are those of its text and maybe more.
      if (!t.body) return false;
      const m = capturePrefix.exec(line);
      if (!m) return false;
      const body = line.slice(m[0].length);
      for (let c = 0; c < t.body.length; c++) if (t.body[c]!.test(body)) return true;
      return false;
    }
    const segments = line.split("\r");
    for (let c = 0; c < t.all.length; c++) {
      const re = t.all[c]!;
      for (let g = 0; g < segments.length; g++) if (re.test(segments[g]!)) return true;
    }
    const m = t.body ? capturePrefix.exec(segments[0]!) : null;
    if (!m) return false;
    const body = segments[0]!.slice(m[0].length);
    for (let c = 0; c < t.body!.length; c++) if (t.body![c]!.test(body)) return true;
    return false;
  };

  return { scan, mayMatch, inputBuffer, lendInput, release, digitBlind };
}
