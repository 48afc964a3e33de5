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
 * Two threads (a 2-CPU machine): the second is a walk helper (walkUnits) that reads pieces of the file
 * into the WebAssembly walk's shared memory and walks them, and the main thread does the rest (the
 * events, the candidate patterns, classifying). A second thread that filters in JavaScript, as each
 * thread does with more threads (filterChunks), repeats a fresh isolate's compiles and garbage
 * collection at every scan on top of the same work: 0.07-0.14 s more CPU than one thread on the bench log.
 *
 * Nothing reaches the collector until every thread has finished: a worker that fails, or a file that
 * shrinks under the scan, gives an error and no findings (the caller reports the file's problem).
 * Workers are plain evaluated code (the prefilter's self-contained runtime and filterChunks, or
 * walkUnits, as source text), so they run the same under tsx and in the shipped bundle, and load no module.
 */
import fs from "node:fs";
import type { FileHandle } from "node:fs/promises";
import os from "node:os";
import { Worker } from "node:worker_threads";
import { learnCapturePrefix, withoutLearnedPrefix, type LearnedPrefix } from "./capture-prefix.js";
import { makeRuntime, prefilterFor, type CandidateVisitor, type Prefilter, type PrefilterRuntime, type PrefilterSpec, type WalkSpec } from "./prefilter.js";
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
 * Claims chunks of the file `fd` one at a time (next[0], shared by the threads, is the next one to
 * take) and returns, for each, its lines that a rule may match (the prefilter's candidates on which a
 * candidate pattern matches a segment, as scanBytes decides). Self-contained (its source is also the
 * workers' code): `fsMod` is node:fs. On an error it stops the other threads from claiming more.
 */
export function filterChunks(rt: Omit<PrefilterRuntime, "release">, fsMod: typeof fs, fd: number, chunks: readonly Chunk[], next: Int32Array): ChunkResult[] {
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
    const r: ChunkResult = { chunk: k, newlines: 0, before: [], offsets: [], raws: [] };
    r.newlines = rt.scan(
      b,
      0,
      len,
      (ls, le, before, patterns, cleaned) => {
      let raw = b.toString("utf8", ls, le);
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      if (!cleaned && !rt.mayMatch(raw, patterns)) return;
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
const { workerData, parentPort } = require("node:worker_threads");
try {
  const rt = makeRuntime(workerData.spec);
  let results;
  try {
    results = filterChunks(rt, require("node:fs"), workerData.fd, workerData.chunks, workerData.next);
  } finally {
    rt.release(); // its slot of the shared walk memory, for the next scan's workers
  }
  parentPort.postMessage({ results });
} catch (err) {
  Atomics.store(workerData.next, 0, workerData.chunks.length);
  parentPort.postMessage({ failed: String((err && err.message) || err), shrank: !!(err && err.shrank) });
}
`;

// The walk helper (a scan in two threads). Control words of WalkJob.ctl; then, per piece of work u,
// its state at C_STATUS + u and the end of its events at C_STATUS + units + u. walkUnits has its own
// copy of these numbers: its source is the helper's code, which must not refer to this module.
/** The next piece to claim (by either thread). */
const C_NEXT = 0;
/** Pieces the main thread is done with (their input region may be read into again). */
const C_DONE = 1;
/** Set when the main thread gives up: the helper stops. */
const C_STOP = 2;
const C_STATUS = 4;
/** A piece's state (0 until published): not walked (too long, or its events did not fit), for the main thread to scan. */
const NOT_WALKED = 2;

/** What the walk helper thread gets: the walk memory, the file, the pieces and where in the memory to read and walk them. */
export interface WalkJob {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  fd: number;
  units: readonly Chunk[];
  /** Control words (C_NEXT ...), shared with the main thread. */
  ctl: Int32Array;
  /** The walk's control block (final states, event pointers) in the memory. */
  ctrl: number;
  /** Per region of the ring: address of its input (inputBytes) and of its events (eventBytes). */
  inputs: readonly number[];
  events: readonly number[];
  inputBytes: number;
  eventBytes: number;
  blockBytes: number;
  /** Row offset of the first state that makes an event (firstSpecial << rowShift). */
  firstOff: number;
}

/**
 * The walk helper's loop (a thread of its own; self-contained, its source is the helper's code):
 * claims the next piece of work, reads it into a region of the ring (once the main thread is done with
 * what that region held), walks it as Prefilter.scan's WebAssembly path does (blocks, four streams cut
 * at line starts), packs each block's events in text order after the previous block's and publishes
 * the piece. It runs no JavaScript per byte or per line: the main thread handles the events
 * (Prefilter.scanWalked), runs the candidate patterns and classifies.
 */
export function walkUnits(job: WalkJob, fsMod: typeof fs): void {
  const [C_NEXT, C_DONE, C_STOP, C_STATUS, WALKED, NOT_WALKED] = [0, 1, 2, 4, 1, 2];
  const { ctl, units, inputs, events, inputBytes, eventBytes, blockBytes, firstOff, ctrl } = job;
  const count = units.length;
  const ring = inputs.length;
  const ex = new WebAssembly.Instance(job.module, { m: { mem: job.memory } }).exports as { walk4: Function; walk1: Function };
  const i32 = new Int32Array(job.memory.buffer);
  const c = ctrl >> 2;
  const cut = [0, 0, 0, 0, 0];
  const evFrom = [0, 0, 0, 0];
  const evTo = [0, 0, 0, 0];
  const fin = [0, 0, 0, 0];
  const publish = (u: number, state: number, eventsEnd: number) => {
    Atomics.store(ctl, C_STATUS + count + u, eventsEnd);
    Atomics.store(ctl, C_STATUS + u, state);
    Atomics.notify(ctl, C_STATUS + u);
  };
  for (;;) {
    const u = Atomics.add(ctl, C_NEXT, 1);
    if (u >= count) return;
    const from = units[u]!.from;
    const len = units[u]!.to - from;
    if (len > inputBytes) {
      publish(u, NOT_WALKED, 0);
      continue;
    }
    // The region held piece u - ring: wait until the main thread is done with it.
    for (let d = Atomics.load(ctl, C_DONE); d < u - ring + 1; d = Atomics.load(ctl, C_DONE)) {
      if (Atomics.load(ctl, C_STOP)) return;
      Atomics.wait(ctl, C_DONE, d, 1000);
    }
    if (Atomics.load(ctl, C_STOP)) return;
    const r = u % ring;
    const base = inputs[r]!;
    const text = Buffer.from(job.memory.buffer, base, len);
    for (let got = 0; got < len; ) {
      const n = fsMod.readSync(job.fd, text, got, len - got, from + got);
      if (n === 0) throw Object.assign(new Error("file shrank while it was read (rotated or truncated?)"), { shrank: true });
      got += n;
    }
    let e = events[r]!;
    const eventsEnd = e + eventBytes;
    let carry = 0;
    let walked = true;
    for (let b = 0; b < len; ) {
      // A block's events take at most 8 bytes per byte: a shorter block when the region is filling up.
      const room = (eventsEnd - e) >> 3;
      if (room < 4096 && room < len - b) {
        walked = false;
        break;
      }
      const be = Math.min(len, b + blockBytes, b + room);
      cut[0] = b;
      cut[4] = be;
      const quarter = (be - b) >> 2;
      for (let k = 1; k < 4; k++) {
        const nominal = b + k * quarter;
        const nl = nominal > cut[k - 1]! ? text.lastIndexOf(0x0a, nominal - 1) : -1;
        cut[k] = nl >= cut[k - 1]! && nl < be ? nl + 1 : cut[k - 1]!;
      }
      let lock = Infinity;
      for (let k = 0; k < 4; k++) {
        lock = Math.min(lock, cut[k + 1]! - cut[k]!);
        evFrom[k] = e + (cut[k]! - b) * 8;
      }
      ex.walk4(base + cut[0]!, base + cut[1]!, base + cut[2]!, base + cut[3]!, lock, evFrom[0]!, evFrom[1]!, evFrom[2]!, evFrom[3]!, carry, firstOff, ctrl);
      for (let k = 0; k < 4; k++) {
        fin[k] = i32[c + k]!;
        evTo[k] = i32[c + 4 + k]!;
      }
      for (let k = 0; k < 4; k++) {
        if (cut[k]! + lock >= cut[k + 1]!) continue;
        ex.walk1(base + cut[k]! + lock, base + cut[k + 1]!, evTo[k]!, fin[k]!, firstOff, ctrl);
        fin[k] = i32[c]!;
        evTo[k] = i32[c + 4]!;
      }
      for (let k = 3; k >= 0; k--) {
        if (cut[k + 1]! > cut[k]!) {
          carry = fin[k]!;
          break;
        }
      }
      // Streams 1-3 moved down after stream 0's events: the block's events in text order, packed.
      e = evTo[0]!;
      for (let k = 1; k < 4; k++) {
        const bytes = evTo[k]! - evFrom[k]!;
        if (bytes > 0 && evFrom[k] !== e) i32.copyWithin(e >> 2, evFrom[k]! >> 2, evTo[k]! >> 2);
        e += bytes;
      }
      b = be;
    }
    publish(u, walked ? WALKED : NOT_WALKED, e);
  }
}

/** The walk helper's code (CommonJS, evaluated): walkUnits, then a message saying it is done or why it failed. */
export const WALK_WORKER_CODE = `
"use strict";
const __name = (f) => f; // what tsx's keepNames adds to the functions' source
const walkUnits = ${walkUnits.toString()};
const { workerData, parentPort } = require("node:worker_threads");
try {
  walkUnits(workerData, require("node:fs"));
  parentPort.postMessage({ results: [] });
} catch (err) {
  parentPort.postMessage({ failed: String((err && err.message) || err), shrank: !!(err && err.shrank) });
}
`;

/** Options of a parallel scan (tests and the bench set them; the defaults suit the CLI). */
export interface ParallelOptions {
  /** Threads, the main thread included (default: os.availableParallelism(), at most MAX_SCAN_THREADS). */
  threads?: number;
  /** For tests: the worker's code is replaced by this (to make a worker fail). */
  workerCode?: string;
  /**
   * For tests: the two-thread scan's walk helper with smaller regions (pieces it cannot walk, events
   * that do not fit), or walking every piece it can (the main thread scans none by itself while it starts).
   */
  walkHelper?: { inputBytes?: number; eventBytes?: number; helperOnly?: boolean };
}

/**
 * The chunks the single-thread scan reads `size` bytes of the file in (reads of `chunkBytes`, each cut
 * after its last "\n"), found by reading only around each cut; with the file's last byte. Null when a
 * cut is not near the read's end (a line longer than the window): the single-thread scan then runs.
 */
async function singleThreadChunks(fh: FileHandle, size: number, chunkBytes: number): Promise<{ chunks: Chunk[]; lastByte: number } | null> {
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
      const nl = window.lastIndexOf(0x0a, pos - from - 1);
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
async function workUnits(fh: FileHandle, chunks: readonly Chunk[], unitBytes: number): Promise<{ units: Chunk[]; chunkOf: number[] }> {
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
      const nl = window.lastIndexOf(0x0a, p - ws - 1);
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

/** Bytes read from each chunk's end to learn a capture prefix there: at least what learnCapturePrefix reads (its last MiB, from its first line). */
const LEARN_READ_BYTES = 2 << 20;

/**
 * The first chunk that teaches the log's own capture prefix, and the prefix (learnCapturePrefix of
 * its text, as scanBytes calls it on each read until one does), or null. From that chunk on, a line
 * no rule matched is tried without the prefix, and the kept lines lose it. A few native searches per
 * chunk, in its last MiB.
 */
async function learnedPrefixOf(fh: FileHandle, chunks: readonly Chunk[]): Promise<{ chunk: number; prefix: LearnedPrefix } | null> {
  const buf = Buffer.allocUnsafe(LEARN_READ_BYTES);
  for (let k = 0; k < chunks.length; k++) {
    const c = chunks[k]!;
    // A chunk longer than what is read: learnCapturePrefix windows it the same way (its first line
    // starting in the last MiB).
    const from = Math.max(c.from, c.to - LEARN_READ_BYTES);
    const { bytesRead } = await fh.read(buf, 0, c.to - from, from);
    if (bytesRead !== c.to - from) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
    const prefix = learnCapturePrefix(buf, 0, bytesRead);
    if (prefix) return { chunk: k, prefix };
  }
  return null;
}

/** An error of a worker thread (code SCAN_WORKER: the scanner reports the file as not scanned, with this message). */
function workerError(message: string): Error {
  return Object.assign(new Error(message), { code: "SCAN_WORKER" });
}

function runWorker(code: string, workerData: { fd: number } & ({ spec: PrefilterSpec; chunks: readonly Chunk[]; next: Int32Array } | WalkJob)): { done: Promise<ChunkResult[]>; stop: () => Promise<unknown> } {
  const worker = new Worker(code, { eval: true, workerData, stdout: false, stderr: false });
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
 * Scans `size` bytes of the open file in parallel into `collector` (see the file comment); returns
 * false, having read nothing into the collector, when the file is better scanned by the single-thread
 * path (one thread, too few chunks, a cut inside a very long line). Throws FileShrankError or a
 * worker's error with the collector untouched.
 */
export async function scanFileParallel(
  fh: FileHandle,
  size: number,
  collector: FindingCollector,
  info: { bytesRead?: number; linesRead: number },
  chunkBytes: number,
  keepMaxBytes: number,
  opts: ParallelOptions = {},
): Promise<boolean> {
  const threads = Math.min(opts.threads ?? os.availableParallelism(), MAX_SCAN_THREADS);
  if (threads < 2) return false;
  const layout = await singleThreadChunks(fh, size, chunkBytes);
  if (!layout || layout.chunks.length < 2) return false;
  const { chunks, lastByte } = layout;
  const learned = await learnedPrefixOf(fh, chunks);
  // The filter workers do not try lines without a learned prefix: the single-thread scan does.
  if (learned && threads !== 2) return false;
  // The threads' work comes in quarters of chunks: the last piece of work, which one thread finishes
  // while the others wait, is then a quarter as long. Findings do not depend on where a text is cut.
  const { units, chunkOf } = await workUnits(fh, chunks, Math.ceil(chunkBytes / UNITS_PER_CHUNK));
  const pf = prefilterFor(collector.rules);
  // Two threads: the second one only walks (see scanWithWalkHelper). More: every thread filters.
  // The learned prefix of each piece (from the chunk that teaches it on, as scanBytes learns it).
  const learnedAt = (u: number): LearnedPrefix | null => (learned && chunkOf[u]! >= learned.chunk ? learned.prefix : null);
  let results = threads === 2 ? await scanWithWalkHelper(fh, pf, units, learnedAt, opts.workerCode ?? WALK_WORKER_CODE, opts.walkHelper) : null;
  if (!results) {
    if (learned) return false;
    results = await scanWithFilterWorkers(fh, pf, units, threads, opts.workerCode ?? WORKER_CODE);
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
  const keeps = await lastChunksToKeep(fh, chunks, keepMaxBytes);
  results.forEach((r, u) => {
    for (let j = 0; j < r.raws.length; j++) {
      const raw = r.raws[j]!;
      const prefix = learnedAt(u);
      // As scanBytes: a line no rule matched as written, tried without the learned prefix.
      const lm = classifyLine(collector.rules, raw) ?? (prefix ? classifyWithoutLearned(collector.rules, raw, prefix) : null);
      if (lm) collector.add(lm, unitFirstLines[u]! + r.before[j]!, r.offsets[j]!);
    }
  });
  for (const { k, buf, base } of keeps) collector.keep(buf, 0, buf.length, chunkFirstLines[k]!, base, chunkNewlines[k]!);
  if (learned) collector.learnedPrefix = learned.prefix;
  info.bytesRead = size;
  info.linesRead = line - 1 + (size > 0 && lastByte !== 0x0a ? 1 : 0);
  return true;
}

/** The pieces filtered by `threads` threads that each claim the next piece when free (filterChunks): the main thread and threads - 1 workers. */
async function scanWithFilterWorkers(fh: FileHandle, pf: Prefilter, units: readonly Chunk[], threads: number, code: string): Promise<ChunkResult[]> {
  // Each thread claims the next unit when it is free (a worker starts tens of milliseconds after the
  // main thread, and units differ in how many lines reach the regexes).
  const next = new Int32Array(new SharedArrayBuffer(4));
  const workers = Array.from({ length: threads - 1 }, () => runWorker(code, { spec: pf.bulkSpec(), fd: fh.fd, chunks: units, next }));
  const results: ChunkResult[] = [];
  try {
    for (const r of filterChunks(pf, fs, fh.fd, units, next)) results[r.chunk] = r;
    for (const list of await Promise.all(workers.map((w) => w.done))) for (const r of list) results[r.chunk] = r;
  } catch (err) {
    Atomics.store(next, 0, units.length);
    // Stopped before the caller closes the file: a worker must not read its descriptor after that
    // (the number could name another file by then).
    await Promise.all(workers.map((w) => w.stop()));
    if ((err as { shrank?: boolean }).shrank) throw new FileShrankError((err as Error).message);
    throw err;
  }
  return results;
}

/** The filtered piece `k` (from file offset `from`): `walk` calls the visitor for its candidate lines in `b` and returns its "\n" count. */
function pieceResult(pf: Prefilter, b: Buffer, from: number, k: number, learned: LearnedPrefix | null, walk: (visit: CandidateVisitor) => number): ChunkResult {
  const r: ChunkResult = { chunk: k, newlines: 0, before: [], offsets: [], raws: [] };
  // As filterChunks does.
  r.newlines = walk((ls, le, before, patterns, cleaned) => {
    let raw = b.toString("utf8", ls, le);
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    // A line that holds the learned prefix is classified without it too (scanBytes).
    if (!cleaned && !pf.mayMatch(raw, patterns) && !(learned && withoutLearnedPrefix(raw, learned))) return;
    r.before.push(before);
    r.offsets.push(from + ls);
    r.raws.push(raw);
  });
  return r;
}

/** Atomics.waitAsync (Node 16+; not in the ES2022 library this project compiles against). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: false } | { async: true; value: Promise<unknown> } }).waitAsync;

/**
 * The pieces filtered by the main thread with a second thread that only walks (walkUnits): the helper
 * reads each piece it claims into a region of the walk memory and walks it; the main thread handles
 * the events (Prefilter.scanWalked), runs the candidate patterns, and scans by itself the pieces the
 * helper has not claimed yet (while it starts) or could not walk. A helper that runs the whole
 * filter in JavaScript costs, at every scan, a fresh isolate's compiles and garbage collection on top
 * of the same work (docs/benchmarks.md); this one runs WebAssembly and a short loop. Null (nothing
 * read) when the walk memory has no room for it: the caller then uses filter workers.
 */
async function scanWithWalkHelper(fh: FileHandle, pf: Prefilter, units: readonly Chunk[], learnedAt: (u: number) => LearnedPrefix | null, code: string, limits: ParallelOptions["walkHelper"] = {}): Promise<ChunkResult[] | null> {
  const walk = pf.bulkSpec().walk;
  if (!walk) return null;
  let longest = 1;
  for (const c of units) longest = Math.max(longest, c.to - c.from);
  // The main thread's own slot first (what it scans by itself is read into it).
  const ownBuf = pf.inputBuffer(longest) ?? Buffer.allocUnsafe(longest);
  const region = takeHelperRegion(walk, limits);
  if (!region) return null;
  const count = units.length;
  const ctl = new Int32Array(new SharedArrayBuffer(4 * (C_STATUS + 2 * count)));
  const job: WalkJob = { module: walk.module, memory: walk.memory, fd: fh.fd, units, ctl, ...region.layout, firstOff: pf.spec.firstSpecial << walk.rowShift };
  const helper = runWorker(code, job);
  let helperDone = false;
  const ended = helper.done.then(() => (helperDone = true));
  ended.catch(() => {});
  const i32 = new Int32Array(walk.memory.buffer);
  const results: ChunkResult[] = [];
  try {
    for (let u = 0; u < count; u++) {
      const { from, to } = units[u]!;
      // The helper's start takes tens of milliseconds: the main thread scans the pieces it has not claimed yet.
      let mine = !limits.helperOnly && Atomics.compareExchange(ctl, C_NEXT, u, u + 1) === u;
      // Claimed by the helper: wait until it has walked it (or said it could not).
      while (!mine && Atomics.load(ctl, C_STATUS + u) === 0) {
        if (helperDone) throw workerError(`part ${u} of ${count} was not scanned by any thread`);
        const w = waitAsync(ctl, C_STATUS + u, 0);
        if (w.async) await Promise.race([w.value, ended]);
      }
      mine ||= Atomics.load(ctl, C_STATUS + u) === NOT_WALKED;
      if (mine) {
        for (let got = 0; got < to - from; ) {
          const { bytesRead } = await fh.read(ownBuf, got, to - from - got, from + got);
          if (bytesRead === 0) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
          got += bytesRead;
        }
        results.push(pieceResult(pf, ownBuf, from, u, learnedAt(u), (visit) => pf.scan(ownBuf, 0, to - from, visit, false, true)));
      } else {
        const r = u % job.inputs.length;
        const b = Buffer.from(walk.memory.buffer, job.inputs[r]!, to - from);
        const evFrom = job.events[r]!;
        const evTo = Atomics.load(ctl, C_STATUS + count + u);
        results.push(pieceResult(pf, b, from, u, learnedAt(u), (visit) => pf.scanWalked(b, 0, to - from, visit, i32, evFrom, evTo)));
      }
      Atomics.store(ctl, C_DONE, u + 1);
      Atomics.notify(ctl, C_DONE);
    }
    // Every piece was claimed: the helper claims no more and ends.
    await helper.done;
  } catch (err) {
    Atomics.store(ctl, C_STOP, 1);
    Atomics.notify(ctl, C_DONE);
    // Stopped before the caller closes the file and before the region is given back.
    await helper.stop();
    region.release();
    if ((err as { shrank?: boolean }).shrank) throw new FileShrankError((err as Error).message);
    throw err;
  }
  region.release();
  return results;
}

/**
 * The walk helper's ring in the shared walk memory: consecutive free slots (WalkSpec), taken together,
 * hold the helper's control block and, per region of the ring, an input and an events area. Null when
 * too few slots are free (other scans at the same time) for events of at least two blocks per piece.
 */
export function takeHelperRegion(walk: WalkSpec, limits: NonNullable<ParallelOptions["walkHelper"]>): { layout: Omit<WalkJob, "module" | "memory" | "fd" | "units" | "ctl" | "firstOff">; release: () => void } | null {
  const { slots, slotBase, slotBytes, blockBytes } = walk;
  // The longest run of free slots, taken one by one (another thread may take one meanwhile).
  let best: number[] = [];
  let run: number[] = [];
  for (let k = 0; k <= slots.length; k++) {
    if (k < slots.length && Atomics.load(slots, k) === 0) run.push(k);
    else {
      if (run.length > best.length) best = run;
      run = [];
    }
  }
  const taken = best.filter((k) => Atomics.compareExchange(slots, k, 0, 1) === 0);
  const release = () => {
    for (const k of taken) Atomics.store(slots, k, 0);
  };
  const ring = 2;
  const inputBytes = limits.inputBytes ?? slotBytes - 64 - 8 * blockBytes;
  const bytes = taken.length === best.length ? best.length * slotBytes : 0;
  const eventBytes = limits.eventBytes ?? Math.floor((bytes - 64 - ring * inputBytes) / ring / 64) * 64;
  if (bytes === 0 || 64 + ring * (inputBytes + eventBytes) > bytes || eventBytes < (limits.eventBytes ?? 16 * blockBytes)) {
    release();
    return null;
  }
  const base = slotBase + best[0]! * slotBytes;
  const inputs = Array.from({ length: ring }, (_, r) => base + 64 + r * (inputBytes + eventBytes));
  const events = inputs.map((a) => a + inputBytes);
  return { layout: { ctrl: base, inputs, events, inputBytes, eventBytes, blockBytes }, release };
}

/**
 * The chunks whose keep() calls leave the single-thread scan's kept lines, each with the bytes keep()
 * reads of it (its end): a chunk longer than `keepMaxBytes` with a line break in its last
 * `keepMaxBytes` replaces what earlier chunks kept, so keep() runs from the last such chunk on.
 */
async function lastChunksToKeep(fh: FileHandle, chunks: readonly Chunk[], keepMaxBytes: number): Promise<{ k: number; buf: Buffer; base: number }[]> {
  const pieces: { k: number; buf: Buffer; base: number }[] = [];
  for (let k = chunks.length - 1; k >= 0; k--) {
    const c = chunks[k]!;
    // keep() reads from one byte before its window (to find the first whole line).
    let base = Math.max(c.from, c.to - keepMaxBytes - 1);
    let buf = await readRange(fh, base, c.to);
    const replaces = c.to - c.from > keepMaxBytes && buf.indexOf(0x0a) !== -1;
    if (base > c.from && !replaces) {
      // No line break in the window: keep() takes the whole chunk (one long line).
      base = c.from;
      buf = await readRange(fh, base, c.to);
    }
    pieces.unshift({ k, buf, base });
    if (replaces) break;
  }
  return pieces;
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
