/**
 * Crash scanner: reads the tail (or, with `all`, the whole) of each log, classifies lines with the
 * compiled rules, and names the primary (root-cause) finding.
 *
 * Text is handled as raw bytes: one pass (agent/crash/prefilter.ts) counts lines and finds those
 * that hold the literals some rule pattern needs; only those are decoded as UTF-8 and classified.
 * See agent/crash/README.md for how the primary finding is chosen.
 */
import { isUtf8 } from "node:buffer";
import { constants as fsConstants, type promises as fsp } from "node:fs";
import path from "node:path";
import type { Layout } from "../config/layout.js";
import type { Settings } from "../config/settings.js";
import { describeError } from "../lib/errors.js";
// fs.promises, or synchronous reads in a one-shot `crash scan` (no libuv thread pool); the agent stays asynchronous.
import { files as fsFiles } from "../lib/fs-mode.js";
import { capturedLines, captureFormatOf, ESCAPE_SEQUENCES, learnCapturePrefix, FORMAT_HEAD_BYTES, FORMAT_TAIL_BYTES, repairCapture, withoutLearnedPrefix, type CaptureFormat, type LearnedPrefix } from "./capture-prefix.js";
import { choosePrimary, demoteCaughtExceptions, demoteDataFileErrors, demoteFallbackBuildOutput, demoteOtherRanksErrors, demoteSpawnChildErrors, demoteWarningMessageImports, fallbackFinding, stuckWaitFinding, type KeptLines } from "./failure.js";
import { demoteRecoveredNaN, divergedEndFinding } from "./diverged-end.js";
import { metricTableFinding } from "./metric-table.js";
import { finalErrorFinding } from "./final-error.js";
import { builtPrefilter, prefilterFor } from "./prefilter.js";
import { goesOnAfter, parseLog, progressAfter, runEnd, type FailureReport } from "./traceback.js";
import { CandidateText, classifyCandidate, classifyLine, forEachAnchor, loadRules, renderSuggestion, type AnchorSearch, type CompiledRules, type LineMatch, type RuleTraits } from "./rules.js";
import { crashSignature } from "./signature.js";
import { FileShrankError, tailOfHandle, TAIL_MAX_BYTES, type KnownBytes } from "./tail.js";
import type { CrashFinding, ScannedFile, ScanResult } from "./types.js";

/** Default number of lines read from the end of each log. */
export const DEFAULT_LAST_N_LINES = 1000;
/** Size of the reads of a whole-file (--all) scan. */
export const FULL_SCAN_CHUNK_BYTES = 16 * 1024 * 1024;
/** A whole-file scan holds at most this much of one line; longer lines are scanned in pieces. */
export const MAX_LINE_BYTES = 64 * 1024 * 1024;
/**
 * Whole-file scans of files this large or larger run in parallel threads (agent/crash/parallel-scan.ts).
 * A second thread costs ~0.2 s of CPU whatever the file's size (its start ~35-50 ms, its isolate
 * compiling the scan loop again ~0.1 s) and starts scanning ~0.1 s after the scan begins: on a 70 MB
 * log that is +30-40 % of the one-thread CPU for at most ~0.1 s of wall time; from ~130 MB on, the wall
 * time it saves on an idle CPU exceeds the CPU it adds (docs/benchmarks.md, 2026-12-07, perf-thread).
 */
export const PARALLEL_MIN_BYTES = 128 * 1024 * 1024;
/** Texts this large or larger are scanned with the literal prefilter; smaller ones classify every line. */
export const PREFILTER_MIN_BYTES = 2 * 1024 * 1024;
/** Smallest file whose whole-file scan reads into the WebAssembly walk's memory (Prefilter.lendInput; the walk pays on megabytes). */
const WALK_IN_PLACE_MIN_BYTES = 8 * 1024 * 1024;
/** Findings kept per file; more are counted (ScannedFile.droppedFindings). */
export const MAX_FINDINGS_PER_FILE = 2000;
/** Files whose last write is this much older than the newest file with findings cannot hold the primary. */
export const STALE_FILE_WINDOW_MS = 6 * 3_600_000;
/** Longest text kept in a finding. */
export const MAX_FINDING_TEXT = 1000;
/** A file is binary when more than this share of a sample (NULs aside) is control bytes or invalid UTF-8. */
const BINARY_SHARE = 0.05;
const BINARY_SAMPLE_BYTES = 64 * 1024;
/** The name used for standard input. */
export const STDIN_NAME = "-";

export interface ScanOptions {
  lastNLines?: number;
  all?: boolean;
  rules?: CompiledRules;
  /** Stream read for the file name "-" (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Chunk size of whole-file scans (tests). */
  chunkBytes?: number;
  /**
   * Whole-file scans of files from this size on run in parallel threads (default PARALLEL_MIN_BYTES
   * of agent/crash/parallel-scan.ts; tests lower it); `threads` (default: one per idle CPU, at most 4,
   * scanThreadsFor in parallel-scan.ts; 1: no parallel scan) and, for tests, a worker code that fails.
   */
  parallel?: { minBytes?: number; threads?: number; workerCode?: string };
  /**
   * false: classify every line with every rule instead of only the lines the literal prefilter
   * picks (the reference the prefilter is tested against; much slower).
   */
  prefilter?: boolean;
  /**
   * How the process whose logs these are ended, when known (the watchdog passes it on a death). A
   * non-zero exit or a signal makes the last exception in the logs a finding even when it is not
   * at their very end.
   */
  exit?: { exitCode: number | null; signal: string | null };
}

/** Lines kept from the end of each scanned text for the traceback parser. */
const MAX_KEPT_LINES = 2000;
/** A scheduler ending the whole job: Slurm's cancellation (not a requeue, which starts it again) and memory-limit kill. */
const SCHEDULER_JOB_END = /\bCANCELLED AT \S+ (?!DUE TO JOB REQUEUE)|\bexceeded (?:virtual )?memory limit \(\d+ > \d+\), being killed|\bExceeded (?:job|step) memory limit(?! at some point)/;
const MAX_KEPT_BYTES = 1024 * 1024;
/**
 * A launcher restarting the training workers after one failed: torchrun's agent (--max-restarts;
 * torch/distributed/elastic/agent/server/api.py `[%s] Worker group %s. %s/%s attempts left; will restart worker group`,
 * printed only while restarts are left: out of them it raises ChildFailedError instead) and the agents built on it
 * (NeMo's ft_launcher, DLRover's `Worker group FAILED, is failure node: False,3/3 attempts left; will restart worker
 * group.`); Ray Train's controller (FailureConfig.max_failures: `Restarting training worker group after encountering
 * failures on N worker(s):` and each rank's error below it; `Terminating ...` when it gives up).
 */
const WORKERS_RESTARTED = /\bWorker group (?:FAILED|UNHEALTHY)[.,] .{0,40}?\d+\/\d+ attempts left; will restart worker group\b|\bRestarting training worker group after encountering failures on \d+ worker/;

/** Scans the given files ("-" is stdin). Never throws for a bad file: it gets a `problem` instead. */
export async function scanFiles(files: string[], opts: ScanOptions = {}): Promise<ScanResult> {
  const rules = opts.rules ?? (await loadRules());
  const lastN = opts.lastNLines ?? DEFAULT_LAST_N_LINES;
  if (!Number.isInteger(lastN) || lastN <= 0) throw new RangeError(`lastNLines must be a positive integer, got ${lastN}`);
  const seen = new Set<string>();
  const perFile: FileOutcome[] = [];
  for (const file of files) {
    const key = file === STDIN_NAME ? file : path.resolve(file);
    if (seen.has(key)) continue;
    seen.add(key);
    const collector = new FindingCollector(file, rules, opts.prefilter !== false, opts.exit);
    const info: ScannedFile = { file, linesRead: 0 };
    let mtimeMs = Date.now();
    try {
      if (file === STDIN_NAME) await scanStdin(opts.stdin ?? process.stdin, collector, info, opts.all ? null : lastN);
      else mtimeMs = await scanPath(file, collector, info, opts.all ? null : lastN, opts);
    } catch (err) {
      info.problem = describeReadError(err);
    }
    perFile.push({ info, collector, mtimeMs });
  }
  const exitFailed = !!opts.exit && (opts.exit.signal != null || (opts.exit.exitCode ?? 0) !== 0);
  return assemble(perFile, exitFailed);
}

/** Logs scanned by default: BASE_DIR/logs/*.log except trainsafe's own, then the daemon output log. */
export async function defaultLogFiles(layout: Layout): Promise<string[]> {
  const own = new Set([path.resolve(layout.watchdogLog), path.resolve(layout.antiStuckLog)]);
  const out: string[] = [];
  try {
    const names = (await fsFiles.readdir(layout.logsDir)).filter((n) => n.endsWith(".log")).sort();
    for (const n of names) {
      const p = path.join(layout.logsDir, n);
      if (!own.has(path.resolve(p))) out.push(p);
    }
  } catch {
    // No logs folder: nothing to scan there (the health checks report missing folders).
  }
  try {
    await fsFiles.lstat(layout.outputLog);
    if (!out.includes(layout.outputLog)) out.push(layout.outputLog);
  } catch {
    // no daemon output yet
  }
  return out;
}

/** Scans the default logs of a training directory with the settings' rules and line count. */
export async function scanBaseDir(settings: Settings, opts: { lastNLines?: number; all?: boolean; exit?: ScanOptions["exit"] } = {}): Promise<ScanResult> {
  const extra = settings.crash.rulesFile ? path.resolve(settings.layout.baseDir, settings.crash.rulesFile) : undefined;
  const rules = await loadRules(extra);
  const files = await defaultLogFiles(settings.layout);
  const scanOpts: ScanOptions = { rules, lastNLines: opts.lastNLines ?? settings.crash.lastNLines };
  if (opts.all) scanOpts.all = true;
  if (opts.exit) scanOpts.exit = opts.exit;
  return scanFiles(files, scanOpts);
}

interface FileOutcome {
  info: ScannedFile;
  collector: FindingCollector;
  mtimeMs: number;
}

function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "does not exist";
  if (code === "EISDIR") return "is a directory, not a log file";
  if (code === "EACCES" || code === "EPERM") return `cannot read (${code}: permission denied)`;
  if (err instanceof FileShrankError) return err.message;
  if (code === "SCAN_WORKER") return `not scanned (${(err as Error).message}); no findings reported for it`;
  return `cannot read (${describeError(err)})`;
}

async function scanPath(file: string, collector: FindingCollector, info: ScannedFile, lastN: number | null, opts: ScanOptions): Promise<number> {
  // O_NONBLOCK: opening a FIFO that someone named *.log must not wait for a writer.
  const fh = await fsFiles.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (!st.isFile()) {
      info.problem = "is not a regular file (device, pipe or socket); not scanned";
      return st.mtimeMs;
    }
    info.sizeBytes = st.size;
    // The file's capture format, decided once from its start and end: every way of scanning it repairs its texts alike.
    const { format, sample } = await captureFormatOfFile(fh, st.size);
    collector.learnedPrefix = format.prefix ?? undefined;
    // The tail scan reads the bytes the decision read from them (one read of the tail per scan).
    if (lastN !== null) await scanTail(fh, st.size, lastN, collector, info, format, sample);
    else await scanFileWhole(fh, st.size, collector, info, opts.chunkBytes ?? FULL_SCAN_CHUNK_BYTES, format, opts.parallel);
    return st.mtimeMs;
  } finally {
    await fh.close();
  }
}

/**
 * The capture format of the open file's `size` bytes (captureFormatOf): its first FORMAT_HEAD_BYTES and its
 * last FORMAT_TAIL_BYTES, read once (one read when they meet). A file shrinking meanwhile is read as it is.
 * `sample`: those bytes as read (captureFormatOf repairs a copy), for the tail scan to reuse.
 */
export async function captureFormatOfFile(fh: fsp.FileHandle, size: number): Promise<{ format: CaptureFormat; sample: KnownBytes[] }> {
  if (size === 0) return { format: captureFormatOf(Buffer.alloc(0), Buffer.alloc(0), true), sample: [] };
  if (size <= FORMAT_HEAD_BYTES + FORMAT_TAIL_BYTES) {
    const all = Buffer.allocUnsafe(size);
    const { bytesRead } = await fh.read(all, 0, size, 0);
    const text = all.subarray(0, bytesRead);
    const repaired = Buffer.from(text);
    return { format: captureFormatOf(repaired.subarray(0, Math.min(bytesRead, FORMAT_HEAD_BYTES)), repaired, true), sample: [{ offset: 0, bytes: text }] };
  }
  const head = Buffer.allocUnsafe(FORMAT_HEAD_BYTES);
  const tail = Buffer.allocUnsafe(FORMAT_TAIL_BYTES);
  const h = await fh.read(head, 0, head.length, 0);
  const t = await fh.read(tail, 0, tail.length, size - tail.length);
  const headBytes = head.subarray(0, h.bytesRead);
  const tailBytes = tail.subarray(0, t.bytesRead);
  const format = captureFormatOf(headBytes, Buffer.from(tailBytes), false);
  return { format, sample: [{ offset: 0, bytes: headBytes }, { offset: size - tail.length, bytes: tailBytes }] };
}

async function scanTail(fh: fsp.FileHandle, size: number, lastN: number, collector: FindingCollector, info: ScannedFile, format: CaptureFormat, sample: KnownBytes[]): Promise<void> {
  // A log whose lines end in lone "\r" (its format) is read as such lines: its last lastN of them, not the
  // whole file up to TAIL_MAX_BYTES.
  const tailOpts = { lineEnd: format.lineEnd };
  let tail;
  try {
    tail = await tailOfHandle(fh, size, lastN, { ...tailOpts, known: sample });
  } catch (err) {
    if (!(err instanceof FileShrankError)) throw err;
    // Rotated or truncated under us: read again with the new size, once.
    const st = await fh.stat();
    info.sizeBytes = st.size;
    tail = await tailOfHandle(fh, st.size, lastN, tailOpts);
  }
  info.bytesRead = tail.buf.length;
  info.linesRead = tail.lineCount;
  if (tail.cutAtMaxBytes) info.problem = `the last ${lastN} lines span more than ${TAIL_MAX_BYTES} bytes; only whole lines inside the last ${TAIL_MAX_BYTES} bytes were scanned`;
  const binary = binaryProblem(tail.buf);
  if (binary) {
    info.problem = binary;
    return;
  }
  if (tail.firstLineNumber === null) {
    info.lineNumbersFromEnd = true;
    // Line k of the tail (1-based) is line -(lineCount - k + 1) from the end.
    scanBytes(tail.buf, 0, tail.buf.length, -tail.lineCount, tail.startOffset, collector, format);
  } else {
    scanBytes(tail.buf, 0, tail.buf.length, tail.firstLineNumber, tail.startOffset, collector, format);
  }
}

/**
 * Whole-file scan up to `size` (the size when opened: later appends are not read). One buffer is
 * reused for every read and scanned in place (a fresh buffer or string per chunk costs page faults
 * and GC); the partial line at its end moves to its front before the next read.
 */
async function scanFileWhole(fh: fsp.FileHandle, size: number, collector: FindingCollector, info: ScannedFile, chunkBytes: number, format: CaptureFormat, parallel: ScanOptions["parallel"] = {}): Promise<void> {
  if (collector.prefiltered && size >= (parallel.minBytes ?? PARALLEL_MIN_BYTES) && (parallel.threads ?? 2) > 1) {
    // Loaded only here: a tail scan or a small file never loads the worker code.
    const { scanFileParallel } = await import("./parallel-scan.js");
    const first = Buffer.allocUnsafe(Math.min(size, chunkBytes, BINARY_SAMPLE_BYTES));
    const { bytesRead } = await fh.read(first, 0, first.length, 0);
    const binary = binaryProblem(first.subarray(0, bytesRead));
    if (binary) {
      // As the single-thread scan reports it after its first read.
      info.problem = binary;
      info.bytesRead = Math.min(chunkBytes, size);
      return;
    }
    const parallelOpts: { threads?: number; workerCode?: string } = {};
    if (parallel.threads !== undefined) parallelOpts.threads = parallel.threads;
    if (parallel.workerCode !== undefined) parallelOpts.workerCode = parallel.workerCode;
    if (await scanFileParallel(fh, size, collector, info, chunkBytes, MAX_KEPT_BYTES, format, parallelOpts)) return;
  }
  // Chunks read straight into the WebAssembly walk's memory where the walk takes them (a copy of each
  // block less: ~50 ms of CPU on the bench's 0.30 GB log), in reads of up to 4 MiB.
  const lent = collector.prefiltered && size >= WALK_IN_PLACE_MIN_BYTES ? prefilterFor(collector.rules).lendInput(Math.min(chunkBytes, size)) : null;
  try {
    await scanChunks(fh, size, collector, info, lent?.buf ?? Buffer.allocUnsafe(Math.max(1, Math.min(chunkBytes, size))), format);
  } finally {
    lent?.giveBack();
  }
}

/** The single-thread whole-file scan, reading into `buf` (grown for a line longer than it). */
async function scanChunks(fh: fsp.FileHandle, size: number, collector: FindingCollector, info: ScannedFile, buf: Buffer, format: CaptureFormat): Promise<void> {
  const kept = new DeferredKeep(collector);
  let keep = 0; // bytes at the front of buf carried over from the previous read
  let bufOffset = 0; // file offset of buf[0]
  let pos = 0;
  let line = 1;
  // Reads end after a line's end: "\n", or a lone "\r" in a file whose lines end so.
  const eol = format.lineEnd;
  let lastByte: number = eol;
  while (pos < size) {
    if (keep === buf.length) {
      if (buf.length < MAX_LINE_BYTES) {
        // One line fills the buffer: grow it so the line stays whole.
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_LINE_BYTES));
        buf.copy(bigger, 0, 0, keep);
        buf = bigger;
      } else {
        // Absurdly long line: scan it in pieces rather than hold it.
        const n = scanBytes(buf, 0, keep, line, bufOffset, collector, format, false);
        kept.add(buf, keep, line, bufOffset, n);
        line += n;
        bufOffset += keep;
        keep = 0;
      }
    }
    const { bytesRead } = await fh.read(buf, keep, Math.min(buf.length - keep, size - pos), pos);
    if (bytesRead === 0) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
    if (pos === 0) {
      const binary = binaryProblem(buf.subarray(0, bytesRead));
      if (binary) {
        info.problem = binary;
        info.bytesRead = bytesRead;
        return;
      }
    }
    pos += bytesRead;
    const len = keep + bytesRead;
    lastByte = buf[len - 1]!;
    const end = pos >= size ? len : buf.lastIndexOf(eol, len - 1) + 1;
    if (end === 0) {
      keep = len;
      continue;
    }
    const n = scanBytes(buf, 0, end, line, bufOffset, collector, format, false);
    kept.add(buf, end, line, bufOffset, n);
    line += n;
    bufOffset += end;
    keep = len - end;
    if (keep) buf.copy(buf, 0, end, len);
  }
  kept.flush();
  info.bytesRead = pos;
  // A last line without its line end still counts as a line.
  info.linesRead = line - 1 + (size > 0 && lastByte !== eol ? 1 : 0);
}

/**
 * The keep() calls of a whole-file scan, made at its end with only the texts whose lines survive:
 * keep() of a text longer than MAX_KEPT_BYTES with a line break in its last MAX_KEPT_BYTES replaces
 * what earlier texts kept (its lines do not follow theirs), so those are dropped unread, and of the
 * others only the bytes keep() reads are copied. Splitting and cleaning ~1 MB of lines per 16 MiB read
 * cost the single-thread scan ~20-30 ms on the bench's 0.30 GB log; the parallel scan
 * (lastChunksToKeep in parallel-scan.ts) reads only the last texts' ends for the same reason.
 */
export class DeferredKeep {
  private texts: { store: Buffer; length: number; firstLine: number; baseOffset: number; newlines: number }[] = [];
  /**
   * The copies of texts a later text replaced, for the next copies: a whole-file scan copies ~1 MB of each
   * read, and a fresh buffer per read cost its pages' faults and a collection (~70 MB of new memory on the
   * bench's 0.30 GB log; docs/benchmarks.md, 2026-12-07, "the first scan's warm-up"). At most two kept.
   */
  private spare: Buffer[] = [];
  /** Bytes of the buffers allocated for copies (tests). */
  allocatedBytes = 0;

  constructor(private readonly collector: FindingCollector) {}

  /** Bytes [0, end) of buf, lines from `firstLine`, file offset `baseOffset`, `newlines` "\n". */
  add(buf: Buffer, end: number, firstLine: number, baseOffset: number, newlines: number): void {
    // keep() reads from one byte before its window (to find the first whole line).
    const from = end - MAX_KEPT_BYTES - 1;
    const nl = from >= 0 ? buf.indexOf(0x0a, from) : -1;
    const replaces = nl !== -1 && nl < end;
    if (replaces) {
      for (const t of this.texts) if (this.spare.length < 2) this.spare.push(t.store);
      this.texts = [];
    }
    const start = replaces ? from : 0;
    const length = end - start;
    const k = this.spare.findIndex((b) => b.length >= length);
    let store: Buffer;
    if (k >= 0) store = this.spare.splice(k, 1)[0]!;
    else {
      // A text that replaced the earlier ones may be replaced in turn: room for any later one. One that did
      // not (a small file's only read) gets its own size: 1 MiB for each small file of an --all scan cost
      // ~50 us more than the copy (docs/benchmarks.md, 2026-12-07 20:15).
      store = replaces ? Buffer.allocUnsafeSlow(Math.max(length, MAX_KEPT_BYTES + 1)) : Buffer.allocUnsafe(length);
      this.allocatedBytes += store.length;
    }
    buf.copy(store, 0, start, end);
    this.texts.push({ store, length, firstLine, baseOffset: baseOffset + start, newlines });
  }

  flush(): void {
    for (const t of this.texts) this.collector.keep(t.store, 0, t.length, t.firstLine, t.baseOffset, t.newlines);
    this.texts = [];
    this.spare = [];
  }
}

/** Whole-stream scan in chunks: memory stays bounded by the chunk size plus one line. */
async function scanWhole(chunks: AsyncIterable<Buffer>, collector: FindingCollector, info: ScannedFile): Promise<void> {
  let carry: Buffer = Buffer.alloc(0);
  let dataOffset = 0; // byte offset of the first byte of `carry` (and of the next `data`)
  let line = 1;
  let bytes = 0;
  // A stream's capture format is decided on its first read (its start is all a stream shows before it is
  // read), but for its learned prefix: its end is read last, so each read that teaches one sets it for itself
  // and the reads after it (the end's prefix is then the one the kept lines lose, as in a file's scan).
  let format: CaptureFormat | undefined;
  for await (const chunk of chunks) {
    bytes += chunk.length;
    const data = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    if (!format) {
      const binary = binaryProblem(data);
      if (binary) {
        info.problem = binary;
        info.bytesRead = bytes;
        return;
      }
      format = formatOfBytes(data);
      collector.learnedPrefix = format.prefix ?? undefined;
    }
    let end = data.lastIndexOf(format.lineEnd) + 1;
    // A line longer than MAX_LINE_BYTES is scanned in pieces rather than held in memory.
    if (end === 0 && data.length >= MAX_LINE_BYTES) end = data.length;
    if (end === 0) {
      carry = Buffer.from(data);
      continue;
    }
    format = withPrefixOf(data, end, format, collector);
    line += scanBytes(data, 0, end, line, dataOffset, collector, format);
    dataOffset += end;
    carry = end < data.length ? Buffer.from(data.subarray(end)) : Buffer.alloc(0);
  }
  // A last line without "\n" still counts as a line.
  if (carry.length) {
    format = withPrefixOf(carry, carry.length, format!, collector);
    line += scanBytes(carry, 0, carry.length, line, dataOffset, collector, format) + 1;
  }
  info.bytesRead = bytes;
  info.linesRead = line - 1;
}

/** `format` with the prefix bytes [0, end) of a stream's read teach (repaired as the format says), when they teach one. */
function withPrefixOf(data: Buffer, end: number, format: CaptureFormat, collector: FindingCollector): CaptureFormat {
  const text = Buffer.from(data.subarray(Math.max(0, end - FORMAT_TAIL_BYTES), end));
  repairCapture(text, 0, text.length, format);
  const nl = end > FORMAT_TAIL_BYTES ? text.indexOf(0x0a) + 1 : 0;
  const prefix = learnCapturePrefix(text, nl, text.length);
  if (!prefix || prefix.source === format.prefix?.source) return format;
  collector.learnedPrefix = prefix;
  return { ...format, prefix };
}

async function scanStdin(stream: NodeJS.ReadableStream, collector: FindingCollector, info: ScannedFile, lastN: number | null): Promise<void> {
  const chunks = asBuffers(stream);
  if (lastN === null) {
    await scanWhole(chunks, collector, info);
    return;
  }
  // Keep a window holding at least the last N lines; drop (and count) what falls out of it.
  let window: Buffer = Buffer.alloc(0);
  let droppedLines = 0;
  let droppedBytes = 0;
  let bytes = 0;
  const trim = (final: boolean) => {
    const start = startOfLastLines(window, lastN);
    if (start === 0 || (!final && window.length < 8 * 1024 * 1024)) return;
    droppedLines += countNewlines(window, start);
    droppedBytes += start;
    window = Buffer.from(window.subarray(start));
  };
  for await (const chunk of chunks) {
    bytes += chunk.length;
    window = window.length ? Buffer.concat([window, chunk]) : Buffer.from(chunk);
    trim(false);
  }
  trim(true);
  info.bytesRead = bytes;
  info.sizeBytes = bytes;
  const binary = binaryProblem(window);
  if (binary) {
    info.problem = binary;
    return;
  }
  info.linesRead = countLinesIn(window);
  const format = formatOfBytes(window);
  collector.learnedPrefix = format.prefix ?? undefined;
  scanBytes(window, 0, window.length, droppedLines + 1, droppedBytes, collector, format);
}

/** The capture format of bytes held in memory (a stream's), from their start and end as captureFormatOfFile reads a file's. */
function formatOfBytes(buf: Buffer): CaptureFormat {
  const from = Math.max(0, buf.length - FORMAT_TAIL_BYTES);
  return captureFormatOf(buf.subarray(0, FORMAT_HEAD_BYTES), Buffer.from(buf.subarray(from)), from === 0);
}

async function* asBuffers(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer | string>) yield typeof chunk === "string" ? Buffer.from(chunk) : chunk;
}

function startOfLastLines(buf: Buffer, n: number): number {
  let idx = buf.length - 1;
  if (idx >= 0 && buf[idx] === 0x0a) idx--;
  let found = 0;
  while (idx >= 0) {
    const nl = buf.lastIndexOf(0x0a, idx);
    if (nl < 0) return 0;
    if (++found === n) return nl + 1;
    idx = nl - 1;
  }
  return 0;
}

function countNewlines(buf: Buffer, end: number): number {
  let count = 0;
  let i = -1;
  while ((i = buf.indexOf(0x0a, i + 1)) !== -1 && i < end) count++;
  return count;
}

function countLinesIn(buf: Buffer): number {
  if (!buf.length) return 0;
  const n = countNewlines(buf, buf.length);
  return buf[buf.length - 1] === 0x0a ? n : n + 1;
}

/**
 * A problem message when the bytes look binary, else null. NUL bytes are ignored: a log cut by a
 * power loss often ends in zero-filled blocks and its last lines are exactly the ones wanted.
 * Binary data shows control bytes and invalid UTF-8 among the rest.
 */
export function binaryProblem(buf: Buffer): string | null {
  const n = Math.min(buf.length, BINARY_SAMPLE_BYTES);
  const sample = buf.subarray(0, n);
  // Counted with native searches, not a loop over the bytes: a tail scan runs this once, in cold
  // code, and V8 then compiled the loop with its optimising compiler (~20-30 ms of CPU per scan).
  const nul = countBytes(sample, 0);
  let control = 0;
  for (const b of CONTROL_BYTES) control += countBytes(sample, b);
  const textBytes = n - nul;
  if (textBytes === 0) return null;
  const share = (control + invalidUtf8(sample)) / textBytes;
  return share > BINARY_SHARE ? `looks binary (${Math.round(share * 100)}% control bytes or invalid UTF-8 in the first ${n} bytes read); not scanned` : null;
}
const HIGH_BYTE = /[\x80-\xff]/;

/** Control bytes that make text look binary: all below 0x20 but tab, LF, VT, FF, CR and ESC (colour codes), normal in logs; NUL is counted apart. */
const CONTROL_BYTES = [1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 28, 29, 30, 31];
const REPLACEMENT_CHAR = Buffer.from("\uFFFD", "utf8");

function countBytes(buf: Buffer, value: number | Buffer): number {
  let count = 0;
  for (let i = buf.indexOf(value); i !== -1; i = buf.indexOf(value, i + 1)) count++;
  return count;
}

/**
 * The U+FFFD characters a streaming UTF-8 decoder gives for `sample` (invalid sequences, and those
 * written as such): a character cut at the end is not counted. Decoded only where needed: valid
 * UTF-8 up to the last whole character holds no U+FFFD but those written.
 */
function invalidUtf8(sample: Buffer): number {
  // Where the last character starts, when it is cut (a lead byte with fewer continuation bytes than it needs).
  let end = sample.length;
  let k = end - 1;
  while (k >= 0 && end - k <= 3 && (sample[k]! & 0xc0) === 0x80) k--;
  if (k >= 0 && sample[k]! >= 0xc0 && end - k < (sample[k]! >= 0xf0 ? 4 : sample[k]! >= 0xe0 ? 3 : 2)) end = k;
  const head = sample.subarray(0, end);
  // Decoding the head and the rest apart gives what decoding the whole does: the head ends on a character boundary.
  if (!isUtf8(head)) return countReplacements(sample);
  return countBytes(head, REPLACEMENT_CHAR) + (end < sample.length ? countReplacements(sample.subarray(end)) : 0);
}

function countReplacements(bytes: Buffer): number {
  // stream: a character cut at the end of the sample is not counted as invalid.
  const decoded = new TextDecoder("utf-8").decode(bytes, { stream: true });
  let invalid = 0;
  for (let i = decoded.indexOf("\uFFFD"); i !== -1; i = decoded.indexOf("\uFFFD", i + 1)) invalid++;
  return invalid;
}

/**
 * The lines of bytes [start, end) a rule can match, by index in the text, each with the minimal anchors
 * found in it (one search of the whole lower-cased text, not one per line; AnchorSearch); the lines
 * holding ESC or NUL (`dirty`: the classifier removes ANSI codes and NULs first, which can join an
 * anchor or a factor), classified whatever they hold; and the CandidateText that classifies the
 * others. Undefined when some rule has no anchor (every line must be classified).
 */
function candidateLines(buf: Buffer, start: number, end: number, rules: CompiledRules): { lines: Map<number, string[]>; dirty: Set<number>; whole: CandidateText } | undefined {
  const search = rules.anchorSearch;
  if (!search || search.always.length) return undefined;
  // "\n" never belongs to a multi-byte sequence, and lower-casing keeps every "\n" and maps a line to
  // the line lower-cased alone (its only context rule, the final sigma, stops at a line break): line k
  // of `lower` is line k of the bytes, lower-cased as classifyLine does. A match reaching into the next
  // line only adds a candidate.
  const text = buf.toString("utf8", start, end);
  const lower = text.toLowerCase();
  const out = new Map<number, string[]>();
  // V8 compiles a regex apart for texts held two bytes a character (any character above U+00FF, as a
  // tqdm bar's "█"): ~0.7 ms for the anchors' alternation. A text that is not ASCII is searched in a copy
  // held one byte a character, each character above U+00FF replaced by its low byte (same length, same
  // positions): every anchor without such a character is found where it is, a replaced character can
  // only add a candidate, and the anchors with one are searched in the text itself.
  const ascii = text.length === end - start;
  const hay = ascii ? lower : Buffer.from(lower, "latin1").toString("latin1");
  const add = (pos: number, anchor: string, lines: { line: number; nl: number }) => {
    while (lines.nl !== -1 && lines.nl < pos) {
      lines.line++;
      lines.nl = lower.indexOf("\n", lines.nl + 1);
    }
    const list = out.get(lines.line);
    if (list) list.push(anchor);
    else out.set(lines.line, [anchor]);
  };
  const cursor = { line: 0, nl: lower.indexOf("\n") };
  // A small text without the alternation (forEachAnchor: its first run is a compile of ~640 alternatives).
  forEachAnchor(search, hay, (pos, anchor) => add(pos, anchor, cursor));
  if (!ascii) {
    for (const anchor of wideAnchors(search)) {
      const from = { line: 0, nl: lower.indexOf("\n") };
      for (let p = lower.indexOf(anchor); p !== -1; p = lower.indexOf(anchor, p + 1)) add(p, anchor, from);
    }
  }
  const dirty = new Set<number>();
  for (const special of ["\x1b", "\0"]) {
    let at = text.indexOf(special);
    if (at === -1) continue;
    let ln = 0;
    let from = 0;
    for (; at !== -1; at = text.indexOf(special, at + 1)) {
      for (let i = text.indexOf("\n", from); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) {
        ln++;
        from = i + 1;
      }
      dirty.add(ln);
    }
  }
  return { lines: out, dirty, whole: new CandidateText(rules, text, lower) };
}

const wideOf = new WeakMap<AnchorSearch, readonly string[]>();
/** The minimal anchors holding a character above U+00FF (found once per rule set). */
function wideAnchors(search: AnchorSearch): readonly string[] {
  let wide = wideOf.get(search);
  if (!wide) wideOf.set(search, (wide = [...search.rulesOf.keys()].filter((a) => /[^\x00-\xff]/.test(a))));
  return wide;
}

/**
 * Scans bytes [start, end) of buf, made of whole lines (the last may lack its "\n"; in a file whose lines
 * end in lone "\r", its "\r"). `firstLine` is the number of its first line (negative when counted from
 * the end); `baseOffset` the file offset of buf[start]; `format` the file's capture format
 * (captureFormatOf), by which the text is repaired in place first. Returns the number of "\n" (after
 * that repair).
 */
export function scanBytes(buf: Buffer, start: number, end: number, firstLine: number, baseOffset: number, collector: FindingCollector, format: CaptureFormat, keep = true): number {
  const rules = collector.rules;
  // A container runtime's JSON records (docker's json-file driver) are read as the lines they hold, lone "\r"
  // line ends as line ends, a text hard-wrapped at a terminal's width with its lines joined again: in place,
  // same length, as the file's format says (decided once per file, not on this text).
  repairCapture(buf, start, end, format);
  // The log's own capture prefix (a tool the known layers do not read: pdsh's `worker-1: `, kubectl's
  // `[pod/NAME/CONTAINER] `), learned from the file's end (its format): a line no rule matched as written
  // is tried without it.
  const learned = format.prefix;
  // `found`: the line's minimal anchors when known (the candidate search's); the text without the prefix
  // holds no anchor the line does not, so only the rules they name are tried on it.
  const orLearned = (raw: string, lm: LineMatch | null, found?: readonly string[]): LineMatch | null => (lm || !learned ? lm : classifyWithoutLearned(rules, raw, learned, found));
  // Building the prefilter costs more than classifying every line of a small text (a tail scan
  // of 1000 lines): it is built for the first large text and then used for every text.
  const pf = collector.prefiltered ? (builtPrefilter(rules) ?? (end - start >= PREFILTER_MIN_BYTES ? prefilterFor(rules) : undefined)) : undefined;
  if (!pf) {
    // A line holding no anchor of any rule (most of a log), or only anchors of rules whose patterns'
    // factors it lacks ("loss" of a trainer step without "nan"), is neither decoded nor classified.
    const candidates = collector.prefiltered ? candidateLines(buf, start, end, rules) : undefined;
    let newlines = 0;
    for (let ls = start; ls < end; newlines++) {
      let le = buf.indexOf(0x0a, ls);
      if (le < 0 || le >= end) le = end;
      const found = candidates?.lines.get(newlines);
      const dirty = candidates?.dirty.has(newlines) ?? true;
      if (dirty || (found && candidates!.whole.mayMatch(newlines, found))) {
        let raw = buf.toString("utf8", ls, le);
        if (raw.endsWith("\r")) raw = raw.slice(0, -1);
        const lm = found && !dirty ? orLearned(raw, candidates!.whole.classify(newlines, raw, found), found) : orLearned(raw, classifyLine(rules, raw));
        if (lm) collector.add(lm, firstLine + newlines, baseOffset + (ls - start));
      }
      if (le === end) break;
      ls = le + 1;
    }
    if (keep) collector.keep(buf, start, end, firstLine, baseOffset, newlines);
    return newlines;
  }
  const newlines = pf.scan(
    buf,
    start,
    end,
    (ls, le, before, patterns, cleaned) => {
      // Decoding the bytes as UTF-8 gives what a latin1 view re-encoded would: the line as written.
      let raw = buf.toString("utf8", ls, le);
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      // No candidate pattern matches a segment: no rule can match the line (a line with ANSI codes
      // or NULs is cleaned by the classifier first, so it is classified whenever it is a candidate).
      if (!cleaned && !pf.mayMatch(raw, patterns) && !(learned && withoutLearnedPrefix(raw, learned))) return;
      const lm = orLearned(raw, classifyLine(rules, raw));
      if (lm) collector.add(lm, firstLine + before, baseOffset + (ls - start));
    },
  );
  if (keep) collector.keep(buf, start, end, firstLine, baseOffset, newlines);
  return newlines;
}

/**
 * classifyLine on a line's text without the log's learned capture prefix, reported on the line as written.
 * `found`: the minimal anchors of the whole line (a superset of its text's, the text being its end), when
 * known: classifyCandidate then gives classifyLine's result trying only the rules they name.
 */
export function classifyWithoutLearned(rules: CompiledRules, raw: string, learned: LearnedPrefix, found?: readonly string[]): LineMatch | null {
  const body = withoutLearnedPrefix(raw, learned);
  const lm = body && (found ? classifyCandidate(rules, body.text, found) : classifyLine(rules, body.text));
  if (!lm) return null;
  return lm.text.length === body.text.length ? { ...lm, text: raw, bodyStart: body.cut + (lm.bodyStart ?? 0) } : lm;
}

/** One latin1 line as the parser wants it: UTF-8, no escape sequences, the last segment of a \r-progress line. */
function cleanLine(raw: string): string {
  let s = HIGH_BYTE.test(raw) ? Buffer.from(raw, "latin1").toString("utf8") : raw;
  if (s.includes("\x1b")) s = s.replace(ESCAPE_SEQUENCES, "");
  if (s.includes("\0")) s = s.replace(/\0+/g, "");
  if (s.includes("\r")) {
    const segs = s.split("\r").filter((x) => x.trim() !== "");
    s = segs.at(-1) ?? "";
  }
  return s;
}

/** Collects one file's findings and tracks incidents (runs of findings close to each other). */
export class FindingCollector {
  readonly findings: CrashFinding[] = [];
  dropped = 0;
  private incidentStart = 0;
  private lastLine: number | undefined;
  private readonly seenRulesInIncident = new Set<string>();
  private kept: KeptLines = { lines: [], firstLine: 1, offsets: [] };
  /** The failure the file's kept lines end in (set by finish). */
  failure: FailureReport | null = null;
  /** The log's own capture prefix (its capture format's, learned from its end): undefined when none. */
  learnedPrefix: LearnedPrefix | undefined;

  constructor(
    readonly file: string,
    readonly rules: CompiledRules,
    /** false: every line is classified (see ScanOptions.prefilter). */
    readonly prefiltered = true,
    /** How the process ended, when the watchdog knows (ScanOptions.exit): it bounds what the final error line may say. */
    readonly exit?: ScanOptions["exit"],
  ) {}

  /** Records a classified line (`line` as in CrashFinding.line, `byteOffset` absolute). */
  add(lm: LineMatch, line: number, byteOffset: number | null): void {
    const { rule, match, text } = lm;
    const counts = rule.severity !== "warning";
    if (counts) {
      if (this.lastLine !== undefined && line - this.lastLine > this.rules.incidentGapLines) this.newIncident();
      this.lastLine = line;
    }
    // Past the cap, keep only the first finding of each rule in the current incident: the earliest
    // lines and every class present are what the primary choice needs.
    if (this.findings.length >= MAX_FINDINGS_PER_FILE && (!counts || this.seenRulesInIncident.has(rule.id))) {
      this.dropped++;
      return;
    }
    if (counts) this.seenRulesInIncident.add(rule.id);
    let signature: string | undefined;
    this.findings.push({
      category: rule.category,
      ruleId: rule.id,
      role: rule.role,
      file: this.file,
      line,
      text: clipText(text.trim(), (lm.bodyStart ?? 0) + match.index - (text.length - text.trimStart().length)),
      suggestion: renderSuggestion(rule, match),
      // Hashed when first read (in its place among the fields): of a scan's findings, callers often read
      // only the primary's (history, `check`), and each hash is ~0.1 ms of cold code in a fresh process.
      get signature() {
        return (signature ??= crashSignature(rule.category, rule.id, match[0]));
      },
      severity: rule.severity,
      priority: rule.priority,
      byteOffset,
      finalIncident: false,
    });
  }

  private newIncident(): void {
    // Earlier incidents are history: when space is short, they are the first to go.
    if (this.findings.length > MAX_FINDINGS_PER_FILE / 2) {
      const earlier = this.findings.length;
      this.findings.length = 0;
      this.dropped += earlier;
    }
    this.incidentStart = this.findings.length;
    this.seenRulesInIncident.clear();
  }

  /**
   * Keeps the last lines of scanned bytes [from, to) of buf (whole lines; `newlines` is its count of
   * "\n") for the traceback parser. Texts come in file order, so a whole-file scan keeps the end of
   * the file.
   */
  keep(buf: Buffer, from: number, to: number, firstLine: number, baseOffset: number, newlines: number): void {
    let start = Math.max(from, to - MAX_KEPT_BYTES);
    if (start > from) {
      // The first line that begins inside the window; none (one huge line): all of it.
      const nl = buf.indexOf(0x0a, start - 1);
      start = nl >= 0 && nl < to ? nl + 1 : from;
    }
    // latin1: one character per byte, so lengths below are byte counts.
    const piece = buf.toString("latin1", start, to);
    start -= from;
    const raws = piece.split("\n");
    if (piece.endsWith("\n") || piece === "") raws.pop();
    const pieceNewlines = raws.length - (piece.endsWith("\n") ? 0 : 1);
    const first = firstLine + (newlines - Math.max(0, pieceNewlines));
    const offsets: (number | null)[] = [];
    let off = baseOffset + start;
    for (const r of raws) {
      offsets.push(off);
      off += r.length + 1;
    }
    const lines = raws.map(cleanLine);
    const prev = this.kept;
    const contiguous = prev.lines.length > 0 && prev.firstLine + prev.lines.length === first;
    const all: KeptLines = contiguous
      ? { lines: [...prev.lines, ...lines], firstLine: prev.firstLine, offsets: [...prev.offsets, ...offsets] }
      : { lines, firstLine: first, offsets };
    const drop = Math.max(0, all.lines.length - MAX_KEPT_LINES);
    this.kept = drop ? { lines: all.lines.slice(drop), firstLine: all.firstLine + drop, offsets: all.offsets.slice(drop) } : all;
  }

  /**
   * Marks the findings of the last incident (non-warnings) as `finalIncident`; when the file ends in
   * a failure no rule explains (a traceback, a C++ terminate, a launcher's summary), adds it.
   */
  finish(): CrashFinding[] {
    // Whole-line readers (the parser, metric tables, progress checks) read lines without capture prefixes.
    const captured = this.kept.asWritten ? null : capturedLines(this.kept.lines, this.learnedPrefix);
    if (captured) this.kept = { ...this.kept, lines: captured, asWritten: this.kept.lines };
    for (let i = this.incidentStart; i < this.findings.length; i++) {
      const f = this.findings[i]!;
      if (f.severity !== "warning") f.finalIncident = true;
    }
    // A final incident of deaths by signal (segfaults, kills) that the log goes on past, with training
    // progress after its last finding, did not end the run (a DataLoader worker's segfault the trainer
    // survived, a run restarted after a kill): it is history. Only signal deaths: a process killed by
    // one prints nothing more and its buffers are lost, so later progress is another process going on,
    // whereas after a Python error (OOM, full disk) stdout's buffer is flushed at exit, progress lines
    // printed before the error included; and a NaN loss is a state the run keeps printing through.
    // A scheduler's notice that it ends the job (Slurm's `CANCELLED AT`, its memory-limit kill) is the
    // end even when lines follow: Slurm sends SIGTERM and, KillWait seconds later, SIGKILL, and what the
    // job printed meanwhile or left in its pipe lands after the notice. A requeued job starts again.
    const final = this.findings.filter((f) => f.finalIncident);
    const jobEnded = final.some((f) => SCHEDULER_JOB_END.test(f.text));
    if (final.length > 0 && !jobEnded && final.every((f) => f.category === "segfault" || f.category === "process_killed")) {
      const at = Math.max(-1, final.at(-1)!.line - this.kept.firstLine);
      if (at < this.kept.lines.length && goesOnAfter(this.kept.lines, at)) for (const f of final) f.finalIncident = false;
    }
    // A launcher that restarted the workers after a failure, and training progress after the restart: the failure is
    // history (the run recovered), up to that progress, since Ray Train prints the failures it restarts after below its
    // notice. A failure of the restarted workers follows the progress and stays; a log that ends at the restart, before
    // any progress, keeps the failure.
    const restart = final.length ? Math.max(lastIndexMatching(this.kept.lines, "orker group", WORKERS_RESTARTED), agentRestartIndex(this.kept.lines)) : -1;
    const resumed = restart >= 0 ? progressAfter(this.kept.lines, restart) : -1;
    if (resumed >= 0) for (const f of final) if (f.line < resumed + this.kept.firstLine) f.finalIncident = false;
    // A start-up notice that ends the run only when it never got going (trait fatal_until_progress): training
    // progress after it makes it history, whatever else the final incident holds.
    for (const f of final) {
      if (this.rules.traits.fatal_until_progress.has(f.ruleId) && goesOnAfter(this.kept.lines, f.line - this.kept.firstLine)) f.finalIncident = false;
    }
    // A metric table whose loss column went NaN/Inf (a row says nothing to the per-line rules without
    // its header); before the fallback, which a rule-named cause in the final incident explains.
    const table = metricTableFinding(this.file, this.kept);
    if (table) this.insertInIncidents(table);
    // One parse: the failure, and the exceptions of a log that has none (a caught probe's traceback).
    const parsed = parseLog(this.kept.lines);
    this.failure = parsed.failure;
    demoteCaughtExceptions(this.findings, this.kept, parsed.exceptions);
    // An import failure a warning reported as the reason for a fallback (a custom op the library will do without).
    demoteWarningMessageImports(this.findings, this.kept);
    // A JIT build's compiler errors that the library reported and fell back from (it goes on without the kernel).
    demoteFallbackBuildOutput(this.findings, this.kept, parsed.exceptions);
    // A NaN/Inf loss followed by ordinary finite records of the same key: a skipped step the run went on from.
    demoteRecoveredNaN(this.findings, this.kept);
    // An error the run printed, caught and went on from (fairseq skipping the batch that ran out of memory).
    demoteRecoveredAbove(this.findings, this.rules.traits);
    // An error a batch-size search caught and retried with a smaller batch, training going on after it.
    demoteRetriedBelow(this.findings, this.rules.traits, this.kept);
    if (this.failure) {
      demoteSpawnChildErrors(this.findings, this.kept, this.failure);
      // A file its reader finds broken while the run reads training data: the data's failure, not a checkpoint's.
      demoteDataFileErrors(this.findings, this.kept, this.failure);
      demoteOtherRanksErrors(this.findings, this.kept, this.failure);
      const fb = fallbackFinding(this.file, this.kept, this.failure, this.findings, false, this.rules.traits);
      // A failure the launcher restarted the workers after, training going on since: history, as the rules' findings.
      if (fb && resumed >= 0 && fb.line < resumed + this.kept.firstLine) fb.finalIncident = false;
      if (fb) this.insert(fb);
    }
    // A log that ends while its process still waits (a store barrier) or retries a timed-out connection.
    // The readers of the log's last records read up to where the run's own output ends: what tools print
    // after the process ended (a tracker's summary, Slurm's notices, a prompt, an ignored exception at exit) follows it.
    const end = runEnd(this.kept.lines);
    const ran = end < this.kept.lines.length ? { ...this.kept, lines: this.kept.lines.slice(0, end), offsets: this.kept.offsets.slice(0, end) } : this.kept;
    const stuck = stuckWaitFinding(this.file, ran, this.findings, this.rules.traits);
    if (stuck) this.insert(stuck);
    // A log whose grad norm turned NaN/Inf at its last metric record, after finite ones, although no line failed.
    const diverged = stuck ? null : divergedEndFinding(this.file, ran, this.findings);
    if (diverged) this.insert(diverged);
    // A log that ends in an error block no rule, fallback or reader above named (a glog FATAL, a logger's ERROR record).
    // Not against a known exit: after a clean one the record was no failure (users log notices at ERROR level), and
    // a death by signal says more than a generic error line (the supervisor's default names the kill).
    const clean = this.exit && this.exit.signal == null && (this.exit.exitCode ?? 0) === 0;
    const ended = clean ? null : finalErrorFinding(this.file, ran, this.findings, this.failure, parsed.exceptions);
    if (ended && !(this.exit?.signal != null && ended.category === "python_exception")) this.insert(ended);
    return this.findings;
  }

  /** The fallback finding for a process known to have failed (the watchdog saw it exit non-zero). */
  finishFailed(): CrashFinding | null {
    if (!this.failure) return null;
    const fb = fallbackFinding(this.file, this.kept, this.failure, this.findings, true, this.rules.traits);
    if (fb) this.insert(fb);
    return fb;
  }

  /**
   * Inserts a finding made from the kept lines (not by a rule) into the incidents as a rule's would
   * be: in the final incident unless a later finding of an earlier incident, or a gap of more than
   * incidentGapLines, separates it from the end; a gap before it starts a new final incident.
   */
  private insertInIncidents(f: CrashFinding): void {
    const gap = this.rules.incidentGapLines;
    const counted = this.findings.filter((x) => x.severity !== "warning");
    const after = counted.filter((x) => x.line > f.line);
    const before = counted.filter((x) => x.line <= f.line);
    if (after.length > 0) {
      f.finalIncident = after[0]!.finalIncident && after[0]!.line - f.line <= gap;
    } else {
      f.finalIncident = true;
      const last = before.at(-1);
      if (last && f.line - last.line > gap) for (const x of before) x.finalIncident = false;
    }
    this.insert(f);
  }

  private insert(f: CrashFinding): void {
    if (this.findings.includes(f)) return;
    let i = this.findings.length;
    while (i > 0 && this.findings[i - 1]!.line > f.line) i--;
    this.findings.splice(i, 0, f);
  }
}

function clipText(text: string, matchIndex: number): string {
  if (text.length <= MAX_FINDING_TEXT) return text;
  const from = Math.max(0, Math.min(matchIndex - 200, text.length - MAX_FINDING_TEXT));
  return `${from > 0 ? "…" : ""}${text.slice(from, from + MAX_FINDING_TEXT)}…`;
}

function assemble(perFile: FileOutcome[], exitFailed = false): ScanResult {
  const findings: CrashFinding[] = [];
  const files: ScannedFile[] = [];
  const rank = new Map<string, { mtimeMs: number; index: number }>();
  let newest = -Infinity;
  perFile.forEach(({ info, collector, mtimeMs }, index) => {
    const fs = collector.finish();
    if (collector.dropped) info.droppedFindings = collector.dropped;
    files.push(info);
    findings.push(...fs);
    rank.set(info.file, { mtimeMs, index });
    if (fs.some((f) => f.finalIncident)) newest = Math.max(newest, mtimeMs);
  });
  const eligible = findings.filter((f) => f.finalIncident && rank.get(f.file)!.mtimeMs >= newest - STALE_FILE_WINDOW_MS);
  if (exitFailed && !eligible.length) {
    // The process failed and no finding explains it: the last exception in the newest log does.
    const byNewest = [...perFile].sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { collector } of byNewest) {
      const fb = collector.finishFailed();
      if (fb) {
        findings.push(fb);
        eligible.push(fb);
        break;
      }
    }
  }
  for (const info of files) {
    const r = rank.get(info.file)!;
    if (findings.some((f) => f.file === info.file && f.finalIncident) && r.mtimeMs < newest - STALE_FILE_WINDOW_MS) {
      info.stale = true;
    }
  }
  eligible.sort((a, b) => {
    const role = (b.role === "cause" ? 1 : 0) - (a.role === "cause" ? 1 : 0);
    if (role) return role;
    if (a.priority !== b.priority) return b.priority - a.priority;
    const ra = rank.get(a.file)!;
    const rb = rank.get(b.file)!;
    if (a.file !== b.file) return ra.mtimeMs - rb.mtimeMs || ra.index - rb.index;
    return a.line - b.line;
  });
  // Every file was scanned with the same rules (no file: no finding, no primary).
  return { primary: perFile.length ? choosePrimary(eligible, perFile[0]!.collector.rules.traits) : null, findings, files };
}

/** torch.distributed.elastic's agent logging a worker's failure (multiprocessing/api.py; the 1.x record and 2.x's glog form). */
const AGENT_WORKER_FAILED = /\bfailed \(exitcode: -?\d+\) local_rank: \d+ \(pid: \d+\) of binary\b/;
/** The agent giving up: its ChildFailedError and table follow the failure record when no restart is left. */
const AGENT_GAVE_UP = /\bChildFailedError\b|Root Cause \(first observed failure\)/;

/**
 * The agent's last failure record when it is not followed by its ChildFailedError (-1: none): with restarts left
 * (--max-restarts) torchrun logs only that record at its default level (`Worker group FAILED ... will restart` is an
 * INFO record, printed with LOGLEVEL=INFO) and starts the workers again (recorded with torch 1.13:
 * test/fixtures/crash/recorded/distributed/restart_recovered.txt).
 */
function agentRestartIndex(lines: readonly string[]): number {
  const at = lastIndexMatching(lines, "local_rank:", AGENT_WORKER_FAILED);
  if (at < 0) return -1;
  for (let i = at + 1; i < lines.length; i++) if (AGENT_GAVE_UP.test(lines[i]!)) return -1;
  return at;
}

/** The index of the last line matching `re` (-1: none); `literal`, a text every match holds, is tested first. */
function lastIndexMatching(lines: readonly string[], literal: string, re: RegExp): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i]!.includes(literal) && re.test(lines[i]!)) return i;
  return -1;
}

/**
 * How far below a `retries_below` warning the error it caught may be printed: the caught exception's message, or the
 * traceback the search prints with it (traceback.print_exc: a training loop's frames, a dozen lines).
 */
export const RETRIED_BELOW_LINES = 40;

/**
 * A warning of a `retries_below` rule says the run caught an error and retries with less (accelerate's
 * find_executable_batch_size and its copies, which print the notice and then the error they caught; ultralytics'
 * AutoBatch profile table): the fatal findings of the same category in the RETRIED_BELOW_LINES lines below it, up to the
 * next such notice, become warnings when the log shows training progress after the last of them (goesOnAfter), or when
 * they are the error's message alone (no traceback since the notice) and nothing fails after them. A traceback without
 * progress after it is the search giving up or the process dying: those findings stay. Changes `findings` in place.
 */
export function demoteRetriedBelow(findings: readonly CrashFinding[], traits: RuleTraits, kept: { lines: readonly string[]; firstLine: number }): void {
  for (let i = 0; i < findings.length; i++) {
    const w = findings[i]!;
    if (w.severity !== "warning" || !traits.retries_below.has(w.ruleId)) continue;
    const caught: CrashFinding[] = [];
    for (let j = i + 1; j < findings.length && findings[j]!.line <= w.line + RETRIED_BELOW_LINES; j++) {
      const f = findings[j]!;
      if (traits.retries_below.has(f.ruleId)) break;
      if (f.severity !== "warning" && f.category === w.category) caught.push(f);
    }
    const last = caught.at(-1);
    if (!last) continue;
    // Caught when training goes on after it, or when the search printed the error's message alone (no traceback
    // between the notice and it: ultralytics' profile logs the exception's text as a table row) and nothing failed after.
    const to = last.line - kept.firstLine;
    const traced = kept.lines.slice(Math.max(0, w.line - kept.firstLine), to + 1).some((l) => l.includes("Traceback (most recent call last)"));
    const failedAfter = findings.some((f) => f.line > last.line && f.severity !== "warning");
    if (!goesOnAfter(kept.lines, to) && (traced || failedAfter)) continue;
    for (const f of caught) {
      f.severity = "warning";
      f.finalIncident = false;
    }
  }
}

/**
 * How far above a `recovers_above` warning the error it recovered from may be printed (THC's OOM line, then fairseq's
 * notice; a logger's traceback line between them): 8 rows, because a capture that hard-wraps at 80 columns splits a
 * timestamped OOM message and the notice over several rows each (crash-corpus zzt minkowskiengine-359 wrapped: 5 apart).
 */
export const RECOVERED_ABOVE_LINES = 8;

/**
 * A warning of a `recovers_above` rule says the run caught the error printed just above it and went on:
 * the fatal findings of the same category in the RECOVERED_ABOVE_LINES lines above it become warnings (the
 * warning itself, with `explains_failure`, still names the error when a failure follows). Changes `findings` in place.
 */
export function demoteRecoveredAbove(findings: readonly CrashFinding[], traits: RuleTraits): void {
  // A file's findings are in line order (FindingCollector adds them in file order and inserts in place), so the
  // findings on the lines above a warning are the few just before it: one pass, not one pass per warning.
  for (let i = 0; i < findings.length; i++) {
    const w = findings[i]!;
    if (w.severity !== "warning" || !traits.recovers_above.has(w.ruleId)) continue;
    for (let j = i - 1; j >= 0 && findings[j]!.line >= w.line - RECOVERED_ABOVE_LINES; j--) {
      const f = findings[j]!;
      if (f.severity === "warning" || f.category !== w.category || f.line >= w.line) continue;
      f.severity = "warning";
      f.finalIncident = false;
    }
  }
}
