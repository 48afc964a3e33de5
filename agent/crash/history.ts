/**
 * Crash history in BASE_DIR/.crash_history.json, shared by `crash scan` and the watchdog (crash
 * records with exit code / signal, hang reports).
 *
 * File format written: {"format":"trainsafe.crash_history","version":1,"entries":[...]}. A file
 * from the old Python tool (an array, or an object with a list under "crashes" or "history") is
 * read too; entries that are not ours are kept verbatim under `legacy` and never dropped, and other
 * top-level keys of a legacy object are kept under `legacyTopLevel`.
 *
 * Writers take a lock file (O_EXCL create; a lock older than LOCK_STALE_MS or held by a dead local
 * process is taken over), re-read the file, merge, and replace it atomically, so concurrent writers
 * never lose each other's entries. A file that cannot be parsed is never overwritten: it is renamed
 * to `.crash_history.json.corrupt-<timestamp>` and the rename is reported as a problem.
 */
import { randomUUID } from "node:crypto";
// Reads through node's callback API (lib/fs-mode.ts asyncFiles); writes fall through to fs.promises.
import { asyncFiles as fsp } from "../lib/fs-mode.js";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { Layout } from "../config/layout.js";
import { describeError } from "../lib/errors.js";
import { MAX_JSON_BYTES, writeFileAtomic } from "../lib/files.js";
import { fast, lazySchema, looseObject, type Unusual } from "../lib/schema.js";
import { shortHash } from "./signature.js";

export interface CrashHistoryEntry {
  id: string;
  recordedAt: string;
  source: "scan" | "watchdog" | "hang" | "legacy";
  category: string;
  signature: string;
  file?: string;
  line?: number;
  text?: string;
  suggestion?: string;
  exitCode?: number | null;
  signal?: string | null;
  hangKind?: string;
  details?: Record<string, unknown>;
  fingerprint: string;
  /** Original legacy item, verbatim (source "legacy" only). */
  legacy?: unknown;
}

export type NewCrashHistoryEntry = Omit<CrashHistoryEntry, "id" | "recordedAt" | "fingerprint"> & { fingerprint?: string; recordedAt?: string };

/** Default bound on entries (settings crash.maxHistoryEntries overrides it). */
export const DEFAULT_MAX_HISTORY_ENTRIES = 500;
/** A lock file older than this is considered abandoned. */
export const LOCK_STALE_MS = 30_000;
/** How long a writer waits for the lock before giving up (reported as a problem). */
export const LOCK_WAIT_MS = 10_000;

const FORMAT = "trainsafe.crash_history";

const entrySchemaOf = () =>
  z.looseObject({
    id: z.string().min(1),
    // Empty for legacy entries without a recognisable time.
    recordedAt: z.string(),
    source: z.enum(["scan", "watchdog", "hang", "legacy"]),
    category: z.string(),
    signature: z.string(),
    file: z.string().optional(),
    line: z.number().optional(),
    text: z.string().optional(),
    suggestion: z.string().optional(),
    exitCode: z.number().nullable().optional(),
    signal: z.string().nullable().optional(),
    hangKind: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    fingerprint: z.string().min(1),
    legacy: z.unknown().optional(),
  });

/** entrySchemaOf's fields in its order, each checked as it checks them (the common case, without zod). */
const ENTRY_FIELDS = {
  id: fast.nonEmptyString,
  recordedAt: fast.string,
  source: fast.oneOf(["scan", "watchdog", "hang", "legacy"]),
  category: fast.string,
  signature: fast.string,
  file: fast.string,
  line: fast.number,
  text: fast.string,
  suggestion: fast.string,
  exitCode: fast.nullable(fast.number),
  signal: fast.nullable(fast.string),
  hangKind: fast.string,
  details: fast.record,
  fingerprint: fast.nonEmptyString,
  legacy: fast.unknown,
};
const ENTRY_REQUIRED = ["id", "recordedAt", "source", "category", "signature", "fingerprint"];

/** An entry as we write it; zod (built on first use) only for one that is not. */
export const entrySchema = lazySchema(
  (raw) => looseObject(raw, ENTRY_FIELDS, ENTRY_REQUIRED) as CrashHistoryEntry | Unusual,
  () => entrySchemaOf() as unknown as z.ZodType<CrashHistoryEntry>,
);

interface Loaded {
  entries: CrashHistoryEntry[];
  legacyTopLevel?: Record<string, unknown>;
  problems: string[];
  /** Set when the file exists but could not be parsed. */
  corrupt?: string;
}

/** Reads the history (never throws). Entries are oldest first; problems name the file. */
export async function readCrashHistory(layout: Layout): Promise<{ entries: CrashHistoryEntry[]; problems: string[] }> {
  const loaded = await load(layout.crashHistoryFile);
  const problems = [...loaded.problems];
  if (loaded.corrupt) problems.push(loaded.corrupt);
  return { entries: loaded.entries, problems };
}

/**
 * Appends one entry unless an entry with the same fingerprint exists (then `added` is false and
 * `entry` is the existing one). Keeps at most `maxEntries`, dropping the oldest. Never throws for a
 * bad history file; problems (corrupt file moved aside, lock timeout, write error) come back in `problem`.
 */
export async function appendCrashHistory(
  layout: Layout,
  entry: NewCrashHistoryEntry,
  opts: { maxEntries?: number; now?: () => Date } = {},
): Promise<{ added: boolean; entry: CrashHistoryEntry; problem?: string }> {
  const now = opts.now ?? (() => new Date());
  const full: CrashHistoryEntry = {
    ...entry,
    id: randomUUID(),
    recordedAt: entry.recordedAt ?? now().toISOString(),
    fingerprint: entry.fingerprint ?? defaultFingerprint(entry),
  };
  const file = layout.crashHistoryFile;
  const maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_HISTORY_ENTRIES);
  let lock: Lock;
  try {
    lock = await acquireLock(`${file}.lock`);
  } catch (err) {
    return { added: false, entry: full, problem: `${file}: not recorded: ${describeError(err)}` };
  }
  try {
    const loaded = await load(file);
    const problems = [...loaded.problems];
    if (loaded.corrupt) {
      const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, "-")}`;
      try {
        await fsp.rename(file, aside);
        problems.push(`${loaded.corrupt}; moved aside to ${aside}`);
      } catch (err) {
        return { added: false, entry: full, problem: `${loaded.corrupt}; could not move it aside (${describeError(err)}), entry not recorded` };
      }
    }
    const existing = loaded.entries.find((e) => e.fingerprint === full.fingerprint);
    if (existing) return withProblem({ added: false, entry: existing }, problems);
    const entries = [...loaded.entries, full];
    if (entries.length > maxEntries) entries.splice(0, entries.length - maxEntries);
    const doc: Record<string, unknown> = { format: FORMAT, version: 1, entries };
    if (loaded.legacyTopLevel) doc.legacyTopLevel = loaded.legacyTopLevel;
    try {
      await writeFileAtomic(file, JSON.stringify(doc, null, 2) + "\n");
    } catch (err) {
      problems.push(`${file}: cannot write (${describeError(err)})`);
      return withProblem({ added: false, entry: full }, problems);
    }
    return withProblem({ added: true, entry: full }, problems);
  } finally {
    await lock.release();
  }
}

function withProblem<T extends object>(r: T, problems: string[]): T & { problem?: string } {
  return problems.length ? { ...r, problem: problems.join("; ") } : r;
}

/**
 * Fingerprint of an entry without one. Scan entries: file + byte offset (when known) + line text +
 * signature, so scanning the same crash twice adds it once, while the same message at another
 * place in the log (a later crash) is new. Other sources get a unique one: two watchdog records
 * are two events unless the caller passes a fingerprint.
 */
export function defaultFingerprint(e: NewCrashHistoryEntry): string {
  if (e.source !== "scan") return `${e.source}-${randomUUID()}`;
  const offset = typeof e.details?.byteOffset === "number" ? String(e.details.byteOffset) : "";
  return `scan-${shortHash([e.file ?? "", offset, e.text ?? "", e.signature].join("\n"), 24)}`;
}

async function load(file: string): Promise<Loaded> {
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return { entries: [], problems: [], corrupt: `${file}: is not a regular file` };
    if (st.size > MAX_JSON_BYTES) return { entries: [], problems: [], corrupt: `${file}: ${st.size} bytes is too large for a crash history` };
    text = await fsp.readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { entries: [], problems: [] };
    return { entries: [], problems: [], corrupt: `${file}: cannot read (${describeError(err)})` };
  }
  if (text.trim() === "") return { entries: [], problems: [`${file}: was empty`] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { entries: [], problems: [], corrupt: `${file}: corrupt (invalid JSON: ${describeError(err)})` };
  }
  let items: unknown[];
  let legacyTopLevel: Record<string, unknown> | undefined;
  if (Array.isArray(raw)) items = raw;
  else if (raw && typeof raw === "object") {
    const obj = raw as Record<string, unknown>;
    const key = obj.format === FORMAT ? "entries" : (["entries", "crashes", "history"] as const).find((k) => Array.isArray(obj[k]));
    if (!key || !Array.isArray(obj[key])) return { entries: [], problems: [], corrupt: `${file}: corrupt (no list of entries under "entries", "crashes" or "history")` };
    items = obj[key] as unknown[];
    if (obj.format === FORMAT) {
      if (obj.legacyTopLevel && typeof obj.legacyTopLevel === "object") legacyTopLevel = obj.legacyTopLevel as Record<string, unknown>;
    } else {
      const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));
      if (Object.keys(rest).length) legacyTopLevel = rest;
    }
  } else {
    return { entries: [], problems: [], corrupt: `${file}: corrupt (neither a list nor an object)` };
  }
  const entries = items.map(normalizeItem);
  return legacyTopLevel ? { entries, problems: [], legacyTopLevel } : { entries, problems: [] };
}

function normalizeItem(item: unknown): CrashHistoryEntry {
  const parsed = entrySchema.safeParse(item);
  if (parsed.success) return parsed.data;
  // Not ours: map what is recognisable, keep the original verbatim.
  const obj = item && typeof item === "object" && !Array.isArray(item) ? (item as Record<string, unknown>) : {};
  const str = (...keys: string[]) => {
    for (const k of keys) {
      const v = obj[k];
      if (typeof v === "string" && v.trim()) return v;
      if (typeof v === "number" && Number.isFinite(v)) return String(v);
    }
    return undefined;
  };
  const digest = shortHash(stableJson(item), 24);
  const when = str("recordedAt", "timestamp", "time", "recorded_at", "detected_at", "date", "datetime");
  const entry: CrashHistoryEntry = {
    id: str("id", "uuid") ?? `legacy-${digest}`,
    recordedAt: normalizeTime(when) ?? "",
    source: "legacy",
    category: str("category", "crash_type", "type", "kind") ?? "unknown",
    signature: str("signature") ?? `legacy/${digest.slice(0, 12)}`,
    fingerprint: `legacy-${digest}`,
    legacy: item,
  };
  const file = str("file", "log_file", "logfile", "path");
  if (file) entry.file = file;
  const text = str("text", "line", "message", "error", "matched_line");
  if (text) entry.text = text;
  const suggestion = str("suggestion", "recovery", "fix", "suggested_action");
  if (suggestion) entry.suggestion = suggestion;
  return entry;
}

function normalizeTime(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const asNumber = Number(v);
  // Python's time.time() is seconds since the epoch.
  const d = Number.isFinite(asNumber) && /^\d+(\.\d+)?$/.test(v) ? new Date(asNumber < 1e12 ? asNumber * 1000 : asNumber) : new Date(v);
  return Number.isNaN(d.getTime()) ? v : d.toISOString();
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

interface Lock {
  release(): Promise<void>;
}

async function acquireLock(lockFile: string): Promise<Lock> {
  const token = randomUUID();
  const deadline = Date.now() + LOCK_WAIT_MS;
  let wait = 5;
  for (;;) {
    try {
      const fh = await fsp.open(lockFile, "wx");
      try {
        await fh.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), token, at: new Date().toISOString() }));
      } finally {
        await fh.close();
      }
      return {
        release: async () => {
          // Remove it only if it is still ours (a stale takeover may have replaced it).
          try {
            const cur = JSON.parse(await fsp.readFile(lockFile, "utf8")) as { token?: string };
            if (cur.token === token) await fsp.rm(lockFile, { force: true });
          } catch {
            // already gone or unreadable: nothing of ours to remove
          }
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A missing folder is a wrong BASE_DIR: report it rather than create it.
      if (code === "ENOENT") throw new Error(`folder ${path.dirname(lockFile)} does not exist`);
      if (code !== "EEXIST") throw err;
    }
    const stale = await staleLockContent(lockFile);
    if (stale !== null) {
      // Take over by renaming: only one contender moves a given lock file. If what was moved is
      // not the lock judged stale (it was released and re-taken meanwhile), put it back.
      const grave = `${lockFile}.stale-${process.pid}-${token}`;
      try {
        await fsp.rename(lockFile, grave);
        if ((await fsp.readFile(grave, "utf8")) !== stale) await fsp.link(grave, lockFile).catch(() => {});
        await fsp.rm(grave, { force: true });
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`history is locked (${lockFile} held for more than ${LOCK_WAIT_MS} ms)`);
    await new Promise((r) => setTimeout(r, wait + Math.random() * wait));
    wait = Math.min(wait * 2, 100);
  }
}

/** The lock file's content when the lock is abandoned (too old, or its local holder is dead), else null. */
async function staleLockContent(lockFile: string): Promise<string | null> {
  try {
    const st = await fsp.stat(lockFile);
    const content = await fsp.readFile(lockFile, "utf8");
    if (Date.now() - st.mtimeMs > LOCK_STALE_MS) return content;
    const holder = JSON.parse(content) as { pid?: unknown; host?: unknown };
    if (holder.host === os.hostname() && typeof holder.pid === "number" && holder.pid !== process.pid) {
      try {
        process.kill(holder.pid, 0);
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === "ESRCH" ? content : null;
      }
    }
    return null;
  } catch {
    // Vanished (free now) or half-written by a writer still creating it: not stale.
    return null;
  }
}
