/** `trainsafe crash scan` and `trainsafe crash history`: find why training died, and what died before. */
import path from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import type { Settings } from "../../agent/config/settings.js";
import { appendCrashHistory, readCrashHistory, type CrashHistoryEntry } from "../../agent/crash/history.js";
import { loadRules } from "../../agent/crash/rules.js";
import { defaultLogFiles, scanFiles, STDIN_NAME } from "../../agent/crash/scanner.js";
import type { CrashFinding, ScanResult } from "../../agent/crash/types.js";
import { describeError, inputError, usageError } from "../../agent/lib/errors.js";
import { files as fsFiles, useSynchronousReads } from "../../agent/lib/fs-mode.js";
import { collect, formatTable, localOptions, printJson, settingsFor, writeOut, type LocalOptions } from "../common.js";

/** Options of `crash scan` (also used by the accuracy test, which runs the same path in-process). */
export interface ScanOpts extends LocalOptions {
  file?: string[];
  lastNLines?: number;
  all?: boolean;
  history?: boolean;
}

interface HistoryOpts extends LocalOptions {
  limit?: number;
}

/** Registers the `crash` command group. */
export function register(program: Command): void {
  const crash = program.command("crash").description("find the root cause of a training crash in the logs; list past crashes");
  localOptions(
    crash
      .command("scan")
      .description("scan the last lines of BASE_DIR/logs/*.log and training_output.log (or --file) for crashes")
      .option("-f, --file <path>", "scan this file instead of the default logs (repeatable; - is stdin)", collect)
      .option("-n, --last-n-lines <n>", "lines read from the end of each file (default: settings crash.lastNLines)", positiveInt("--last-n-lines"))
      .option("--all", "scan whole files instead of their last lines")
      .option("--no-history", "do not record the crash in BASE_DIR/.crash_history.json (with --file it is recorded only when --base-dir or --config is given)"),
  ).action(async (opts: ScanOpts) => {
    // A one-shot read of the logs: synchronous reads skip libuv's thread pool (docs/benchmarks.md,
    // start-up, 2026-12-06 04:05). Recording a crash still writes through fs.promises.
    useSynchronousReads();
    const out = await runScan(opts);
    if (opts.json) printJson(out);
    else writeOut(renderScan(out));
    process.exitCode = out.primary ? 1 : 0;
  });
  localOptions(
    crash
      .command("history")
      .description("list recorded crashes (BASE_DIR/.crash_history.json), newest last")
      .option("--limit <n>", "show only the newest n entries", positiveInt("--limit")),
  ).action(async (opts: HistoryOpts) => {
    const settings = await settingsFor(opts);
    const { entries, problems } = await readCrashHistory(settings.layout);
    const shown = opts.limit ? entries.slice(-opts.limit) : entries;
    if (opts.json) printJson({ file: settings.layout.crashHistoryFile, total: entries.length, entries: shown, problems });
    else writeOut(renderHistory(settings, shown, entries.length, problems));
    process.exitCode = problems.length ? 1 : 0;
  });
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** What `crash scan --json` prints. */
export interface ScanOutput extends ScanResult {
  baseDir: string;
  mode: "tail" | "all";
  lastNLines: number | null;
  history?: { file: string; added: boolean; id: string; problem?: string };
}

/** Runs `crash scan` with parsed options and returns its result (recording the primary unless told not to). */
export async function runScan(opts: ScanOpts): Promise<ScanOutput> {
  if (opts.all && opts.lastNLines !== undefined) throw usageError("--all scans whole files; it cannot be combined with --last-n-lines");
  const settings = await settingsFor(opts);
  const layout = settings.layout;
  const extra = settings.crash.rulesFile ? path.resolve(layout.baseDir, settings.crash.rulesFile) : undefined;
  const rules = await loadRules(extra);
  let files: string[];
  if (opts.file?.length) {
    files = opts.file;
    for (const f of files) {
      if (f === STDIN_NAME) continue;
      try {
        await fsFiles.stat(f);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") throw inputError(f, "no such file (given with --file)");
        // Other errors (permission) become a per-file problem in the scan result.
      }
    }
  } else {
    files = await defaultLogFiles(layout);
  }
  const lastNLines = opts.all ? null : (opts.lastNLines ?? settings.crash.lastNLines);
  const result = await scanFiles(files, opts.all ? { rules, all: true } : { rules, lastNLines: lastNLines! });
  const out: ScanOutput = { ...result, baseDir: layout.baseDir, mode: opts.all ? "all" : "tail", lastNLines };
  // `--file F` alone names files, not a training folder: recording into the current folder would
  // litter wherever the user stood. With --base-dir, --config or their variables it is recorded.
  const namedBase = !!(opts.baseDir ?? process.env.TRAINSAFE_BASE_DIR ?? opts.config ?? process.env.TRAINSAFE_CONFIG);
  const recordIt = opts.history !== false && (!opts.file?.length || namedBase);
  if (result.primary && recordIt) out.history = await record(settings, result);
  return out;
}

async function record(settings: Settings, result: ScanResult): Promise<ScanOutput["history"]> {
  const p = result.primary!;
  const secondary = result.findings.filter((f) => f !== p && f.finalIncident);
  const details: Record<string, unknown> = {
    ruleId: p.ruleId,
    role: p.role,
    byteOffset: p.byteOffset,
    lineFromEnd: p.line < 0,
    secondary: secondary.length,
    secondaryCategories: [...new Set(secondary.map((f) => f.category))],
  };
  if (settings.hostId) details.hostId = settings.hostId;
  if (settings.jobId) details.jobId = settings.jobId;
  const r = await appendCrashHistory(
    settings.layout,
    {
      source: "scan",
      category: p.category,
      signature: p.signature,
      file: p.file === STDIN_NAME ? "<stdin>" : path.resolve(p.file),
      line: p.line,
      text: p.text,
      suggestion: p.suggestion,
      details,
    },
    { maxEntries: settings.crash.maxHistoryEntries },
  ).catch((err: unknown) => ({ added: false, entry: { id: "" } as CrashHistoryEntry, problem: describeError(err) }));
  const h: NonNullable<ScanOutput["history"]> = { file: settings.layout.crashHistoryFile, added: r.added, id: r.entry.id };
  if (r.problem) h.problem = r.problem;
  return h;
}

function where(f: CrashFinding, baseDir: string): string {
  const file = displayPath(f.file, baseDir);
  return f.line < 0 ? `${file} (line ${-f.line} from the end)` : `${file}:${f.line}`;
}

function displayPath(file: string, baseDir: string): string {
  if (file === STDIN_NAME) return "<stdin>";
  const rel = path.relative(baseDir, path.resolve(file));
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

function renderScan(out: ScanOutput): string {
  const lines: string[] = [];
  const p = out.primary;
  const scanned = out.files.filter((f) => !f.problem);
  const totalLines = out.files.reduce((n, f) => n + f.linesRead, 0);
  const what = out.mode === "all" ? "whole files" : `last ${out.lastNLines} lines of each file`;
  if (!p) {
    lines.push(`No crash found in ${scanned.length} file(s) (${totalLines} lines read, ${what}).`);
  } else {
    lines.push(`CRASH: ${p.category} (rule ${p.ruleId}, ${p.role})`);
    lines.push(`  at ${where(p, out.baseDir)}`);
    lines.push(`  > ${p.text}`);
    lines.push(`  suggestion: ${p.suggestion}`);
    lines.push(`  signature: ${p.signature}`);
  }
  const rest = out.findings.filter((f) => f !== p);
  const groups = (items: CrashFinding[]) => {
    const by = new Map<string, CrashFinding[]>();
    for (const f of items) {
      const k = `${f.category}\u0000${f.ruleId}`;
      const list = by.get(k);
      if (list) list.push(f);
      else by.set(k, [f]);
    }
    return [...by.values()].map((fs) => {
      const first = fs[0]!;
      const more = fs.length > 1 ? ` (+${fs.length - 1} more, last at ${where(fs[fs.length - 1]!, out.baseDir)})` : "";
      return `  ${first.category} / ${first.ruleId} x${fs.length}: first at ${where(first, out.baseDir)}${more}\n      ${truncate(first.text, 160)}`;
    });
  };
  const secondary = rest.filter((f) => f.finalIncident);
  const earlier = rest.filter((f) => !f.finalIncident && f.severity !== "warning");
  const warnings = rest.filter((f) => f.severity === "warning");
  if (secondary.length) lines.push("", p ? "Secondary findings (same incident; consequences or other signals):" : "Findings:", ...groups(secondary));
  if (earlier.length) lines.push("", "Earlier findings (older incidents or stale files; not the cause of the last crash):", ...groups(earlier));
  if (warnings.length) lines.push("", "Warnings:", ...groups(warnings));
  const problems = out.files.filter((f) => f.problem);
  if (problems.length) lines.push("", "Files with problems:", ...problems.map((f) => `  ${displayPath(f.file, out.baseDir)}: ${f.problem}`));
  const stale = out.files.filter((f) => f.stale);
  if (stale.length) lines.push("", `Stale files (last written long before the newest log with findings): ${stale.map((f) => displayPath(f.file, out.baseDir)).join(", ")}`);
  if (!out.files.length) lines.push("", "No log files found (BASE_DIR/logs/*.log, training_output.log); give --file to scan others.");
  else if (p) lines.push("", `Scanned ${out.files.length} file(s), ${totalLines} lines (${what}).`);
  if (out.history) {
    const h = out.history;
    lines.push(h.added ? `Recorded in ${h.file}.` : h.problem ? "" : `Already recorded in ${h.file} (same crash scanned before).`);
    if (h.problem) lines.push(`History problem: ${h.problem}`);
  }
  return lines.filter((l, i, a) => !(l === "" && a[i - 1] === "")).join("\n") + "\n";
}

function renderHistory(settings: Settings, entries: CrashHistoryEntry[], total: number, problems: string[]): string {
  const lines: string[] = [];
  if (!entries.length) lines.push(`No crashes recorded in ${settings.layout.crashHistoryFile}.`);
  else {
    const rows = entries.map((e) => [
      e.recordedAt || "?",
      e.source,
      e.category,
      e.source === "watchdog" ? `exit ${e.exitCode ?? "?"}${e.signal ? ` ${e.signal}` : ""}` : e.source === "hang" ? (e.hangKind ?? "") : e.file ? `${displayPath(e.file, settings.layout.baseDir)}${e.line !== undefined ? (e.line < 0 ? ` (${-e.line} from end)` : `:${e.line}`) : ""}` : "",
      truncate(e.text ?? e.signature, 70),
    ]);
    lines.push(formatTable(["RECORDED", "SOURCE", "CATEGORY", "WHERE", "TEXT"], rows));
    if (entries.length < total) lines.push(`(${total - entries.length} older entries not shown)`);
  }
  for (const p of problems) lines.push(`problem: ${p}`);
  return lines.join("\n") + "\n";
}

function truncate(s: string, max: number): string {
  const one = s.replace(/\s+/g, " ");
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
