/**
 * Reading the last N lines of a file in O(N lines), whatever the file size: chunks are read
 * backwards from the end until N line breaks are found. The file size is taken once (fstat) at the
 * start and only bytes below it are read, so a writer appending meanwhile cannot tear lines: the
 * result is the tail of the file as it was at that moment.
 *
 * Lines are split on "\n"; a trailing "\r" (CRLF) is removed; a last line without "\n" counts. On request
 * (lineEnd), a file whose lines end in lone "\r" (its capture format, decided by the caller) is read as such.
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
   * The byte that ends a line: 0x0a ("\n", the default), or 0x0d for a file whose lines end in lone "\r"
   * (a serial console, classic Mac OS line ends; the scanner decides it once per file, captureFormatOf):
   * the tail is then the last N of those lines, and buf still holds them with their "\r".
   */
  lineEnd?: 0x0a | 0x0d;
  /**
   * Bytes of the file already read, as they are on disk (the scanner's capture-format sample: its first and last
   * bytes): a read that falls inside one is served from it instead of the file, so a tail scan reads its tail once.
   */
  known?: readonly KnownBytes[];
}

/** `bytes` are the file's bytes from `offset` on, as read from it. */
export interface KnownBytes {
  offset: number;
  bytes: Buffer;
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

  const eol = opts.lineEnd ?? 0x0a;
  const chunks: Buffer[] = [];
  let pos = size;
  let found = 0; // line ends found that start one of the wanted lines
  let start = -1;
  let skippedFinalEnd = false;
  let cut = false;
  while (pos > 0 && start < 0) {
    const len = Math.min(chunkBytes, pos);
    const from = pos - len;
    const chunk = await readRange(fh, from, len, opts.known);
    chunks.unshift(chunk);
    let idx = len - 1;
    if (!skippedFinalEnd) {
      skippedFinalEnd = true;
      // The file's final line end ends the last line; it does not start a new one.
      if (chunk[len - 1] === eol) idx = len - 2;
    }
    while (idx >= 0) {
      const nl = chunk.lastIndexOf(eol, idx);
      if (nl < 0) break;
      if (++found === n) {
        start = from + nl + 1;
        break;
      }
      idx = nl - 1;
    }
    pos = from;
    if (start < 0 && size - pos >= maxBytes) {
      // Lines too long: keep only whole lines inside the last maxBytes.
      cut = true;
      const all = Buffer.concat(chunks);
      const firstNl = all.indexOf(eol, all.length - maxBytes);
      start = firstNl < 0 || firstNl + 1 >= all.length ? size : pos + firstNl + 1;
      break;
    }
  }
  if (start < 0) start = 0;
  const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const buf = all.subarray(start - pos);
  const lineCount = countLines(buf, eol);
  let firstLineNumber: number | null = null;
  if (start === 0) firstLineNumber = 1;
  else if (size <= (opts.countLinesMaxBytes ?? COUNT_LINES_MAX_BYTES)) firstLineNumber = 1 + (await countLineEnds(fh, start, chunkBytes, eol, opts.known));
  return { buf, startOffset: start, sizeBytes: size, lineCount, firstLineNumber, cutAtMaxBytes: cut };
}

/** Number of lines in a buffer of whole lines (a last line without its line end counts); lines end in `end` ("\n"). */
export function countLines(buf: Buffer, end = 0x0a): number {
  if (buf.length === 0) return 0;
  let count = 0;
  let i = -1;
  while ((i = buf.indexOf(end, i + 1)) !== -1) count++;
  return buf[buf.length - 1] === end ? count : count + 1;
}

async function countLineEnds(fh: fsp.FileHandle, end: number, chunkBytes: number, eol: number, known?: readonly KnownBytes[]): Promise<number> {
  let count = 0;
  const size = Math.max(chunkBytes, 64 * 1024);
  for (let pos = 0; pos < end; pos += size) {
    const chunk = await readRange(fh, pos, Math.min(size, end - pos), known);
    let i = -1;
    while ((i = chunk.indexOf(eol, i + 1)) !== -1) count++;
  }
  return count;
}

/** Error raised when a file got shorter while it was read (rotated or truncated). */
export class FileShrankError extends Error {
  readonly code = "ESHRANK";
}

/** Bytes [position, position + length) of the file: a view of known bytes that hold them all, else read. */
function readRange(fh: fsp.FileHandle, position: number, length: number, known: readonly KnownBytes[] = []): Promise<Buffer> | Buffer {
  for (const k of known) {
    if (position >= k.offset && position + length <= k.offset + k.bytes.length) return k.bytes.subarray(position - k.offset, position - k.offset + length);
  }
  return readExactly(fh, position, length);
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
