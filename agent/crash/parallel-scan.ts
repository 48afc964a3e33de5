/**
 * Whole-file scan of a large log in parallel (issue 13 item 3): the file is cut where the
 * single-thread scan (scanner.ts, scanFileWhole) cuts its reads, the runs of those chunks are
 * filtered by worker threads (the literal prefilter, then the candidate patterns on each line), and
 * the main thread classifies the few lines that survive, in file order, so that findings, line
 * numbers, incidents and the lines kept for the traceback parser are those of the single-thread scan.
 *
 * Why the single-thread scan's own chunks: the findings of a line do not depend on its chunk, but the
 * lines kept for the traceback parser do (each chunk keeps its last MAX_KEPT_BYTES); cutting where it
 * cuts makes every chunk the same text with the same first line, whichever thread reads it.
 *
 * Nothing reaches the collector until every thread has finished: a worker that fails, or a file that
 * shrinks under the scan, gives an error and no findings (the caller reports the file's problem).
 * Workers are plain evaluated code (the prefilter's self-contained runtime and filterChunks below, as
 * source text), so they run the same under tsx and in the shipped bundle, and load no module.
 */
import fs from "node:fs";
import type { FileHandle } from "node:fs/promises";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { decodeJsonLogRecords, loneCarriageReturnsToLineFeeds, repairCapture, type CaptureFormat } from "./capture-prefix.js";
import { makeRuntime, prefilterFor, type PrefilterRuntime, type PrefilterSpec } from "./prefilter.js";
import { classifyLine } from "./rules.js";
import { classifyWithoutLearned, type FindingCollector } from "./scanner.js";
import { FileShrankError } from "./tail.js";

/** Most threads a scan uses (the main thread included). */
export const MAX_SCAN_THREADS = 4;
/** Pieces of work per chunk of the single-thread scan. */
const UNITS_PER_CHUNK = 4;
/** Bytes read before a piece's nominal end to find a line end there. */
const UNIT_CUT_WINDOW_BYTES = 64 * 1024;
/** Bytes read before each cut to find the line end the single-thread scan cuts at. */
const CUT_WINDOW_BYTES = 256 * 1024;

/** Bytes [from, to) of the file: one read of the single-thread scan, whole lines (the last may lack its "\n"). */
export interface Chunk {
  readonly from: number;
  readonly to: number;
}

/** A filtered chunk: its "\n" count and, per line that may hold a finding, the line's index in the chunk, file offset and text. */
export interface ChunkResult {
  /** Index of the chunk (of the piece of work, in scanFileParallel) in the list given to filterChunks. */
  chunk: number;
  newlines: number;
  before: number[];
  offsets: number[];
  raws: string[];
}

/**
 * The repairs of the file's capture format the workers make (all but the wrap's: a wrapped log is scanned by
 * one thread), as plain data for workerData: docker records, lone "\r" line ends, the learned prefix's source.
 */
export interface WorkerRepair {
  jsonRecords: boolean;
  loneCarriageReturns: boolean;
  prefixSource: string | null;
}

/** The repair functions filterChunks calls (passed in: in a worker they are its code's own copies). */
export interface RepairFns {
  decodeJsonLogRecords: typeof decodeJsonLogRecords;
  loneCarriageReturnsToLineFeeds: typeof loneCarriageReturnsToLineFeeds;
}

/**
 * Claims chunks of the file `fd` one at a time (next[0], shared by the threads, is the next one to
 * take), repairs each as its file's capture format says (as scanBytes does: lone "\r" line ends made
 * "\n", docker records decoded) and returns, for each, its lines that a rule may match (the prefilter's
 * candidates on which a candidate pattern matches a segment, or that start with the learned prefix, as
 * scanBytes decides). Self-contained (its source is also the workers' code): `fsMod` is node:fs. On an
 * error it stops the other threads from claiming more.
 */
export function filterChunks(rt: Omit<PrefilterRuntime, "release">, fsMod: typeof fs, fd: number, chunks: readonly Chunk[], next: Int32Array, repair: WorkerRepair, fns: RepairFns): ChunkResult[] {
  const learned = repair.prefixSource === null ? null : new RegExp(repair.prefixSource, "y");
  const startsLearned = (raw: string): boolean => {
    learned!.lastIndex = 0;
    const m = learned!.exec(raw);
    return m !== null && m[0].length > 0;
  };
  let longest = 1;
  for (const c of chunks) longest = Math.max(longest, c.to - c.from);
  let buf: Buffer | null = null;
  const out: ChunkResult[] = [];
  for (;;) {
    const k = Atomics.add(next, 0, 1);
    if (k >= chunks.length) break;
    const c = chunks[k]!;
    const len = c.to - c.from;
    // Allocated on the first claim: a thread that starts late may find nothing left. Inside the
    // WebAssembly walk's memory when it fits: the walk then reads the bytes where they were read to.
    buf ??= rt.inputBuffer(longest) ?? Buffer.allocUnsafe(longest);
    const b = buf;
    for (let got = 0; got < len; ) {
      const n = fsMod.readSync(fd, b, got, len - got, c.from + got);
      if (n === 0) {
        Atomics.store(next, 0, chunks.length);
        throw Object.assign(new Error("file shrank while it was read (rotated or truncated?)"), { shrank: true });
      }
      got += n;
    }
    if (repair.loneCarriageReturns) fns.loneCarriageReturnsToLineFeeds(b, 0, len);
    if (repair.jsonRecords) fns.decodeJsonLogRecords(b, 0, len);
    const r: ChunkResult = { chunk: k, newlines: 0, before: [], offsets: [], raws: [] };
    r.newlines = rt.scan(
      b,
      0,
      len,
      (ls, le, before, patterns, cleaned) => {
      let raw = b.toString("utf8", ls, le);
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      if (!cleaned && !rt.mayMatch(raw, patterns) && !(learned && startsLearned(raw))) return;
      r.before.push(before);
      r.offsets.push(c.from + ls);
      r.raws.push(raw);
      },
      false,
      true,
    );
    out.push(r);
  }
  return out;
}

/** The workers' code (CommonJS, evaluated): rebuild the prefilter from its spec, filter the chunks, post the result. */
export const WORKER_CODE = `
"use strict";
const __name = (f) => f; // what tsx's keepNames adds to the functions' source
const makeRuntime = ${makeRuntime.toString()};
const filterChunks = ${filterChunks.toString()};
const fns = { decodeJsonLogRecords: ${decodeJsonLogRecords.toString()}, loneCarriageReturnsToLineFeeds: ${loneCarriageReturnsToLineFeeds.toString()} };
const { workerData, parentPort } = require("node:worker_threads");
try {
  const rt = makeRuntime(workerData.spec);
  let results;
  try {
    results = filterChunks(rt, require("node:fs"), workerData.fd, workerData.chunks, workerData.next, workerData.repair, fns);
  } finally {
    rt.release(); // its slot of the shared walk memory, for the next scan's workers
  }
  parentPort.postMessage({ results });
} catch (err) {
  Atomics.store(workerData.next, 0, workerData.chunks.length);
  parentPort.postMessage({ failed: String((err && err.message) || err), shrank: !!(err && err.shrank) });
}
`;

/**
 * The threads of a whole-file scan that names none: one per CPU the machine leaves idle (rounded), at
 * least one, at most MAX_SCAN_THREADS. `cpus`: the CPUs this process may run on
 * (os.availableParallelism()); `load`: the 1-minute load average (os.loadavg()[0]: on Linux the
 * machine's tasks running, waiting for a CPU or in uninterruptible sleep; 0 on Windows, which then
 * gets every CPU); `onlineCpus`: the CPUs that load is spread over (os.cpus().length: more than `cpus`
 * in a container held to some of the host's CPUs, whose load average is the host's).
 *
 * Why (docs/benchmarks.md, 2026-12-07, "the whole-file scan's threads follow the load"): a second
 * thread costs ~10 % more CPU at any load and buys wall time reliably only with a CPU to itself. On
 * the 2-CPU bench machine, quiet, two threads take ~0.55x rg's wall against ~0.87x for one; with the
 * CPUs taken (load 3.5-10) two threads went from 30 % faster to 30 % slower than one, run to run, and
 * what they gain they take from the work that holds the CPUs (a trainer's DataLoader workers, a CI
 * job). Rounded: a CPU idle half the time counts. The 1-minute average lags: for about a minute
 * after the load falls the scan stays in fewer threads than the idle CPUs would allow.
 */
export function scanThreadsFor(cpus: number, load: number, onlineCpus = cpus): number {
  const idle = cpus - (load * cpus) / Math.max(cpus, onlineCpus);
  return Math.max(1, Math.min(MAX_SCAN_THREADS, Math.round(idle)));
}

/** Options of a parallel scan (tests and the bench set them; the defaults suit the CLI). */
export interface ParallelOptions {
  /** Threads, the main thread included, at most MAX_SCAN_THREADS (default: scanThreadsFor this machine now). */
  threads?: number;
  /** For tests: the worker's code is replaced by this (to make a worker fail). */
  workerCode?: string;
}

/**
 * The chunks the single-thread scan reads `size` bytes of the file in (reads of `chunkBytes`, each cut
 * after its last "\n"), found by reading only around each cut; with the file's last byte. Null when a
 * cut is not near the read's end (a line longer than the window): the single-thread scan then runs.
 */
async function singleThreadChunks(fh: FileHandle, size: number, chunkBytes: number, eol: number): Promise<{ chunks: Chunk[]; lastByte: number } | null> {
  const bufLen = Math.max(1, Math.min(chunkBytes, size));
  const window = Buffer.allocUnsafe(Math.min(CUT_WINDOW_BYTES, bufLen));
  const chunks: Chunk[] = [];
  let pos = 0;
  let keep = 0;
  let offset = 0;
  while (pos < size) {
    if (keep === bufLen) return null; // the single-thread scan grows its buffer here
    const len = Math.min(bufLen - keep, size - pos);
    pos += len;
    const total = keep + len;
    let end = total;
    if (pos < size) {
      const from = Math.max(offset, pos - window.length);
      const { bytesRead } = await fh.read(window, 0, pos - from, from);
      if (bytesRead !== pos - from) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
      const nl = window.lastIndexOf(eol, pos - from - 1);
      if (nl < 0) return null;
      end = from + nl + 1 - offset;
    }
    chunks.push({ from: offset, to: offset + end });
    offset += end;
    keep = total - end;
  }
  const last = Buffer.alloc(1);
  if (size > 0 && (await fh.read(last, 0, 1, size - 1)).bytesRead !== 1) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
  return { chunks, lastByte: last[0]! };
}

/**
 * Each chunk cut into about `unitBytes` pieces after a line break (found by reading a little before
 * each cut; no break there: no cut), with the chunk each piece belongs to.
 */
async function workUnits(fh: FileHandle, chunks: readonly Chunk[], unitBytes: number, eol: number): Promise<{ units: Chunk[]; chunkOf: number[] }> {
  const units: Chunk[] = [];
  const chunkOf: number[] = [];
  const window = Buffer.allocUnsafe(Math.max(1, Math.min(UNIT_CUT_WINDOW_BYTES, unitBytes)));
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!;
    let from = c.from;
    for (let p = c.from + unitBytes; p < c.to; p += unitBytes) {
      const ws = Math.max(from, p - window.length);
      if (ws >= p) continue;
      const { bytesRead } = await fh.read(window, 0, p - ws, ws);
      if (bytesRead !== p - ws) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
      const nl = window.lastIndexOf(eol, p - ws - 1);
      if (nl < 0) continue;
      units.push({ from, to: ws + nl + 1 });
      chunkOf.push(k);
      from = ws + nl + 1;
    }
    units.push({ from, to: c.to });
    chunkOf.push(k);
  }
  return { units, chunkOf };
}

/** An error of a worker thread (code SCAN_WORKER: the scanner reports the file as not scanned, with this message). */
function workerError(message: string): Error {
  return Object.assign(new Error(message), { code: "SCAN_WORKER" });
}

function runWorker(code: string, spec: PrefilterSpec, fd: number, chunks: readonly Chunk[], next: Int32Array, repair: WorkerRepair): { done: Promise<ChunkResult[]>; stop: () => Promise<unknown> } {
  const worker = new Worker(code, { eval: true, workerData: { spec, fd, chunks, next, repair }, stdout: false, stderr: false });
  const done = new Promise<ChunkResult[]>((resolve, reject) => {
    worker.once("message", (m: { results?: ChunkResult[]; failed?: string; shrank?: boolean }) => {
      if (m.results) resolve(m.results);
      else if (m.shrank) reject(new FileShrankError(m.failed ?? "file shrank while it was read"));
      else reject(workerError(`a scan worker failed: ${m.failed}`));
    });
    worker.once("error", (err) => reject(workerError(`a scan worker failed: ${err.message}`)));
    worker.once("exit", (code) => reject(workerError(`a scan worker exited (code ${code}) before it reported`)));
  });
  // Settled by whichever comes first; the rest are ignored. The worker ends once it has posted.
  done.catch(() => {});
  return { done, stop: () => worker.terminate() };
}

/**
 * Scans `size` bytes of the open file in parallel into `collector` (see the file comment), its texts
 * repaired as its capture format says (`format`, the file's: docker records decoded, lone "\r" line ends
 * made "\n" and the learned prefix tried, as scanBytes does on each read); returns false, having read
 * nothing into the collector, when the file is better scanned by the single-thread path (one thread, too
 * few chunks, a cut inside a very long line, a hard-wrapped log: its pieces are joined across the lines
 * of a read, which the workers' pieces of work would cut elsewhere). Throws FileShrankError or a worker's
 * error with the collector untouched.
 */
export async function scanFileParallel(
  fh: FileHandle,
  size: number,
  collector: FindingCollector,
  info: { bytesRead?: number; linesRead: number },
  chunkBytes: number,
  keepMaxBytes: number,
  format: CaptureFormat,
  opts: ParallelOptions = {},
): Promise<boolean> {
  const threads = Math.min(opts.threads ?? scanThreadsFor(os.availableParallelism(), os.loadavg()[0]!, os.cpus().length), MAX_SCAN_THREADS);
  if (threads < 2 || format.wrapWidth) return false;
  const eol = format.lineEnd;
  const layout = await singleThreadChunks(fh, size, chunkBytes, eol);
  if (!layout || layout.chunks.length < 2) return false;
  const { chunks, lastByte } = layout;
  // The threads' work comes in quarters of chunks: the last piece of work, which one thread finishes
  // while the others wait, is then a quarter as long. Findings do not depend on where a text is cut.
  const { units, chunkOf } = await workUnits(fh, chunks, Math.ceil(chunkBytes / UNITS_PER_CHUNK), eol);
  const repair: WorkerRepair = { jsonRecords: format.jsonRecords, loneCarriageReturns: eol === 0x0d, prefixSource: format.prefix?.source ?? null };
  const pf = prefilterFor(collector.rules);
  const code = opts.workerCode ?? WORKER_CODE;
  // Each thread claims the next unit when it is free (a worker starts tens of milliseconds after the
  // main thread, and units differ in how many lines reach the regexes).
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: threads - 1 }, () => runWorker(code, pf.bulkSpec(), fh.fd, units, next, repair));
  const results: ChunkResult[] = [];
  try {
    for (const r of filterChunks(pf, fs, fh.fd, units, next, repair, { decodeJsonLogRecords, loneCarriageReturnsToLineFeeds })) results[r.chunk] = r;
    for (const list of await Promise.all(workers.map((w) => w.done))) for (const r of list) results[r.chunk] = r;
  } catch (err) {
    Atomics.store(next, 0, units.length);
    // Stopped before the caller closes the file: a worker must not read its descriptor after that
    // (the number could name another file by then).
    await Promise.all(workers.map((w) => w.stop()));
    if ((err as { shrank?: boolean }).shrank) throw new FileShrankError((err as Error).message);
    throw err;
  }
  for (let k = 0; k < units.length; k++) if (!results[k]) throw workerError(`part ${k} of ${units.length} was not scanned by any thread`);
  // Every thread finished: classify in file order, as the single-thread scan does chunk by chunk,
  // once the bytes of the lines to keep are read too (a read that fails leaves the collector untouched).
  const unitFirstLines: number[] = [];
  const chunkFirstLines: number[] = [];
  const chunkNewlines = new Array<number>(chunks.length).fill(0);
  let line = 1;
  results.forEach((r, u) => {
    const k = chunkOf[u]!;
    if (chunkFirstLines[k] === undefined) chunkFirstLines[k] = line;
    chunkNewlines[k]! += r.newlines;
    unitFirstLines.push(line);
    line += r.newlines;
  });
  const keeps = await lastChunksToKeep(fh, chunks, keepMaxBytes, format);
  const learned = format.prefix;
  results.forEach((r, u) => {
    for (let j = 0; j < r.raws.length; j++) {
      const raw = r.raws[j]!;
      const lm = classifyLine(collector.rules, raw) ?? (learned ? classifyWithoutLearned(collector.rules, raw, learned) : null);
      if (lm) collector.add(lm, unitFirstLines[u]! + r.before[j]!, r.offsets[j]!);
    }
  });
  for (const { k, buf, base } of keeps) collector.keep(buf, 0, buf.length, chunkFirstLines[k]!, base, chunkNewlines[k]!);
  info.bytesRead = size;
  info.linesRead = line - 1 + (size > 0 && lastByte !== eol ? 1 : 0);
  return true;
}

/**
 * The chunks whose keep() calls leave the single-thread scan's kept lines, each with the bytes keep()
 * reads of it (its end): a chunk longer than `keepMaxBytes` with a line break in its last
 * `keepMaxBytes` replaces what earlier chunks kept, so keep() runs from the last such chunk on.
 */
async function lastChunksToKeep(fh: FileHandle, chunks: readonly Chunk[], keepMaxBytes: number, format: CaptureFormat): Promise<{ k: number; buf: Buffer; base: number }[]> {
  const pieces: { k: number; buf: Buffer; base: number }[] = [];
  for (let k = chunks.length - 1; k >= 0; k--) {
    const c = chunks[k]!;
    // keep() reads from one byte before its window (to find the first whole line).
    let base = Math.max(c.from, c.to - keepMaxBytes - 1);
    // Repaired as the single-thread scan's read is before keep() reads it (the repairs are line by line: a
    // window's first, cut line, which keep() skips, changes nothing after it).
    let buf = repaired(await readRange(fh, base, c.to), format);
    const replaces = c.to - c.from > keepMaxBytes && buf.indexOf(0x0a) !== -1;
    if (base > c.from && !replaces) {
      // No line break in the window: keep() takes the whole chunk (one long line).
      base = c.from;
      buf = repaired(await readRange(fh, base, c.to), format);
    }
    pieces.unshift({ k, buf, base });
    if (replaces) break;
  }
  return pieces;
}

function repaired(buf: Buffer, format: CaptureFormat): Buffer {
  repairCapture(buf, 0, buf.length, format);
  return buf;
}

async function readRange(fh: FileHandle, from: number, to: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(to - from);
  for (let got = 0; got < buf.length; ) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, from + got);
    if (bytesRead === 0) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
    got += bytesRead;
  }
  return buf;
}
