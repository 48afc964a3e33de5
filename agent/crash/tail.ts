/**
 * Reading the last N lines of a file in O(N lines), whatever the file size: chunks are read
 * backwards from the end until N line breaks are found. The file size is taken once (fstat) at the
 * start and only bytes below it are read, so a writer appending meanwhile cannot tear lines: the
 * result is the tail of the file as it was at that moment.
 *
 * Lines are split on "\n"; a trailing "\r" (CRLF) is removed; a last line without "\n" counts. On request
 * (loneCarriageReturnsAfter), a file whose end holds no "\n" at all is read as lines ending in lone "\r".
 * Splitting happens on raw bytes (0x0A never occurs inside a multi-byte UTF-8 sequence), so a
 * character cut by a chunk boundary is always reassembled before decoding.
 */
import { constants as fsConstants, type promises as fsp } from "node:fs";
// fs.promises, or synchronous reads in a one-shot `crash scan` (no libuv thread pool); the agent stays asynchronous.
import { files as fsFiles } from "../lib/fs-mode.js";

/** Files up to this size get absolute line numbers in tail mode (counting costs O(size)). */
export const COUNT_LINES_MAX_BYTES = 4 * 1024 * 1024;
/** Default size of the backward reads. */
export const TAIL_CHUNK_BYTES = 64 * 1024;
/** The tail never holds more than this; longer "lines" are cut at the front. */
export const TAIL_MAX_BYTES = 32 * 1024 * 1024;

export interface TailOptions {
  chunkBytes?: number;
  maxBytes?: number;
  /** Count line numbers for files up to this size (default COUNT_LINES_MAX_BYTES). */
  countLinesMaxBytes?: number;
  /**
   * When the file's last this many bytes hold no "\n" (and at least the wanted lines end in "\r"), its
   * lines are taken to end in lone "\r" (a serial console, classic Mac OS line ends): the tail is the
   * last N of those (loneCarriageReturns). Default: never (only "\n" ends a line).
   */
  loneCarriageReturnsAfter?: number;
}

export interface TailBytes {
  /** Bytes from `startOffset` to `sizeBytes`: whole lines (the last one may lack its "\n"). */
  buf: Buffer;
  startOffset: number;
  sizeBytes: number;
  /** Number of lines in buf. */
  lineCount: number;
  /** 1-based number of the first line in buf, null when unknown (large file). */
  firstLineNumber: number | null;
  /** True when maxBytes stopped the backward read before N lines were found. */
  cutAtMaxBytes: boolean;
  /** True when the lines are those ending in lone "\r" (see loneCarriageReturnsAfter): buf holds no "\n". */
  loneCarriageReturns?: boolean;
}

/**
 * Last `n` lines of `file`. `firstLineNumber` is the 1-based number of the first returned line, or
 * null when the file is larger than COUNT_LINES_MAX_BYTES and the tail does not reach its start
 * (then line k of the result is line -(lines.length - k) counted from the end).
 */
export async function readLastLines(file: string, n: number, opts: TailOptions = {}): Promise<{ lines: string[]; firstLineNumber: number | null }> {
  const tail = await readTailBytes(file, n, opts);
  return { lines: splitLines(tail.buf.toString("utf8")), firstLineNumber: tail.firstLineNumber };
}

/** Splits text into lines as described above (no empty line after a final "\n"). */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
  }
  return lines;
}

/** Raw bytes of the last `n` lines of `file` (see TailBytes). Throws fs errors (ENOENT, EISDIR, ...). */
export async function readTailBytes(file: string, n: number, opts: TailOptions = {}): Promise<TailBytes> {
  const fh = await fsFiles.open(file, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`${file}: is a directory`), { code: "EISDIR" });
    if (!st.isFile()) throw Object.assign(new Error(`${file}: is not a regular file`), { code: "ENOTREG" });
    return await tailOfHandle(fh, st.size, n, opts);
  } finally {
    await fh.close();
  }
}

/** Tail of an open file whose size was taken as `size`. */
export async function tailOfHandle(fh: fsp.FileHandle, size: number, n: number, opts: TailOptions = {}): Promise<TailBytes> {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`line count must be a positive integer, got ${n}`);
  const chunkBytes = Math.max(1, opts.chunkBytes ?? TAIL_CHUNK_BYTES);
  const maxBytes = Math.max(1, opts.maxBytes ?? TAIL_MAX_BYTES);
  if (size === 0) return { buf: Buffer.alloc(0), startOffset: 0, sizeBytes: 0, lineCount: 0, firstLineNumber: 1, cutAtMaxBytes: false };

  const chunks: Buffer[] = [];
  let pos = size;
  let found = 0; // line breaks found that start one of the wanted lines
  let start = -1;
  let skippedFinalNewline = false;
  let cut = false;
  // Lone "\r" line ends: looked for until a "\n" is seen; crStart is where the last n such lines start.
  const crAfter = opts.loneCarriageReturnsAfter;
  let noNewline = crAfter !== undefined;
  let crFound = 0;
  let crStart = -1;
  let loneCr = false;
  while (pos > 0 && start < 0) {
    const len = Math.min(chunkBytes, pos);
    const from = pos - len;
    const chunk = await readExactly(fh, from, len);
    chunks.unshift(chunk);
    let idx = len - 1;
    let crIdx = len - 1;
    if (!skippedFinalNewline) {
      skippedFinalNewline = true;
      // The file's final "\n" ends the last line; it does not start a new one (nor does a final lone "\r").
      if (chunk[len - 1] === 0x0a) idx = len - 2;
      if (chunk[len - 1] === 0x0d) crIdx = len - 2;
    }
    if (noNewline) {
      const lastNl = chunk.lastIndexOf(0x0a, len - 1);
      if (lastNl !== -1) {
        noNewline = false;
        crStart = -1;
      } else {
        while (crStart < 0 && crIdx >= 0) {
          const cr = chunk.lastIndexOf(0x0d, crIdx);
          if (cr < 0) break;
          if (++crFound === n) crStart = from + cr + 1;
          crIdx = cr - 1;
        }
      }
    }
    while (idx >= 0) {
      const nl = chunk.lastIndexOf(0x0a, idx);
      if (nl < 0) break;
      if (++found === n) {
        start = from + nl + 1;
        break;
      }
      idx = nl - 1;
    }
    pos = from;
    if (start < 0 && noNewline && crStart >= 0 && size - pos >= crAfter!) {
      // No "\n" in the last crAfter bytes: the lines end in lone "\r".
      start = crStart;
      loneCr = true;
      break;
    }
    if (start < 0 && size - pos >= maxBytes) {
      // Lines too long: keep only whole lines inside the last maxBytes (lines ending in "\r" when no "\n" was seen).
      cut = true;
      loneCr = noNewline;
      const all = Buffer.concat(chunks);
      const firstNl = all.indexOf(loneCr ? 0x0d : 0x0a, all.length - maxBytes);
      start = firstNl < 0 || firstNl + 1 >= all.length ? size : pos + firstNl + 1;
      break;
    }
  }
  if (start < 0) start = 0;
  const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const buf = all.subarray(start - pos);
  const lineCount = countLines(buf, loneCr ? 0x0d : 0x0a);
  let firstLineNumber: number | null = null;
  if (start === 0) firstLineNumber = 1;
  // Lone "\r" lines: the bytes before the tail were not searched for "\n", so their lines are not counted.
  else if (!loneCr && size <= (opts.countLinesMaxBytes ?? COUNT_LINES_MAX_BYTES)) firstLineNumber = 1 + (await countNewlines(fh, start, chunkBytes));
  const tail: TailBytes = { buf, startOffset: start, sizeBytes: size, lineCount, firstLineNumber, cutAtMaxBytes: cut };
  if (loneCr) tail.loneCarriageReturns = true;
  return tail;
}

/** Number of lines in a buffer of whole lines (a last line without its line end counts); lines end in `end` ("\n"). */
export function countLines(buf: Buffer, end = 0x0a): number {
  if (buf.length === 0) return 0;
  let count = 0;
  let i = -1;
  while ((i = buf.indexOf(end, i + 1)) !== -1) count++;
  return buf[buf.length - 1] === end ? count : count + 1;
}

async function countNewlines(fh: fsp.FileHandle, end: number, chunkBytes: number): Promise<number> {
  let count = 0;
  const size = Math.max(chunkBytes, 64 * 1024);
  for (let pos = 0; pos < end; pos += size) {
    const chunk = await readExactly(fh, pos, Math.min(size, end - pos));
    let i = -1;
    while ((i = chunk.indexOf(0x0a, i + 1)) !== -1) count++;
  }
  return count;
}

/** Error raised when a file got shorter while it was read (rotated or truncated). */
export class FileShrankError extends Error {
  readonly code = "ESHRANK";
}

async function readExactly(fh: fsp.FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) throw new FileShrankError("file shrank while it was read (rotated or truncated?)");
    got += bytesRead;
  }
  return buf;
}
