/**
 * Crash rules: one JSON rules file (agent/crash/rules.json, format documented in its "_doc" and in
 * agent/crash/README.md) loaded, validated with zod and compiled once. Extra rules from settings
 * crash.rulesFile use the same format and are tried before the built-in ones.
 *
 * Speed: scanning every line with every pattern is far slower than grep. Each pattern therefore
 * yields one required literal ("anchor") per top-level alternative, derived from the regex source
 * (cut to MAX_ANCHOR_CHARS); one search for the anchors in a line picks the rules worth trying on it
 * (AnchorSearch). A rule with a pattern without a usable anchor still works: it is tried on every
 * line, and listed in `CompiledRules.unanchored`.
 */
import { createHash } from "node:crypto";
import { promises as fsp } from "node:fs";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { z } from "zod";
import { configError, describeError } from "../lib/errors.js";
import { issuePath } from "../lib/files.js";
// fs.promises, or synchronous reads in a one-shot `crash scan` (no libuv thread pool).
import { files as fsFiles } from "../lib/fs-mode.js";
import { capturePrefixLength, ESCAPE_SEQUENCES } from "./capture-prefix.js";
import { deriveFactors } from "./prefilter.js";
import { CRASH_CATEGORIES, type CrashCategory, type CrashRole, type CrashSeverity } from "./types.js";

/** The shipped rules file. */
export const BUILTIN_RULES_FILE = fileURLToPath(new URL("./rules.json", import.meta.url));

/**
 * The shipped rules as deploy/build.mjs validated them (JSON of PrecompiledRules), in the bundle only:
 * a command then neither validates them with zod nor derives their anchors at every start.
 */
declare const TRAINSAFE_BUILTIN_RULES: string | undefined;
/** The precompiled rules' bodies (PrecompiledRules.bodies), one a line, beside TRAINSAFE_BUILTIN_RULES in the bundle. */
declare const TRAINSAFE_BUILTIN_RULE_BODIES: string;

/**
 * What the primary choice and the failure summary (agent/crash/failure.ts) need to know about a rule
 * beyond its category, role and priority:
 * - `peer_wait`: a surviving rank waiting for, or losing, a peer (store/socket/collective timeouts,
 *   closed connections): a process death or an exception just before it is what it waited for;
 * - `consequence`: a launcher stopping the remaining workers, or dying with them: never the death
 *   that explains other findings;
 * - `launcher_cleanup`: the launcher's notice that it kills the other workers, which says nothing
 *   about why the first one ended (a plain exit code it reports does);
 * - `explains_failure`: a warning (severity `warning`) naming a resource that ran out; a failure
 *   that follows it within 100 lines is reported as this finding, made fatal;
 * - `self_abort`: the process aborting itself (`Fatal Python error: Aborted`) after it printed why: a
 *   fatal finding of another rule just above it is the cause, whatever its role;
 * - `recovers_above`: a warning (severity `warning`) saying the run caught the error printed just
 *   above it and went on (fairseq's `ran out of memory ..., skipping batch` after THC's OOM line): the
 *   fatal findings of its category in the RECOVERED_ABOVE_LINES lines above it become warnings;
 * - `retries_below`: a warning (severity `warning`) saying the run caught an error and retries with less (a batch-size
 *   search halving the batch after an OOM): the fatal findings of its category in the RETRIED_BELOW_LINES lines below
 *   it (the caught error's message or printed traceback) become warnings when training progress follows them;
 * - `fatal_until_progress`: a notice printed as the run starts that ends it only when it never got
 *   going (torch's warning that the installed build has no kernels for a GPU, which a box with a second,
 *   older card prints for the card the run does not use): training progress after it makes it history.
 */
export const RULE_TRAITS = ["peer_wait", "consequence", "launcher_cleanup", "explains_failure", "self_abort", "recovers_above", "retries_below", "fatal_until_progress"] as const;
export type RuleTrait = (typeof RULE_TRAITS)[number];
/** For each trait, the ids of the rules that have it. */
export type RuleTraits = Readonly<Record<RuleTrait, ReadonlySet<string>>>;

const MAX_RULES_FILE_BYTES = 4 * 1024 * 1024;
const MIN_ANCHOR_CHARS = 3;
const DEFAULT_INCIDENT_GAP_LINES = 500;

// Built on first use: the shipped form validates the shipped rules at build time, and a command
// without an extra rules file then never needs them.
const ruleSchemaOf = () => z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/, "must be lower_snake_case"),
  category: z.enum(CRASH_CATEGORIES as [CrashCategory, ...CrashCategory[]]),
  severity: z.enum(["fatal", "error", "warning"]),
  role: z.enum(["cause", "symptom"]),
  priority: z.number().int().min(-100).max(100).default(0),
  ignoreCase: z.boolean().default(false),
  patterns: z.array(z.string().min(1)).min(1),
  exclude: z.array(z.string().min(1)).default([]),
  suggestion: z.string().min(10),
  description: z.string().optional(),
  traits: z.array(z.enum(RULE_TRAITS)).optional(),
});
let ruleSchemaBuilt: ReturnType<typeof ruleSchemaOf> | undefined;

const rulesFileSchemaOf = () => z.strictObject({
  _doc: z.union([z.string(), z.array(z.string())]).optional(),
  version: z.literal(1),
  incidentGapLines: z.number().int().positive().optional(),
  exclude: z.array(z.string().min(1)).default([]),
  rules: z.array(z.unknown()),
});
let rulesFileSchemaBuilt: ReturnType<typeof rulesFileSchemaOf> | undefined;

export type RuleSpec = z.output<ReturnType<typeof ruleSchemaOf>>;

export interface CompiledRule {
  readonly id: string;
  readonly category: CrashCategory;
  readonly severity: CrashSeverity;
  readonly role: CrashRole;
  readonly priority: number;
  readonly patterns: readonly RegExp[];
  readonly exclude: readonly RegExp[];
  readonly suggestion: string;
  /** Lower-cased anchors of all patterns (a line must contain one of them to match). Null: unanchored. */
  readonly anchors: readonly string[] | null;
  /** See RULE_TRAITS. */
  readonly traits: readonly RuleTrait[];
  /** File the rule came from. */
  readonly source: string;
}

export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  /** Global exclusions: a line matching one of these is never a finding. */
  readonly exclude: readonly RegExp[];
  /** Rules with a pattern without an anchor: tried on every line. */
  readonly unanchored: readonly CompiledRule[];
  readonly incidentGapLines: number;
  readonly files: readonly string[];
  /** How classifyLine picks the rules worth trying on a line (see AnchorSearch). */
  readonly anchorSearch: AnchorSearch | null;
  /** The rule ids of each trait (see RULE_TRAITS). */
  readonly traits: RuleTraits;
}

/**
 * The rules a line can match, found with one regex search instead of a loop over every rule's
 * anchors (most lines of a log hold no anchor at all). `re` finds the minimal anchors (none contains
 * another) in a lower-cased line; `rulesOf` maps each to the rules with an anchor containing it, so
 * a rule none of whose anchors' minimal anchors is in the line cannot match it.
 */
export interface AnchorSearch {
  readonly re: RegExp;
  readonly rulesOf: ReadonlyMap<string, readonly number[]>;
  /** Indices of the rules without anchors (tried on every line). */
  readonly always: readonly number[];
}

export interface LineMatch {
  rule: CompiledRule;
  match: RegExpExecArray;
  /** The line (or \r-separated segment) that matched, cleaned of ANSI codes and NULs. */
  text: string;
  /**
   * Where in `text` the text matched begins: the length of the line's capture prefix (agent/crash/
   * capture-prefix.ts) when the rule matched the line without it; absent when it matched `text`.
   */
  bodyStart?: number;
}

let builtinPromise: Promise<RawRules> | undefined;

interface RawRules {
  /** The rules as read (empty for the shipped rules of the bundle: `shipped` holds them). */
  rules: RuleSpec[];
  exclude: string[];
  incidentGapLines?: number;
  file: string;
  /** The set's minimal anchors and, for each, the rules it picks (precompiled rules only). */
  search?: PrecompiledSearch;
  /** The precompiled rules, each parsed when it is first tried (see PrecompiledRules). */
  shipped?: { readonly heads: readonly ShippedHead[]; readonly bodies: readonly string[] };
}

/**
 * What a load needs of a precompiled rule at once: id, category, severity, role, priority, traits, and
 * whether every pattern has an anchor. The rest (ShippedBody) is parsed when the rule is first tried.
 */
type ShippedHead = readonly [id: string, category: CrashCategory, severity: CrashSeverity, role: CrashRole, priority: number, traits: readonly RuleTrait[], anchored: boolean];

/** A precompiled rule's spec, anchors (as compileRule derives them) and its patterns' factors (deriveFactors). */
interface ShippedBody {
  readonly spec: RuleSpec;
  readonly anchors: readonly string[] | null;
  readonly factors: PatternFactors;
}

/**
 * The part of a precompiled rule a text is first looked at for (CandidateText.linesOf): whether its patterns are
 * case-insensitive (their factors lower-cased) and their factors. In PrecompiledRules.bodies before the rest of the
 * body, parsed apart: of a tail scan's 4 KB log, the anchors name 76 rules, of which 67 hold a factor none of whose
 * strings is in the text; their spec (patterns, suggestion: ~3/4 of a body) is then never parsed.
 */
type ShippedFactors = readonly [ignoreCase: boolean, factors: PatternFactors];

/** Per pattern of a rule: its factors (each a set of strings, one of which every match contains). */
type PatternFactors = readonly (readonly (readonly string[])[])[];

/** An AnchorSearch as data: the minimal anchors in order, and for each the indices of its rules. */
interface PrecompiledSearch {
  readonly minimal: readonly string[];
  readonly rulesOf: readonly (readonly number[])[];
  /** The search's regex source (the minimal anchors escaped, as alternatives): ~430 replace calls fewer at load. */
  readonly source: string;
}

/**
 * The shipped rules validated at build time, and the SHA-1 of the rules file they were read from, with
 * its size and CRC-32 (when the building node has zlib.crc32) for a check that needs no crypto.
 */
export interface PrecompiledRules {
  readonly sha1: string;
  readonly bytes?: number;
  readonly crc32?: number;
  readonly exclude: string[];
  readonly incidentGapLines?: number;
  readonly search: PrecompiledSearch;
  /**
   * Per rule, its ShippedHead, and its ShippedBody as JSON text (ASCII): a tail scan tries a handful of
   * the rules, and parsing and building all of them was ~3 ms of every fresh process that loads them
   * (docs/benchmarks.md, start-up, 2026-12-06 15:45). A body is the JSON of its ShippedFactors, a tab (JSON
   * text holds none) and the JSON of its spec and anchors, each parsed when first needed.
   */
  readonly heads: readonly ShippedHead[];
  readonly bodies: readonly string[];
}

/**
 * Loads, validates and compiles the built-in rules plus, when given, an extra rules file whose rules
 * are tried first. Throws a TrainsafeError (config) naming the file, rule id and field on any error.
 */
export async function loadRules(extraRulesFile?: string): Promise<CompiledRules> {
  builtinPromise ??= readBuiltinRules();
  let builtin: RawRules;
  try {
    builtin = await builtinPromise;
  } catch (err) {
    builtinPromise = undefined;
    throw err;
  }
  const sets = [builtin];
  if (extraRulesFile) sets.unshift(await readRulesFile(extraRulesFile));
  return compileRuleSets(sets);
}

/** Compiles rules given as data (tests, tools); `file` names them in errors. */
export function compileRulesData(raw: unknown, file = "<rules>"): CompiledRules {
  return compileRuleSets([parseRulesData(raw, file)]);
}

/**
 * Reads, validates and compiles a rules file as loadRules would (throwing its errors), for
 * deploy/build.mjs to ship it pre-validated as TRAINSAFE_BUILTIN_RULES; `shippedAs`: its copy beside
 * the bundle, whose SHA-1 is recorded.
 */
export async function precompileRules(file: string, shippedAs = file): Promise<PrecompiledRules> {
  const raw = await readRulesFile(file);
  const compiled = compileRuleSets([raw]);
  const shipped = await fsp.readFile(shippedAs);
  const sha1 = createHash("sha1").update(shipped).digest("hex");
  const rulesOf = compiled.anchorSearch?.rulesOf ?? new Map<string, readonly number[]>();
  const minimal = [...rulesOf.keys()];
  const search: PrecompiledSearch = { minimal, rulesOf: [...rulesOf.values()], source: anchorSource(minimal) };
  const heads = raw.rules.map((spec, i): ShippedHead => [spec.id, spec.category, spec.severity, spec.role, spec.priority, spec.traits ?? [], compiled.rules[i]!.anchors !== null]);
  const bodies = raw.rules.map((spec, i) => {
    const factors: ShippedFactors = [spec.ignoreCase, spec.patterns.map((src) => deriveFactors(src, spec.ignoreCase ? "i" : ""))];
    const rest: Omit<ShippedBody, "factors"> = { spec, anchors: compiled.rules[i]!.anchors };
    // ASCII (\uXXXX escapes): V8 keeps a string with one non-ASCII character at two bytes a character.
    return `${JSON.stringify(factors)}\t${JSON.stringify(rest)}`.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  });
  const sum = zlib.crc32 ? { bytes: shipped.length, crc32: zlib.crc32(shipped) } : {};
  const out: PrecompiledRules = { sha1, ...sum, exclude: raw.exclude, search, heads, bodies };
  if (raw.incidentGapLines !== undefined) return { ...out, incidentGapLines: raw.incidentGapLines };
  return out;
}

/** The shipped rules: pre-validated from the bundle while the file is the one built from, else read. */
async function readBuiltinRules(): Promise<RawRules> {
  if (typeof TRAINSAFE_BUILTIN_RULES === "string") {
    const table = JSON.parse(TRAINSAFE_BUILTIN_RULES) as Omit<PrecompiledRules, "bodies">;
    // An edited rules.json beside the bundle is read and validated as any rules file. Its content is
    // compared, not its mtime: a copy of the program folder keeps its pre-validated rules.
    const bytes = await fsFiles.readFile(BUILTIN_RULES_FILE).catch(() => undefined);
    // The bodies are slices of their string, not copies.
    if (bytes && sameRulesFile(bytes, table)) return shippedRules({ ...table, bodies: TRAINSAFE_BUILTIN_RULE_BODIES.split("\n") }, BUILTIN_RULES_FILE);
  }
  return readRulesFile(BUILTIN_RULES_FILE);
}

function shippedRules(pre: PrecompiledRules, file: string): RawRules {
  const out: RawRules = { rules: [], exclude: pre.exclude, file, search: pre.search, shipped: { heads: pre.heads, bodies: pre.bodies } };
  if (pre.incidentGapLines !== undefined) out.incidentGapLines = pre.incidentGapLines;
  return out;
}

/**
 * Compiles precompiled rules (precompileRules' result) as the bundle loads them (tests; the bundle's
 * own rules come from TRAINSAFE_BUILTIN_RULES), with an extra set tried first when given.
 */
export function compilePrecompiledRules(pre: PrecompiledRules, file: string, extra?: unknown, extraFile = "<rules>"): CompiledRules {
  const sets = [shippedRules(pre, file)];
  if (extra !== undefined) sets.unshift(parseRulesData(extra, extraFile));
  return compileRuleSets(sets);
}

/**
 * Whether the rules file's bytes are those the precompiled rules were built from: size and CRC-32 where
 * both nodes have zlib.crc32 (an edit that keeps both is a 1 in 2^32 accident, and whoever can write
 * rules.json can write the bundle beside it), else SHA-1. crypto's module and first hash cost ~4-5 ms
 * of `crash scan`'s start, which then needs no crypto at all (docs/benchmarks.md, start-up, 2026-12-06 02:40).
 */
function sameRulesFile(bytes: Buffer, pre: Pick<PrecompiledRules, "sha1" | "bytes" | "crc32">): boolean {
  if (pre.crc32 !== undefined && zlib.crc32) return bytes.length === pre.bytes && zlib.crc32(bytes) === pre.crc32;
  return createHash("sha1").update(bytes).digest("hex") === pre.sha1;
}

async function readRulesFile(file: string): Promise<RawRules> {
  let text: string;
  try {
    const st = await fsFiles.stat(file);
    if (!st.isFile()) throw configError(file, "is not a regular file");
    if (st.size > MAX_RULES_FILE_BYTES) throw configError(file, `${st.size} bytes is too large for a rules file`);
    text = await fsFiles.readFile(file, "utf8");
  } catch (err) {
    if (err instanceof Error && err.name === "TrainsafeError") throw err;
    throw configError(file, `cannot read rules file (${describeError(err)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw configError(file, `invalid JSON (${describeError(err)})`);
  }
  return parseRulesData(raw, file);
}

function parseRulesData(raw: unknown, file: string): RawRules {
  const top = (rulesFileSchemaBuilt ??= rulesFileSchemaOf()).safeParse(raw);
  if (!top.success) {
    const issue = top.error.issues[0]!;
    throw configError(file, issue.message, issuePath(issue.path));
  }
  const rules: RuleSpec[] = [];
  const ruleSchema = (ruleSchemaBuilt ??= ruleSchemaOf());
  top.data.rules.forEach((item, i) => {
    const parsed = ruleSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
      const field = issuePath([...issue.path, ...keys.slice(0, 1)]);
      throw configError(file, issue.message, `${ruleLabel(item, i)}.${field}`);
    }
    checkTraits(parsed.data, file, `${ruleLabel(item, i)}.traits`);
    rules.push(parsed.data);
  });
  const out: RawRules = { rules, exclude: top.data.exclude, file };
  if (top.data.incidentGapLines !== undefined) out.incidentGapLines = top.data.incidentGapLines;
  return out;
}

/** Traits that only make sense for some rules: the failure summary would misread the others. */
function checkTraits(spec: RuleSpec, file: string, field: string): void {
  const traits = spec.traits ?? [];
  for (const trait of ["explains_failure", "recovers_above", "retries_below"] as const) {
    if (traits.includes(trait) && spec.severity !== "warning") {
      throw configError(file, `trait "${trait}" is for warnings (severity "warning"), not severity "${spec.severity}"`, field);
    }
  }
  if (traits.includes("fatal_until_progress") && spec.severity === "warning") {
    throw configError(file, `trait "fatal_until_progress" is for findings that end a run (severity "fatal" or "error"), not a warning`, field);
  }
  if (traits.includes("peer_wait") && spec.category !== "timeout" && spec.category !== "nccl_error") {
    throw configError(file, `trait "peer_wait" is for timeouts and lost connections (category "timeout" or "nccl_error"), not "${spec.category}"`, field);
  }
}

function ruleLabel(item: unknown, index: number): string {
  const id = item && typeof item === "object" && typeof (item as { id?: unknown }).id === "string" ? (item as { id: string }).id : undefined;
  return id ? `rules[${index}] (id ${id})` : `rules[${index}]`;
}

function compileRuleSets(sets: RawRules[]): CompiledRules {
  const seen = new Map<string, string>();
  const rules: CompiledRule[] = [];
  const exclude: RegExp[] = [];
  let gap: number | undefined;
  for (const set of sets) {
    set.exclude.forEach((src, i) => exclude.push(compilePattern(src, "", set.file, `exclude[${i}]`)));
    gap ??= set.incidentGapLines;
    if (set.shipped) {
      // Checked at build time (ids unique within the set); only another set can repeat an id.
      const table = new ShippedTable(set.shipped.bodies);
      set.shipped.heads.forEach((head, i) => {
        if (sets.length > 1) {
          const prev = seen.get(head[0]);
          if (prev) throw configError(set.file, `duplicate rule id "${head[0]}" (also in ${prev})`, `rules[${i}] (id ${head[0]}).id`);
          seen.set(head[0], set.file);
        }
        rules.push(Object.freeze(new ShippedRule(head, set.file, table, i)));
      });
      continue;
    }
    set.rules.forEach((spec, i) => {
      const label = `rules[${i}] (id ${spec.id})`;
      const prev = seen.get(spec.id);
      if (prev) throw configError(set.file, `duplicate rule id "${spec.id}" (also in ${prev})`, `${label}.id`);
      seen.set(spec.id, set.file);
      rules.push(compileRule(spec, set.file, label));
    });
  }
  // Sets are ordered extra-first, so an extra file's incidentGapLines overrides the built-in one.
  // The shipped rules alone (no extra file): their search was derived at build time (~10 ms).
  const pre = sets.length === 1 ? sets[0]!.search : undefined;
  const minimal = pre?.minimal ?? minimalAnchors(anchorsOf(rules));
  let anchorSearch: AnchorSearch | null;
  try {
    anchorSearch = anchorSearchOf(rules, minimal, pre);
  } catch (err) {
    // V8 refuses an alternation past its size limit ("Regular expression too large").
    const file = sets.map((s) => s.file).join(", ");
    throw configError(file, `the rules' ${minimal.length} literal anchors do not fit one search (${(err as Error).message}); use fewer or shorter literal texts`, "rules");
  }
  return Object.freeze({
    anchorSearch,
    rules: Object.freeze(rules),
    exclude: Object.freeze(exclude),
    unanchored: Object.freeze(rules.filter((r) => !anchored(r))),
    incidentGapLines: gap ?? DEFAULT_INCIDENT_GAP_LINES,
    files: Object.freeze(sets.map((s) => s.file)),
    traits: traitsOf(rules),
  });
}

/** The rule ids of each trait. */
function traitsOf(rules: readonly CompiledRule[]): RuleTraits {
  const out = {} as Record<RuleTrait, ReadonlySet<string>>;
  for (const t of RULE_TRAITS) out[t] = new Set(rules.filter((r) => r.traits.includes(t)).map((r) => r.id));
  return Object.freeze(out);
}

/** Every anchor of the rules. */
function anchorsOf(rules: readonly CompiledRule[]): Set<string> {
  const anchors = new Set<string>();
  for (const rule of rules) rule.anchors?.forEach((a) => anchors.add(a));
  return anchors;
}

/** Whether every pattern of the rule has an anchor (rule.anchors is not null), without parsing a shipped rule. */
function anchored(rule: CompiledRule): boolean {
  return rule instanceof ShippedRule ? rule.anchored : rule.anchors !== null;
}

/** An anchor containing a shorter anchor adds nothing to the candidate search: the minimal set, shortest first. */
function minimalAnchors(anchors: Iterable<string>): string[] {
  const minimal: string[] = [];
  for (const a of [...anchors].sort((x, y) => x.length - y.length)) if (!minimal.some((m) => a.includes(m))) minimal.push(a);
  return minimal;
}

/**
 * The AnchorSearch of `rules` over `minimal`; `pre`: the rules each minimal anchor picks, derived at
 * build time (the shipped rules alone), else derived here.
 */
function anchorSearchOf(rules: readonly CompiledRule[], minimal: readonly string[], pre?: PrecompiledSearch): AnchorSearch | null {
  if (!minimal.length) return null;
  // Case-sensitive over the lower-cased line, as classifySegment compares anchors. Made when first used: a tail
  // scan of a small text finds its anchors with indexOf (forEachAnchor), and V8 parses the ~640 alternatives of
  // the shipped rules' search when the RegExp is made (~0.3 ms of a fresh process).
  let re: RegExp | undefined;
  const source = pre?.source;
  const search: AnchorSearch = {
    get re() {
      return (re ??= new RegExp(source ?? anchorSource(minimal), "g"));
    },
    rulesOf: new Map<string, number[]>(),
    always: [],
  };
  // The precompiled lists are used as they are (nothing changes them).
  const rulesOf = search.rulesOf as Map<string, number[]>;
  for (let i = 0; i < minimal.length; i++) rulesOf.set(minimal[i]!, pre ? (pre.rulesOf[i] as number[]) : []);
  const always = search.always as number[];
  rules.forEach((rule, i) => {
    if (!anchored(rule)) return always.push(i);
    if (pre) return;
    const seen = new Set<string>();
    for (const a of rule.anchors!) for (const m of minimalIn(search.re, a)) seen.add(m);
    for (const m of seen) rulesOf.get(m)!.push(i);
  });
  return search;
}

/**
 * Texts shorter than this (in characters) are searched for the minimal anchors with one `indexOf` per anchor instead of
 * the anchors' alternation (forEachAnchor): V8 compiles the alternation of ~640 anchors to machine code at its first run,
 * ~1.6-1.9 ms of a fresh process, and a tail scan of a small log (`check`'s logs, 2-4 KB) runs it once; the searches cost
 * ~0.15 ms a KB in a fresh process (~0.9 ms for a 4 KB log, ~4.4 ms for 29 KB, where the alternation costs ~2.2 ms in all).
 */
export const ANCHOR_INDEXOF_MAX_CHARS = 8 * 1024;

/**
 * Calls `each` for every minimal anchor of `search` in `hay` (lower-cased), in order of position: what `search.re` finds
 * tried at every position (minimalIn). Two minimal anchors never start at one position (the shorter would be in the
 * longer), so the occurrences of each anchor, sorted by position, are the same hits; a text shorter than
 * ANCHOR_INDEXOF_MAX_CHARS is searched that way, without running the alternation.
 */
export function forEachAnchor(search: AnchorSearch, hay: string, each: (pos: number, anchor: string) => void): void {
  if (hay.length >= ANCHOR_INDEXOF_MAX_CHARS) {
    const re = search.re;
    re.lastIndex = 0;
    for (let m = re.exec(hay); m; m = re.exec(hay)) {
      each(m.index, m[0]);
      re.lastIndex = m.index + 1;
    }
    return;
  }
  const pos: number[] = [];
  const anchors: string[] = [];
  for (const a of search.rulesOf.keys()) {
    for (let p = hay.indexOf(a); p !== -1; p = hay.indexOf(a, p + 1)) {
      pos.push(p);
      anchors.push(a);
    }
  }
  const order = Array.from({ length: pos.length }, (_, k) => k).sort((x, y) => pos[x]! - pos[y]!);
  for (let k = 0; k < order.length; k++) each(pos[order[k]!]!, anchors[order[k]!]!);
}

function anchorSource(minimal: readonly string[]): string {
  return minimal.map(escapeRegex).join("|");
}

/**
 * The minimal anchors in `lower`: tried at every position (lastIndex one past each match's start), and
 * two minimal anchors never start at one position (the shorter would be in the longer).
 */
function minimalIn(re: RegExp, lower: string): string[] {
  const found: string[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(lower); m; m = re.exec(lower)) {
    found.push(m[0]);
    re.lastIndex = m.index + 1;
  }
  return found;
}

/** Anchors longer than this are cut to this many characters (any prefix of a required text is required). */
const MAX_ANCHOR_CHARS = 40;

function compileRule(spec: RuleSpec, file: string, label: string): CompiledRule {
  const flags = spec.ignoreCase ? "i" : "";
  const patterns = spec.patterns.map((src, i) => compilePattern(src, flags, file, `${label}.patterns[${i}]`));
  const exclude = spec.exclude.map((src, i) => compilePattern(src, flags, file, `${label}.exclude[${i}]`));
  for (const name of placeholders(spec.suggestion)) {
    spec.patterns.forEach((src, i) => {
      if (!namedGroups(src).includes(name)) {
        throw configError(file, `suggestion uses {${name}} but the pattern has no group (?<${name}>...)`, `${label}.patterns[${i}]`);
      }
    });
  }
  let anchors: string[] | null = [];
  for (const src of spec.patterns) {
    const lits = requiredLiterals(src);
    if (!lits) {
      anchors = null;
      break;
    }
    // A prefix of a required literal is required too; a long one would only make the search larger.
    anchors.push(...lits.map((l) => l.toLowerCase().slice(0, MAX_ANCHOR_CHARS)));
  }
  return freezeRule(spec, file, patterns, exclude, anchors ? [...new Set(anchors)] : null);
}

/**
 * What classifyCandidate keeps per rule beside the CompiledRule's public shape: each pattern's regex
 * (compiled on first use for precompiled rules) and factors (derived on first use unless the build
 * shipped them).
 */
interface RuleInternals {
  readonly sources: readonly string[];
  readonly excludeSources: readonly string[];
  readonly flags: string;
  readonly regexes: (RegExp | undefined)[];
  readonly factors: (PatternFactors[number] | undefined)[];
  /** All patterns compiled (read through CompiledRule.patterns, or compiled eagerly). */
  patterns?: readonly RegExp[];
  exclude?: readonly RegExp[];
}

const internals = new WeakMap<CompiledRule, RuleInternals>();

/** A rule's internals; a shipped rule's are made when first asked for. */
function internalsOf(rule: CompiledRule): RuleInternals {
  let x = internals.get(rule);
  if (!x) internals.set(rule, (x = internalsFrom((rule as ShippedRule).body(), null, null)));
  return x;
}

/** The precompiled rules' bodies (PrecompiledRules.bodies), each part parsed on first use and kept. */
class ShippedTable {
  private readonly parsed: (ShippedBody | undefined)[] = [];
  private readonly factorsParsed: (ShippedFactors | undefined)[] = [];
  constructor(private readonly bodies: readonly string[]) {}
  body(i: number): ShippedBody {
    let body = this.parsed[i];
    if (body === undefined) {
      const line = this.bodies[i]!;
      const rest = JSON.parse(line.slice(line.indexOf("\t") + 1)) as Omit<ShippedBody, "factors">;
      body = this.parsed[i] = { spec: rest.spec, anchors: rest.anchors, factors: this.factors(i)[1] };
    }
    return body;
  }
  factors(i: number): ShippedFactors {
    let f = this.factorsParsed[i];
    if (f === undefined) {
      const line = this.bodies[i]!;
      f = this.factorsParsed[i] = JSON.parse(line.slice(0, line.indexOf("\t"))) as ShippedFactors;
    }
    return f;
  }
}

/**
 * A precompiled rule (checked at build time): built from its head at load; its spec, anchors and
 * factors are parsed, and its regexes compiled, when a line first needs them (a tail scan tries a
 * handful of ~170 rules).
 */
class ShippedRule implements CompiledRule {
  readonly id: string;
  readonly category: CrashCategory;
  readonly severity: CrashSeverity;
  readonly role: CrashRole;
  readonly priority: number;
  readonly traits: readonly RuleTrait[];
  readonly anchored: boolean;

  constructor(
    head: ShippedHead,
    readonly source: string,
    private readonly table: ShippedTable,
    private readonly index: number,
  ) {
    // Indexed, not destructured: an array pattern steps an iterator, slow in the cold code of a load.
    this.id = head[0];
    this.category = head[1];
    this.severity = head[2];
    this.role = head[3];
    this.priority = head[4];
    this.traits = Object.freeze(head[5]);
    this.anchored = head[6];
  }

  body(): ShippedBody {
    return this.table.body(this.index);
  }
  /** Its ShippedFactors, without parsing the rest of its body. */
  factors(): ShippedFactors {
    return this.table.factors(this.index);
  }
  get patterns(): readonly RegExp[] {
    return allPatterns(internalsOf(this));
  }
  get exclude(): readonly RegExp[] {
    return allExcludes(internalsOf(this));
  }
  get suggestion(): string {
    return this.body().spec.suggestion;
  }
  get anchors(): readonly string[] | null {
    const a = this.body().anchors;
    return a && Object.freeze(a);
  }
}

/** A rule's patterns, compiling those not compiled yet (precompiled rules were checked at build time). */
function allPatterns(x: RuleInternals): readonly RegExp[] {
  return (x.patterns ??= Object.freeze(x.sources.map((src, i) => (x.regexes[i] ??= new RegExp(src, x.flags)))));
}

function allExcludes(x: RuleInternals): readonly RegExp[] {
  return (x.exclude ??= Object.freeze(x.excludeSources.map((src) => new RegExp(src, x.flags))));
}

function internalsFrom(body: { readonly spec: RuleSpec; readonly factors?: PatternFactors }, patterns: RegExp[] | null, exclude: RegExp[] | null): RuleInternals {
  const { spec, factors } = body;
  const x: RuleInternals = {
    sources: spec.patterns,
    excludeSources: spec.exclude,
    flags: spec.ignoreCase ? "i" : "",
    regexes: patterns ? [...patterns] : spec.patterns.map(() => undefined),
    factors: factors ? [...factors] : spec.patterns.map(() => undefined),
  };
  if (patterns) x.patterns = Object.freeze(patterns);
  if (exclude) x.exclude = Object.freeze(exclude);
  return x;
}

function freezeRule(spec: RuleSpec, file: string, patterns: RegExp[], exclude: RegExp[], anchors: readonly string[] | null): CompiledRule {
  const x = internalsFrom({ spec }, patterns, exclude);
  const rule: CompiledRule = Object.freeze({
    id: spec.id,
    category: spec.category,
    severity: spec.severity,
    role: spec.role,
    priority: spec.priority,
    get patterns() {
      return allPatterns(x);
    },
    get exclude() {
      return allExcludes(x);
    },
    suggestion: spec.suggestion,
    anchors: anchors ? Object.freeze([...anchors]) : null,
    traits: Object.freeze([...(spec.traits ?? [])]),
    source: file,
  });
  internals.set(rule, x);
  return rule;
}

function compilePattern(src: string, flags: string, file: string, field: string): RegExp {
  try {
    return new RegExp(src, flags);
  } catch (err) {
    throw configError(file, `invalid regular expression: ${describeError(err)}`, field);
  }
}

function placeholders(suggestion: string): string[] {
  return [...new Set([...suggestion.matchAll(/\{([A-Za-z_$][\w$]*)\}/g)].map((m) => m[1]!))];
}

function namedGroups(src: string): string[] {
  return [...src.matchAll(/\(\?<([A-Za-z_$][\w$]*)>/g)].map((m) => m[1]!);
}

/** Fills {name} placeholders of a suggestion from the named groups of a match. */
export function renderSuggestion(rule: CompiledRule, match: RegExpExecArray): string {
  return rule.suggestion.replace(/\{([A-Za-z_$][\w$]*)\}/g, (whole, name: string) => {
    const v = match.groups?.[name];
    return v === undefined ? whole : v.trim();
  });
}

/**
 * Classifies one log line: the first rule (in order) with a matching pattern and no matching
 * exclude wins. A line holding carriage returns (progress bars) is tried segment by segment.
 */
export function classifyLine(compiled: CompiledRules, rawLine: string): LineMatch | null {
  const line = rawLine.includes("\x1b") || rawLine.includes("\0") ? rawLine.replace(ESCAPE_SEQUENCES, "").replace(/\0+/g, "") : rawLine;
  return orWithoutPrefix(line, (l) => classifyCleanLine(compiled, l));
}

/**
 * `classify` on the line as written, then, when nothing matched and the line has a capture prefix
 * (agent/crash/capture-prefix.ts: `[rank3]: `, a collector's timestamp), on its text without it. As
 * written first, so that a line matching so (darknet's `1: nan, nan avg loss`, which reads like srun's
 * `1: `) matches as before. A match on the whole text is reported on the line as written (`bodyStart`);
 * a match on one of its "\r" segments stays the segment.
 */
function orWithoutPrefix(line: string, classify: (text: string) => LineMatch | null): LineMatch | null {
  const m = classify(line);
  if (m) return m;
  const cut = capturePrefixLength(line);
  if (cut === 0) return null;
  const body = classify(line.slice(cut));
  return body && body.text.length === line.length - cut ? { ...body, text: line, bodyStart: cut } : body;
}

function classifyCleanLine(compiled: CompiledRules, line: string): LineMatch | null {
  if (line.includes("\r")) {
    for (const seg of line.split("\r")) {
      if (seg.trim() === "") continue;
      const m = classifySegment(compiled, seg);
      if (m) return m;
    }
    return null;
  }
  return classifySegment(compiled, line);
}

function classifySegment(compiled: CompiledRules, text: string): LineMatch | null {
  for (const ex of compiled.exclude) if (ex.test(text)) return null;
  let lower: string | undefined;
  const search = compiled.anchorSearch;
  let order: readonly number[] | undefined;
  if (search) {
    lower = text.toLowerCase();
    const found = minimalIn(search.re, lower);
    if (!found.length) order = search.always;
    else {
      // Rules stay in their order: the first that matches wins.
      const picked = new Set<number>(search.always);
      for (const m of found) for (const i of search.rulesOf.get(m)!) picked.add(i);
      order = [...picked].sort((x, y) => x - y);
    }
  }
  const all = compiled.rules;
  for (let k = 0, n = order ? order.length : all.length; k < n; k++) {
    const rule = all[order ? order[k]! : k]!;
    if (rule.anchors) {
      lower ??= text.toLowerCase();
      let any = false;
      for (const a of rule.anchors) {
        if (lower.includes(a)) {
          any = true;
          break;
        }
      }
      if (!any) continue;
    }
    for (const p of rule.patterns) {
      const m = p.exec(text);
      if (!m) continue;
      if (rule.exclude.some((ex) => ex.test(text))) break;
      return { rule, match: m, text };
    }
  }
  return null;
}

/** Whether `hay` holds one string of each factor (a pattern cannot match a text that does not). */
function holdsFactors(factors: PatternFactors[number], hay: string): boolean {
  for (let f = 0; f < factors.length; f++) {
    const set = factors[f]!;
    let any = false;
    for (let k = 0; k < set.length && !any; k++) any = hay.includes(set[k]!);
    if (!any) return false;
  }
  return true;
}

function factorsOf(x: RuleInternals, j: number): PatternFactors[number] {
  return (x.factors[j] ??= deriveFactors(x.sources[j]!, x.flags));
}

/**
 * The factors of pattern `j` of a compiled rule (deriveFactors of its source and flags): shipped
 * with precompiled rules, else derived once and kept. The whole-file prefilter (prefilter.ts) builds
 * its automaton from these instead of deriving them again.
 */
export function patternFactors(rule: CompiledRule, j: number): PatternFactors[number] {
  return factorsOf(internalsOf(rule), j);
}

/** Positions of "\n" in `s`, in order. */
function newlinesOf(s: string): number[] {
  const out: number[] = [];
  for (let i = s.indexOf("\n"); i !== -1; i = s.indexOf("\n", i + 1)) out.push(i);
  return out;
}

/** The index of the line holding position `pos`: the number of newlines before it. */
function lineAt(newlines: readonly number[], pos: number): number {
  let lo = 0;
  let hi = newlines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (newlines[mid]! < pos) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Occurrences in a text from which a factor is too common to start a pattern's line search from (CandidateText.linesOfFewest). */
const MANY_OCCURRENCES = 64;

/** Length of the starts of factor strings whose absence CandidateText remembers (5: measured best of 3 to 8). */
const PREFIX_CHARS = 5;

/** The lines of a rule that may match: per pattern worth trying, the lines holding all its factors. */
interface RuleLines {
  readonly patterns: readonly number[];
  readonly lines: readonly ReadonlySet<number>[];
  /** Lines of any of them. */
  readonly any: ReadonlySet<number>;
}

/**
 * A text classified line by line (a tail scan), with what its whole rules out found once: `text` is the
 * text decoded whole and `lower` lower-cased whole (line k of each is line k alone decoded, or lower-cased:
 * "\n" is never part of a multi-byte sequence, and lower-casing keeps it and maps a line as it would
 * alone, its one context rule, the final sigma, stopping at a line break). For each rule tried, the
 * lines holding one string of each factor of each of its patterns are found with a few native searches
 * of the whole text (so a rule picked by a common anchor, such as "loss" on every trainer step, costs
 * a set lookup per line instead of running its patterns' factor checks).
 */
export class CandidateText {
  private readonly textNewlines: number[];
  private readonly lowerNewlines: number[];
  /** Per rule index: its RuleLines; null: no line can match; undefined: not looked at yet. */
  private readonly ruleLines: (RuleLines | null | undefined)[] = [];
  /** Per minimal anchor: how many of the rules it names were looked at, and the lines they may match (see anchorMayMatch). */
  private readonly anchorLines = new Map<string, { next: number; readonly lines: Set<number> }>();
  /** The lines holding a factor string, in the text as is and lower-cased. */
  private readonly textLines = new Map<string, ReadonlySet<number>>();
  private readonly lowerLines = new Map<string, ReadonlySet<number>>();
  /** Whether the text as is, and lower-cased, holds a string's first PREFIX_CHARS characters (see holdsFactors). */
  private readonly textStarts = new Map<string, boolean>();
  private readonly lowerStarts = new Map<string, boolean>();

  constructor(
    private readonly compiled: CompiledRules,
    private readonly text: string,
    private readonly lower: string,
  ) {
    this.textNewlines = newlinesOf(text);
    this.lowerNewlines = text === lower ? this.textNewlines : newlinesOf(lower);
  }

  /**
   * classifyLine's result for line `line` (0-based in the text; `rawLine`: that line as decoded alone,
   * without its "\r\n" or "\n") whose minimal anchors are `found` (see classifyCandidate).
   */
  classify(line: number, rawLine: string, found: readonly string[]): LineMatch | null {
    return classifyPrefixed(this.compiled, rawLine, found, (i) => {
      const rl = this.linesOfRule(i);
      if (rl === null || !rl.any.has(line)) return null;
      const patterns: number[] = [];
      for (let k = 0; k < rl.patterns.length; k++) if (rl.lines[k]!.has(line)) patterns.push(rl.patterns[k]!);
      return patterns;
    });
  }

  /**
   * False when no rule that `found` picks can match line `line` (a line without "\r", ESC or NUL, or
   * with: a pattern matching a segment holds its factors in the line too): it need not be decoded.
   */
  mayMatch(line: number, found: readonly string[]): boolean {
    const search = this.compiled.anchorSearch;
    if (!search || search.always.length) return true;
    for (let k = 0; k < found.length; k++) if (this.anchorMayMatch(found[k]!, line, search)) return true;
    return false;
  }

  /**
   * Whether a rule that anchor `m` names may match line `line`: the rules are looked at in order, as far as
   * the first that may, and the lines of those looked at are kept together per anchor, so that a later line
   * costs a set lookup when one of them may match it (a common anchor such as "loss", on every trainer step,
   * names dozens of rules), and a walk over the rest only when none does.
   */
  private anchorMayMatch(m: string, line: number, search: AnchorSearch): boolean {
    let seen = this.anchorLines.get(m);
    if (seen === undefined) this.anchorLines.set(m, (seen = { next: 0, lines: new Set<number>() }));
    if (seen.lines.has(line)) return true;
    const rules = search.rulesOf.get(m);
    if (!rules) return false;
    while (seen.next < rules.length) {
      const rl = this.linesOfRule(rules[seen.next++]!);
      if (rl === null) continue;
      for (const l of rl.any) seen.lines.add(l);
      if (rl.any.has(line)) return true;
    }
    return false;
  }

  private linesOfRule(i: number): RuleLines | null {
    let rl = this.ruleLines[i];
    if (rl === undefined) rl = this.ruleLines[i] = this.linesOf(i);
    return rl;
  }

  /**
   * holdsFactors on the whole text (lower-cased when `lower`). A string whose first PREFIX_CHARS
   * characters are not in the text is not either: that search is made once per text for all the
   * strings starting with them (of the ~450 factor strings a tail scan looks for, nearly all absent,
   * many share a start such as "loss "), and the string itself is searched only when its start is found.
   */
  private holdsFactors(factors: PatternFactors[number], lower: boolean): boolean {
    const hay = lower ? this.lower : this.text;
    const memo = lower ? this.lowerStarts : this.textStarts;
    for (let f = 0; f < factors.length; f++) {
      const set = factors[f]!;
      let any = false;
      for (let k = 0; k < set.length && !any; k++) {
        const str = set[k]!;
        if (str.length > PREFIX_CHARS) {
          const start = str.slice(0, PREFIX_CHARS);
          let found = memo.get(start);
          if (found === undefined) memo.set(start, (found = hay.includes(start)));
          if (!found) continue;
        }
        any = hay.includes(str);
      }
      if (!any) return false;
    }
    return true;
  }

  /**
   * The lines holding one string of each factor, found from the factor with the fewest occurrences in the text
   * when it has fewer than MANY_OCCURRENCES: its lines are checked for the other factors in their own text, so
   * that a common factor ("loss", on every trainer step) is never mapped to its lines. Undefined when every
   * factor is that common (linesOf then intersects their lines).
   */
  private linesOfFewest(factors: PatternFactors[number], lower: boolean): Set<number> | undefined {
    const hay = lower ? this.lower : this.text;
    let best = -1;
    let fewest = MANY_OCCURRENCES;
    for (let f = 0; f < factors.length; f++) {
      let n = 0;
      const set = factors[f]!;
      for (let k = 0; k < set.length && n < fewest; k++) {
        for (let p = hay.indexOf(set[k]!); p !== -1 && n < fewest; p = hay.indexOf(set[k]!, p + 1)) n++;
      }
      if (n < fewest) {
        best = f;
        fewest = n;
      }
    }
    if (best < 0) return undefined;
    const newlines = lower ? this.lowerNewlines : this.textNewlines;
    const out = new Set<number>();
    for (const str of factors[best]!) {
      for (const l of this.linesHolding(str, lower)) {
        if (out.has(l)) continue;
        const line = hay.slice(l === 0 ? 0 : newlines[l - 1]! + 1, l < newlines.length ? newlines[l]! : hay.length);
        if (holdsFactors(factors, line)) out.add(l);
      }
    }
    return out;
  }

  /** The lines holding `str` (of the lower-cased text when `lower`), found once per text. */
  private linesHolding(str: string, lower: boolean): ReadonlySet<number> {
    const memo = lower ? this.lowerLines : this.textLines;
    let found = memo.get(str);
    if (!found) {
      const hay = lower ? this.lower : this.text;
      const newlines = lower ? this.lowerNewlines : this.textNewlines;
      const set = new Set<number>();
      // A factor string holds no "\n": each occurrence lies in one line.
      for (let p = hay.indexOf(str); p !== -1; p = hay.indexOf(str, p + 1)) set.add(lineAt(newlines, p));
      memo.set(str, (found = set));
    }
    return found;
  }

  private linesOf(i: number): RuleLines | null {
    const rule = this.compiled.rules[i]!;
    // A precompiled rule is looked at through its factors alone (ShippedFactors); the rest of its body is parsed
    // when a line may match it.
    const x = rule instanceof ShippedRule && !internals.has(rule) ? undefined : internalsOf(rule);
    const shipped = x ? undefined : (rule as ShippedRule).factors();
    // Factors of a case-insensitive pattern are lower-cased (ASCII letters and caseless characters only).
    const lower = x ? x.flags !== "" : shipped![0];
    const patterns: number[] = [];
    const lines: ReadonlySet<number>[] = [];
    const any = new Set<number>();
    for (let j = 0, n = x ? x.sources.length : shipped![1].length; j < n; j++) {
      const factors = x ? factorsOf(x, j) : shipped![1][j]!;
      let have: ReadonlySet<number>;
      if (!factors.length) {
        // No factor (the deriver gave up): every line of the text.
        have = new Set(Array.from({ length: (lower ? this.lowerNewlines : this.textNewlines).length + 1 }, (_, k) => k));
      } else {
        // A factor none of whose strings is in the text rules the pattern out without a line search.
        if (!this.holdsFactors(factors, lower)) continue;
        const few = factors.length > 1 ? this.linesOfFewest(factors, lower) : undefined;
        if (few) {
          have = few;
          if (!have.size) continue;
          patterns.push(j);
          lines.push(have);
          for (const l of have) any.add(l);
          continue;
        }
        const sets = factors.map((set) => {
          if (set.length === 1) return this.linesHolding(set[0]!, lower);
          const union = new Set<number>();
          for (const str of set) for (const l of this.linesHolding(str, lower)) union.add(l);
          return union;
        });
        sets.sort((a, b) => a.size - b.size);
        const both = new Set<number>();
        for (const l of sets[0]!) if (sets.every((s) => s.has(l))) both.add(l);
        have = both;
      }
      if (!have.size) continue;
      patterns.push(j);
      lines.push(have);
      for (const l of have) any.add(l);
    }
    return patterns.length ? { patterns, lines, any } : null;
  }
}

/**
 * classifyLine's result for a line whose minimal anchors are known (`found`: what AnchorSearch finds in
 * the lower-cased line; more is harmless, fewer is not), with less work: the rules are picked without a
 * search, and of a picked rule only the patterns whose factors (agent/crash/prefilter.ts, deriveFactors:
 * strings one of which every match contains) are all in the line are compiled and run. A line holding
 * "\r", ESC or NUL (segments, ANSI codes) goes through classifyLine.
 */
export function classifyCandidate(compiled: CompiledRules, rawLine: string, found: readonly string[]): LineMatch | null {
  return classifyPrefixed(compiled, rawLine, found, () => undefined);
}

/**
 * classifyPicked through orWithoutPrefix, as classifyLine does; a line holding "\r", ESC or NUL is taken
 * as it is (the scanner sends those to classifyLine). The anchors and factors found in the whole line
 * are a superset of those of its text, which is all classifyPicked needs.
 */
function classifyPrefixed(compiled: CompiledRules, rawLine: string, found: readonly string[], patternsOf: (rule: number) => readonly number[] | null | undefined): LineMatch | null {
  const pick = (text: string): LineMatch | null => classifyPicked(compiled, text, found, patternsOf);
  if (rawLine.includes("\r") || rawLine.includes("\x1b") || rawLine.includes("\0")) return pick(rawLine);
  return orWithoutPrefix(rawLine, pick);
}

/**
 * classifyCandidate, where `patternsOf(i)` may narrow the patterns of rule i worth trying on this line:
 * null for none, undefined for all (each still checked for its factors in the line).
 */
function classifyPicked(compiled: CompiledRules, rawLine: string, found: readonly string[], patternsOf: (rule: number) => readonly number[] | null | undefined): LineMatch | null {
  const search = compiled.anchorSearch;
  if (!search || rawLine.includes("\r") || rawLine.includes("\x1b") || rawLine.includes("\0")) return classifyLine(compiled, rawLine);
  const text = rawLine;
  for (const ex of compiled.exclude) if (ex.test(text)) return null;
  const picked = new Set<number>(search.always);
  for (const m of found) for (const i of search.rulesOf.get(m) ?? []) picked.add(i);
  // Rules stay in their order: the first that matches wins.
  const order = [...picked].sort((x, y) => x - y);
  let lower: string | undefined;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    const only = patternsOf(i);
    if (only === null) continue;
    const rule = compiled.rules[i]!;
    const x = internalsOf(rule);
    lower ??= text.toLowerCase();
    if (rule.anchors) {
      let any = false;
      for (let a = 0; a < rule.anchors.length && !any; a++) any = lower.includes(rule.anchors[a]!);
      if (!any) continue;
    }
    const hay = x.flags ? lower : text;
    for (let n = 0, count = only ? only.length : x.sources.length; n < count; n++) {
      const j = only ? only[n]! : n;
      if (!holdsFactors(factorsOf(x, j), hay)) continue;
      const m = (x.regexes[j] ??= new RegExp(x.sources[j]!, x.flags)).exec(text);
      if (!m) continue;
      if (allExcludes(x).some((ex) => ex.test(text))) break;
      return { rule, match: m, text };
    }
  }
  return null;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * Literal strings that every match of `source` must contain: one per top-level alternative (the
 * longest run of plain characters that no quantifier makes optional). Null when an alternative has
 * no such run of at least MIN_ANCHOR_CHARS characters.
 */
export function requiredLiterals(source: string): string[] | null {
  const out: string[] = [];
  for (const branch of splitTopLevel(source)) {
    const runs = requiredRuns(branch);
    if (runs === null) return null;
    // Leading punctuation ("[Errno 28]", "], thread:") makes V8's search stop at every "[" or "." of
    // ordinary log lines (about 3x slower); a suffix of a required run is still required.
    const best = runs.map((r) => r.replace(/^[^A-Za-z0-9\x80-\uffff]+/, "")).reduce((a, b) => (b.length > a.length ? b : a), "");
    if (best.length < MIN_ANCHOR_CHARS) return null;
    out.push(best);
  }
  return out;
}

function splitTopLevel(src: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let inClass = false;
  let start = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "|" && depth === 0) {
      parts.push(src.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(src.slice(start));
  return parts;
}

/** Length of the atom starting at i and whether it is a plain literal character (and which). */
function readAtom(src: string, i: number): { len: number; literal: string | null } | null {
  const c = src[i]!;
  if (c === "\\") {
    const d = src[i + 1];
    if (d === undefined) return null;
    if (d === "x") return { len: 4, literal: null };
    if (d === "u") return { len: src[i + 2] === "{" ? src.indexOf("}", i) - i + 1 : 6, literal: null };
    if (d === "p" || d === "P") return { len: src.indexOf("}", i) - i + 1, literal: null };
    if (d === "k") return { len: src.indexOf(">", i) - i + 1, literal: null };
    if (d === "c") return { len: 3, literal: null };
    if (/[0-9]/.test(d)) {
      let j = i + 1;
      while (j < src.length && /[0-9]/.test(src[j]!)) j++;
      return { len: j - i, literal: null };
    }
    if (/[A-Za-z]/.test(d)) return { len: 2, literal: null }; // \d \s \w \b \n \t ...
    return { len: 2, literal: d }; // escaped punctuation is itself
  }
  if (c === "[") {
    let j = i + 1;
    if (src[j] === "^") j++;
    if (src[j] === "]") j++;
    for (; j < src.length; j++) {
      if (src[j] === "\\") j++;
      else if (src[j] === "]") break;
    }
    return { len: j - i + 1, literal: null };
  }
  if (c === "(") {
    let depth = 0;
    let inClass = false;
    for (let j = i; j < src.length; j++) {
      const d = src[j];
      if (d === "\\") {
        j++;
        continue;
      }
      if (inClass) {
        if (d === "]") inClass = false;
        continue;
      }
      if (d === "[") inClass = true;
      else if (d === "(") depth++;
      else if (d === ")" && --depth === 0) return { len: j - i + 1, literal: null };
    }
    return null;
  }
  if (c === "." || c === "^" || c === "$") return { len: 1, literal: null };
  if (c === "*" || c === "+" || c === "?" || c === "{" || c === ")" || c === "|") return null;
  return { len: 1, literal: c };
}

/** Runs of consecutive literal characters that every match of `src` (no top-level "|") contains. */
function requiredRuns(src: string): string[] | null {
  const runs: string[] = [];
  let cur = "";
  const flush = () => {
    if (cur) runs.push(cur);
    cur = "";
  };
  let i = 0;
  while (i < src.length) {
    const atom = readAtom(src, i);
    if (!atom || atom.len <= 0) return null;
    i += atom.len;
    const q = src[i];
    let min = 1;
    let repeats = false;
    if (q === "*" || q === "?") {
      min = 0;
      i++;
    } else if (q === "+") {
      repeats = true;
      i++;
    } else if (q === "{") {
      const m = /^\{(\d+)(,\d*)?\}/.exec(src.slice(i));
      if (m) {
        min = Number(m[1]);
        repeats = m[2] !== undefined || min > 1;
        i += m[0].length;
      }
    }
    if (q === "*" || q === "+" || q === "?" || q === "{") if (src[i] === "?") i++;
    if (atom.literal === null || min === 0) {
      flush();
      continue;
    }
    cur += atom.literal;
    if (repeats) flush();
  }
  flush();
  return runs;
}
