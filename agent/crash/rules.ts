/**
 * Crash rules: one JSON rules file (agent/crash/rules.json, format documented in its "_doc" and in
 * agent/crash/README.md) loaded, validated with zod and compiled once. Extra rules from settings
 * crash.rulesFile use the same format and are tried before the built-in ones.
 *
 * Speed: scanning every line with every pattern is far slower than grep. Each pattern therefore
 * yields one required literal ("anchor") per top-level alternative, derived from the regex source;
 * one case-insensitive alternation of all anchors finds candidate lines, and only those lines are
 * classified with the real patterns. Patterns without a usable anchor still work: they are run
 * over whole chunks (slow path) and reported by `CompiledRules.unanchored`.
 */
import { promises as fsp } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { configError, describeError } from "../lib/errors.js";
import { issuePath } from "../lib/files.js";
import { CRASH_CATEGORIES, type CrashCategory, type CrashRole, type CrashSeverity } from "./types.js";

/** The shipped rules file. */
export const BUILTIN_RULES_FILE = fileURLToPath(new URL("./rules.json", import.meta.url));

const MAX_RULES_FILE_BYTES = 4 * 1024 * 1024;
const MIN_ANCHOR_CHARS = 3;
const DEFAULT_INCIDENT_GAP_LINES = 500;

const ruleSchema = z.strictObject({
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
});

const rulesFileSchema = z.strictObject({
  _doc: z.union([z.string(), z.array(z.string())]).optional(),
  version: z.literal(1),
  incidentGapLines: z.number().int().positive().optional(),
  exclude: z.array(z.string().min(1)).default([]),
  rules: z.array(z.unknown()),
});

export type RuleSpec = z.output<typeof ruleSchema>;

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
  /** File the rule came from. */
  readonly source: string;
}

export interface CompiledRules {
  readonly rules: readonly CompiledRule[];
  /** Global exclusions: a line matching one of these is never a finding. */
  readonly exclude: readonly RegExp[];
  /** Case-insensitive alternation of all anchors, in latin1 form (see toLatin1View); null when no rule has one. */
  readonly anchorRegex: RegExp | null;
  /** Patterns without an anchor, as global multiline regexes run over whole chunks. */
  readonly unanchored: readonly { rule: CompiledRule; pattern: RegExp }[];
  readonly incidentGapLines: number;
  readonly files: readonly string[];
}

export interface LineMatch {
  rule: CompiledRule;
  match: RegExpExecArray;
  /** The line (or \r-separated segment) that matched, cleaned of ANSI codes and NULs. */
  text: string;
}

let builtinPromise: Promise<RawRules> | undefined;

interface RawRules {
  rules: RuleSpec[];
  exclude: string[];
  incidentGapLines?: number;
  file: string;
}

/**
 * Loads, validates and compiles the built-in rules plus, when given, an extra rules file whose rules
 * are tried first. Throws a TrainsafeError (config) naming the file, rule id and field on any error.
 */
export async function loadRules(extraRulesFile?: string): Promise<CompiledRules> {
  builtinPromise ??= readRulesFile(BUILTIN_RULES_FILE);
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

async function readRulesFile(file: string): Promise<RawRules> {
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) throw configError(file, "is not a regular file");
    if (st.size > MAX_RULES_FILE_BYTES) throw configError(file, `${st.size} bytes is too large for a rules file`);
    text = await fsp.readFile(file, "utf8");
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
  const top = rulesFileSchema.safeParse(raw);
  if (!top.success) {
    const issue = top.error.issues[0]!;
    throw configError(file, issue.message, issuePath(issue.path));
  }
  const rules: RuleSpec[] = [];
  top.data.rules.forEach((item, i) => {
    const parsed = ruleSchema.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
      const field = issuePath([...issue.path, ...keys.slice(0, 1)]);
      throw configError(file, issue.message, `${ruleLabel(item, i)}.${field}`);
    }
    rules.push(parsed.data);
  });
  const out: RawRules = { rules, exclude: top.data.exclude, file };
  if (top.data.incidentGapLines !== undefined) out.incidentGapLines = top.data.incidentGapLines;
  return out;
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
    set.rules.forEach((spec, i) => {
      const label = `rules[${i}] (id ${spec.id})`;
      const prev = seen.get(spec.id);
      if (prev) throw configError(set.file, `duplicate rule id "${spec.id}" (also in ${prev})`, `${label}.id`);
      seen.set(spec.id, set.file);
      rules.push(compileRule(spec, set.file, label));
    });
  }
  // Sets are ordered extra-first, so an extra file's incidentGapLines overrides the built-in one.
  const anchors = new Set<string>();
  const unanchored: { rule: CompiledRule; pattern: RegExp }[] = [];
  for (const rule of rules) {
    if (rule.anchors) rule.anchors.forEach((a) => anchors.add(a));
    else for (const p of rule.patterns) unanchored.push({ rule, pattern: new RegExp(p.source, `gm${p.ignoreCase ? "i" : ""}`) });
  }
  // An anchor containing a shorter anchor adds nothing to the candidate search: keep the minimal set.
  const minimal: string[] = [];
  for (const a of [...anchors].sort((x, y) => x.length - y.length)) if (!minimal.some((m) => a.includes(m))) minimal.push(a);
  const anchorRegex = minimal.length ? new RegExp(minimal.map((a) => escapeRegex(toLatin1View(a))).join("|"), "gi") : null;
  return Object.freeze({
    rules: Object.freeze(rules),
    exclude: Object.freeze(exclude),
    anchorRegex,
    unanchored: Object.freeze(unanchored),
    incidentGapLines: gap ?? DEFAULT_INCIDENT_GAP_LINES,
    files: Object.freeze(sets.map((s) => s.file)),
  });
}

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
    anchors.push(...lits.map((l) => l.toLowerCase()));
  }
  return Object.freeze({
    id: spec.id,
    category: spec.category,
    severity: spec.severity,
    role: spec.role,
    priority: spec.priority,
    patterns: Object.freeze(patterns),
    exclude: Object.freeze(exclude),
    suggestion: spec.suggestion,
    anchors: anchors ? Object.freeze([...new Set(anchors)]) : null,
    source: file,
  });
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

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * Classifies one log line: the first rule (in order) with a matching pattern and no matching
 * exclude wins. A line holding carriage returns (progress bars) is tried segment by segment.
 */
export function classifyLine(compiled: CompiledRules, rawLine: string): LineMatch | null {
  const line = rawLine.includes("\x1b") || rawLine.includes("\0") ? rawLine.replace(ANSI, "").replace(/\0+/g, "") : rawLine;
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
  for (const rule of compiled.rules) {
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

/** UTF-8 bytes of `s` seen as latin1 characters: how `s` appears in a latin1-decoded buffer. */
export function toLatin1View(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, "utf8").toString("latin1");
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
