/**
 * docs/operations.md cannot drift from the code: its settings tables name every field of the agent and
 * controller settings schemas (and no other) with the defaults the schemas really fill in, and its
 * runbook has an entry, with what trainsafe does and what a person does, for every crash category of
 * the shipped rules and every hang kind the diagnosis can name.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { resolveLayout, type Layout } from "../agent/config/layout.js";
import { settingsSchema } from "../agent/config/settings.js";
import { CRASH_CATEGORIES } from "../agent/crash/types.js";
import { parseDurationMs, parseSizeBytes } from "../agent/lib/units.js";
import { controllerConfigSchema } from "../controller/config.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const DOC = fs.readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");

/** The text under `heading` (a whole line) up to the next heading of the same or a higher level. */
function section(doc: string, heading: string): string {
  const lines = doc.split("\n");
  const start = lines.indexOf(heading);
  assert.notEqual(start, -1, `docs/operations.md has a "${heading}" heading`);
  const level = /^#+/.exec(heading)![0].length;
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && /^#+/.exec(l)![0].length <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join("\n");
}

/** Rows of the markdown tables in `text` whose first cell is a code span: field -> default cell. */
function tableRows(text: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\| `([^`]+)` \| (.*?) \| .* \|$/.exec(line);
    if (!m) continue;
    assert.equal(rows.has(m[1]!), false, `${m[1]} is listed once`);
    rows.set(m[1]!, m[2]!.trim());
  }
  return rows;
}

type AnySchema = z.ZodType & { _zod: { def: { type: string; innerType?: AnySchema; in?: AnySchema; shape?: Record<string, AnySchema> } } };

/** Dotted paths of the leaf fields of an object schema (optional, defaulted and transformed ones too). */
function leafFields(schema: AnySchema, prefix = ""): string[] {
  let s = schema;
  for (;;) {
    const d = s._zod.def;
    if (["default", "prefault", "optional", "nullable", "readonly"].includes(d.type) && d.innerType) s = d.innerType;
    else if (d.type === "pipe" && d.in) s = d.in;
    else break;
  }
  const shape = s._zod.def.type === "object" ? s._zod.def.shape : undefined;
  if (!shape) return [prefix];
  return Object.entries(shape).flatMap(([k, v]) => leafFields(v, prefix ? `${prefix}.${k}` : k));
}

function at(obj: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

const attempt = <T>(fn: () => T): T | undefined => {
  try {
    return fn();
  } catch {
    return undefined;
  }
};

/** Whether a default cell (`X`) states `value`: numbers also as durations or sizes with units. */
function states(cell: string, value: unknown): boolean {
  const m = /^`([^`]*)`$/.exec(cell);
  if (!m) return false;
  const text = m[1]!;
  if (typeof value === "number") return [Number(text), attempt(() => parseDurationMs(text)), attempt(() => parseSizeBytes(text))].includes(value);
  if (typeof value === "string" || typeof value === "boolean") return text === String(value);
  const parsed = attempt(() => JSON.parse(text) as unknown);
  return parsed !== undefined && JSON.stringify(parsed) === JSON.stringify(value);
}

function checkTable(name: string, heading: string, schema: AnySchema, layout?: Layout): void {
  const rows = tableRows(section(DOC, heading));
  const fields = leafFields(schema);
  const defaults = schema.parse({});
  const missing = fields.filter((f) => !rows.has(f));
  assert.deepEqual(missing, [], `${name} fields missing from "${heading}"`);
  const stale = [...rows.keys()].filter((f) => !fields.includes(f));
  assert.deepEqual(stale, [], `rows of "${heading}" that are no ${name} field`);
  for (const f of fields) {
    const cell = rows.get(f)!;
    const value = at(defaults, f);
    if (value !== undefined) {
      assert.ok(states(cell, value), `${f}: the doc says ${cell}, the default is ${JSON.stringify(value)}`);
    } else if (layout && f.startsWith("paths.")) {
      // Path overrides have no schema default: the layout's default, relative to BASE_DIR, is documented.
      const m = /^`([^`]+)`$/.exec(cell);
      assert.ok(m, `${f}: the default path is given as code`);
      const key = f.slice("paths.".length) as keyof Layout;
      assert.equal(path.resolve(layout.baseDir, m[1]!), layout[key], `${f}: the doc says ${cell}`);
    }
  }
}

test("every agent settings field is documented with its default", () => {
  checkTable("agent settings", "### Agent settings", settingsSchema() as unknown as AnySchema, resolveLayout("/srv/training/run"));
});

test("every controller settings field is documented with its default", () => {
  checkTable("controller settings", "### Controller settings", controllerConfigSchema as unknown as AnySchema);
});

/** Headings of the runbook's entries, and each entry's text. */
function runbookEntries(): Map<string, string> {
  const runbook = section(DOC, "## Runbook");
  const out = new Map<string, string>();
  for (const h of runbook.split("\n").filter((l) => /^### /.test(l))) out.set(h, section(runbook, h));
  return out;
}

function assertEntry(entries: Map<string, string>, heading: string): void {
  const text = entries.get(heading);
  assert.ok(text !== undefined, `the runbook has "${heading}"`);
  assert.match(text, /- \*\*trainsafe\*\*: \S/, `${heading} says what trainsafe does`);
  assert.match(text, /- \*\*You\*\*: \S/, `${heading} says what a person should do`);
}

test("the runbook has an entry for every crash category of the shipped rules", () => {
  const rules = JSON.parse(fs.readFileSync(path.join(ROOT, "agent", "crash", "rules.json"), "utf8")) as { rules: Array<{ category: string }> };
  const categories = new Set([...rules.rules.map((r) => r.category), ...CRASH_CATEGORIES]);
  assert.ok(categories.size >= 11, "the rules name the categories");
  const entries = runbookEntries();
  for (const c of categories) assertEntry(entries, `### \`${c}\``);
  const stale = [...entries.keys()].filter((h) => /^### `[^`]+`$/.test(h) && !categories.has(h.slice(5, -1)));
  assert.deepEqual(stale, [], "runbook entries for categories no rule has");
});

test("the runbook has an entry for every hang kind the diagnosis names", () => {
  const source = fs.readFileSync(path.join(ROOT, "agent", "watchdog", "diagnose.ts"), "utf8");
  const union = /export type HangKind = ([^;]+);/.exec(source)?.[1];
  assert.ok(union, "agent/watchdog/diagnose.ts declares HangKind");
  const kinds = [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]!);
  assert.ok(kinds.length >= 5, `hang kinds: ${kinds.join(", ")}`);
  const entries = runbookEntries();
  for (const k of kinds) assertEntry(entries, `### hang: \`${k}\``);
  const stale = [...entries.keys()].filter((h) => h.startsWith("### hang: ") && !kinds.includes(h.slice("### hang: `".length, -1)));
  assert.deepEqual(stale, [], "runbook entries for hang kinds the diagnosis does not name");
});
